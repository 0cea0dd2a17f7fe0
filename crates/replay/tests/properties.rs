//! Properties of whole replays on random small sites: every controlled policy keeps every
//! circuit within its cap (measured on what the cars drew), and none beats hindsight.

use chargeplan_replay::site::{self, CircuitFile, PortGroup, SiteFile};
use chargeplan_replay::{Battery, Info, Policy, Recorded, Replay};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

/// A small site: a service with `cap_kw`, and a pod of `pod_ports` under `pod_kw` beside
/// `other_ports` on the service directly.
fn small_site(cap_kw: f64, pod_kw: f64, pod_ports: usize, other_ports: usize) -> site::SiteModel {
    let names = |prefix: &str, n: usize| (1..=n).map(|k| format!("{prefix}-{k}")).collect();
    let mut ports = vec![PortGroup {
        circuit: "service".into(),
        stations: names("S", other_ports),
        max_amps: 32.0,
        voltage_v: 208.0,
        phases: 1,
    }];
    if pod_ports > 0 {
        ports.push(PortGroup {
            circuit: "pod".into(),
            stations: names("P", pod_ports),
            max_amps: 32.0,
            voltage_v: 208.0,
            phases: 1,
        });
    }
    site::model(&SiteFile {
        id: "small".into(),
        name: "Small site".into(),
        time_zone: "America/Los_Angeles".into(),
        slot_minutes: 5,
        poll_interval_s: 60,
        car_max_kw: 7.0,
        // Stations hold a new car at zero until its first profile: arrivals cannot overshoot.
        default_limit_kw: Some(0.0),
        arrival_headroom: None,
        circuits: vec![
            CircuitFile {
                id: "service".into(),
                parent: None,
                cap_kw,
            },
            CircuitFile {
                id: "pod".into(),
                parent: Some("service".into()),
                cap_kw: pod_kw,
            },
        ],
        ports,
        tariff: None,
    })
    .expect("a valid small site")
}

/// (port, arrival minute, stay minutes, kWh the car takes, claimed, requested kWh, estimate
/// offset minutes)
type Row = (usize, i64, i64, f64, bool, f64, i64);

fn sessions(site: &site::SiteModel, rows: &[Row]) -> Vec<Recorded> {
    let t0 = Utc
        .with_ymd_and_hms(2019, 6, 14, 14, 0, 0)
        .single()
        .expect("time");
    let mut free_at = vec![t0; site.ports.len()];
    let mut out = Vec::new();
    for (n, &(port, arrive_min, stay_min, kwh, claimed, requested, estimate_min)) in
        rows.iter().enumerate()
    {
        let port = port % site.ports.len();
        // One car at a time per port.
        let arrival =
            (t0 + Duration::minutes(arrive_min)).max(free_at[port] + Duration::minutes(1));
        let departure = arrival + Duration::minutes(stay_min);
        free_at[port] = departure;
        out.push(Recorded {
            line: n + 2,
            session_id: format!("r{n}"),
            station_id: site.ports[port].id.as_str().to_owned(),
            arrival,
            departure,
            requested_kwh: requested,
            delivered_kwh: kwh,
            estimated_departure: Some(departure + Duration::minutes(estimate_min)),
            claimed,
        });
    }
    out.sort_by_key(|s| s.arrival);
    out
}

fn row() -> impl Strategy<Value = Row> {
    (
        0_usize..6,
        0_i64..600,
        20_i64..600,
        0.5_f64..30.0,
        any::<bool>(),
        1.0_f64..40.0,
        -180_i64..180,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_controlled_policy_keeps_every_cap_and_none_beats_hindsight(
        cap_kw in 3.0_f64..30.0,
        pod_kw in 2.0_f64..15.0,
        pod_ports in 0_usize..3,
        other_ports in 1_usize..4,
        rows in proptest::collection::vec(row(), 1..7),
        declared in any::<bool>(),
        taper in any::<bool>(),
    ) {
        let site = small_site(cap_kw, pod_kw, pod_ports, other_ports);
        let sessions = sessions(&site, &rows);
        let day = NaiveDate::from_ymd_opt(2019, 6, 14).expect("day");
        let replay = Replay {
            site,
            sessions,
            from: day,
            to: day,
            info: if declared { Info::Declared } else { Info::Perfect },
            battery: if taper { Battery::Taper } else { Battery::Ideal },
            progress: false,
        };

        let reports = replay.run(&Policy::ALL).expect("every policy runs");

        let hindsight = reports.iter().find(|r| r.policy == "hindsight").expect("hindsight");
        prop_assert_eq!(hindsight.cap_violations, 0);
        for r in reports.iter().filter(|r| r.policy != "uncontrolled") {
            prop_assert_eq!(r.cap_violations, 0, "{} at {:.2} kW: {:?}", r.policy, cap_kw, r);
            prop_assert!(
                r.energy_delivered_kwh <= hindsight.energy_delivered_kwh * (1.0 + 1e-6) + 1e-6,
                "{} delivered {} > hindsight {}",
                r.policy,
                r.energy_delivered_kwh,
                hindsight.energy_delivered_kwh
            );
        }
    }
}
