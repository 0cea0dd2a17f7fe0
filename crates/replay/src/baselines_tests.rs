use chrono::{TimeZone, Utc};

use super::*;

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 6, 14, 15, 0, 0)
        .single()
        .expect("time")
}

fn session(id: &str, circuit: &str, hours: i64, kwh: f64) -> opt::Session {
    opt::Session {
        id: id.to_owned(),
        circuit: circuit.to_owned(),
        max_kw: 6.0,
        min_kw: None,
        steps_kw: None,
        energy_kwh: kwh,
        departure: t0() + Duration::hours(hours),
        arrival: None,
    }
}

fn circuit(id: &str, parent: Option<&str>, cap_kw: f64) -> opt::Circuit {
    opt::Circuit {
        id: id.to_owned(),
        parent: parent.map(str::to_owned),
        cap_kw,
        cap_kw_by_slot: None,
        fixed_load_kw: None,
        fixed_load_kw_by_slot: None,
    }
}

/// Room for one car at a time; A leaves first but has slack, B leaves later with almost none.
fn contested() -> opt::Problem {
    opt::Problem {
        start: t0(),
        slot_minutes: 5,
        horizon_slots: None,
        circuits: vec![circuit("site", None, 6.0)],
        sessions: vec![session("a", "site", 2, 6.0), session("b", "site", 3, 17.4)],
        tariff: None,
    }
}

#[test]
fn edf_serves_the_earliest_departure_first() {
    let plan = plan(&contested(), Baseline::Edf);

    assert!(
        (plan.sessions[0].power_kw[0] - 6.0).abs() < 1e-9,
        "a leaves first"
    );
    assert!(plan.sessions[1].power_kw[0].abs() < 1e-9);
    assert!(
        (plan.sessions[0].energy_kwh - 6.0).abs() < 1e-6,
        "a gets its need"
    );
}

#[test]
fn llf_serves_the_least_laxity_first() {
    let plan = plan(&contested(), Baseline::Llf);

    // Laxity at the start: a 2 h - 1 h = 1 h, b 3 h - 2.9 h = 0.1 h.
    assert!(
        (plan.sessions[1].power_kw[0] - 6.0).abs() < 1e-9,
        "b has less laxity"
    );
    assert!(plan.sessions[0].power_kw[0].abs() < 1e-9);
}

#[test]
fn round_robin_shares_equally_and_gives_what_one_cannot_take_to_the_other() {
    let mut problem = contested();
    problem.circuits[0].cap_kw = 8.0;
    problem.sessions[0].max_kw = 3.0;

    let plan = plan(&problem, Baseline::RoundRobin);

    assert!((plan.sessions[0].power_kw[0] - 3.0).abs() < 1e-9);
    assert!((plan.sessions[1].power_kw[0] - 5.0).abs() < 1e-9);
}

#[test]
fn every_baseline_respects_a_pod_under_the_site_and_the_fixed_load() {
    let mut problem = contested();
    problem.circuits = vec![
        circuit("site", None, 10.0),
        circuit("pod", Some("site"), 4.0),
    ];
    problem.circuits[0].fixed_load_kw = Some(3.0);
    problem.sessions = vec![
        session("a", "pod", 2, 20.0),
        session("b", "pod", 2, 20.0),
        session("c", "site", 2, 20.0),
    ];
    for baseline in [Baseline::RoundRobin, Baseline::Edf, Baseline::Llf] {
        let plan = plan(&problem, baseline);
        for t in 0..plan.horizon_slots {
            let pod = plan.sessions[0].power_kw[t] + plan.sessions[1].power_kw[t];
            let site = pod + plan.sessions[2].power_kw[t] + 3.0;
            assert!(pod <= 4.0 + 1e-9, "{baseline:?} pod {pod} at {t}");
            assert!(site <= 10.0 + 1e-9, "{baseline:?} site {site} at {t}");
        }
    }
}

#[test]
fn a_session_is_off_or_at_least_its_minimum() {
    let mut problem = contested();
    problem.circuits[0].cap_kw = 7.0;
    problem.sessions[0].min_kw = Some(1.5);
    problem.sessions[1].min_kw = Some(1.5);
    problem.sessions[1].max_kw = 6.0;

    for baseline in [Baseline::RoundRobin, Baseline::Edf, Baseline::Llf] {
        let plan = plan(&problem, baseline);
        for s in &plan.sessions {
            assert!(
                s.power_kw.iter().all(|kw| *kw < 1e-9 || *kw >= 1.5 - 1e-9),
                "{baseline:?}: {:?}",
                s.power_kw
            );
        }
    }
}

#[test]
fn round_robin_lets_the_latest_departures_wait_when_shares_would_be_below_the_minimum() {
    let mut problem = contested();
    problem.circuits[0].cap_kw = 4.0;
    problem.sessions = (1..=4)
        .map(|k| {
            let mut s = session(&format!("s{k}"), "site", k, 20.0);
            s.min_kw = Some(1.5);
            s
        })
        .collect();

    let plan = plan(&problem, Baseline::RoundRobin);

    // 4 kW for four cars is 1 kW each, below 1.5: the two leaving last wait, two get 2 kW.
    let first: Vec<f64> = plan.sessions.iter().map(|s| s.power_kw[0]).collect();
    assert_eq!(first, vec![2.0, 2.0, 0.0, 0.0]);
}
