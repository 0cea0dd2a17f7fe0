//! Hand-made problems whose optimum is known in closed form.

use chargeplan_optimizer::{Circuit, Plan, Problem, Session, Tariff, optimize};
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::common::check_plan;

/// 2024-01-01T00:00Z.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// A root circuit with a fixed cap.
fn site(cap_kw: f64) -> Circuit {
    Circuit {
        id: "site".into(),
        parent: None,
        cap_kw,
        cap_kw_by_slot: None,
        fixed_load_kw: None,
        fixed_load_kw_by_slot: None,
    }
}

/// A session on `site` present from `arrive_min` to `depart_min` minutes after t0.
fn session(id: &str, max_kw: f64, need: f64, arrive_min: i64, depart_min: i64) -> Session {
    Session {
        id: id.into(),
        circuit: "site".into(),
        max_kw,
        min_kw: None,
        steps_kw: None,
        energy_kwh: need,
        departure: t0() + Duration::minutes(depart_min),
        arrival: (arrive_min > 0).then(|| t0() + Duration::minutes(arrive_min)),
    }
}

/// A problem with the given slot length, circuits and sessions, no tariff.
fn problem(slot_minutes: u32, circuits: Vec<Circuit>, sessions: Vec<Session>) -> Problem {
    Problem {
        start: t0(),
        slot_minutes,
        horizon_slots: None,
        circuits,
        sessions,
        tariff: None,
    }
}

/// Solves and checks every hard rule.
fn solve(p: &Problem) -> Plan {
    let plan = optimize(p).expect("valid problem");
    check_plan(p, &plan).expect("plan respects every rule");
    plan
}

/// Asserts `a ≈ b` within 1e-6.
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

#[test]
fn a_lone_session_charges_at_full_power_as_early_as_possible() {
    let p = problem(5, vec![site(100.0)], vec![session("a", 6.6, 10.0, 0, 120)]);
    let plan = solve(&p);
    let power = &plan.sessions[0].power_kw;
    assert!(power[..18].iter().all(|&v| (v - 6.6).abs() < 1e-6));
    close(power[18], 1.2);
    assert!(power[19..].iter().all(|&v| v == 0.0));
    close(plan.energy_kwh, 10.0);
    assert_eq!(
        plan.sessions[0].completion,
        Some(t0() + Duration::minutes(95))
    );
    assert_eq!(plan.status, "optimal");
}

#[test]
fn a_late_arrival_is_not_starved_by_an_earlier_greedy_session() {
    // 10 kW for 4 h = 40 kWh. A (there from the start) wants 40, B arrives at 2 h and wants 20.
    // First-come would give A everything; max-min fairness gives both 2/3 of their need.
    let p = problem(
        15,
        vec![site(10.0)],
        vec![
            session("a", 10.0, 40.0, 0, 240),
            session("b", 10.0, 20.0, 120, 240),
        ],
    );
    let plan = solve(&p);
    close(plan.energy_kwh, 40.0);
    close(plan.min_fraction_met, 2.0 / 3.0);
    close(plan.sessions[0].energy_kwh, 80.0 / 3.0);
    close(plan.sessions[1].energy_kwh, 40.0 / 3.0);
    let reason = plan.sessions[1].shortfall_reason.as_deref().unwrap_or("");
    assert!(reason.contains("circuit site full"), "{reason}");
}

#[test]
fn an_impossible_request_counts_only_what_it_could_take_alone() {
    // 6.6 kW for 2 h. X wants 100 kWh but can take 6.6 in its 1 h window; Y wants 13.2 in 2 h.
    // Fairness on capped need: X gets 4.4 (2/3 of 6.6), Y 8.8 (2/3 of 13.2).
    let p = problem(
        60,
        vec![site(6.6)],
        vec![
            session("x", 6.6, 100.0, 0, 60),
            session("y", 6.6, 13.2, 0, 120),
        ],
    );
    let plan = solve(&p);
    close(plan.energy_kwh, 13.2);
    close(plan.sessions[0].energy_kwh, 4.4);
    close(plan.sessions[1].energy_kwh, 8.8);
    close(plan.min_fraction_met, 2.0 / 3.0);
    let reason = plan.sessions[0].shortfall_reason.as_deref().unwrap_or("");
    assert!(reason.starts_with("window too short"), "{reason}");
}

#[test]
fn energy_goes_to_the_cheapest_slot_before_the_earliest() {
    let mut p = problem(60, vec![site(50.0)], vec![session("a", 6.6, 3.3, 0, 120)]);
    p.tariff = Some(Tariff {
        energy_price_per_kwh_by_slot: vec![0.30, 0.10],
        energy_price_per_kwh: None,
        demand_charge_per_kw: 0.0,
        billed_peak_kw: 0.0,
    });
    let plan = solve(&p);
    close(plan.sessions[0].power_kw[0], 0.0);
    close(plan.sessions[0].power_kw[1], 3.3);
    close(plan.energy_cost, 0.33);
}

#[test]
fn the_demand_charge_flattens_the_peak_above_the_billed_peak() {
    let mut p = problem(60, vec![site(50.0)], vec![session("a", 6.6, 6.6, 0, 120)]);
    p.tariff = Some(Tariff {
        energy_price_per_kwh_by_slot: vec![],
        energy_price_per_kwh: Some(0.1),
        demand_charge_per_kw: 10.0,
        billed_peak_kw: 3.3,
    });
    let plan = solve(&p);
    close(plan.sessions[0].power_kw[0], 3.3);
    close(plan.sessions[0].power_kw[1], 3.3);
    close(plan.demand_charge, 0.0);
    close(plan.peak_kw, 3.3);
}

#[test]
fn by_slot_caps_apply_then_fall_back_to_the_scalar_cap() {
    let mut c = site(10.0);
    c.cap_kw_by_slot = Some(vec![2.0]);
    c.fixed_load_kw_by_slot = Some(vec![0.5, 1.0]);
    let p = problem(60, vec![c], vec![session("a", 20.0, 100.0, 0, 180)]);
    let plan = solve(&p);
    let power = &plan.sessions[0].power_kw;
    close(power[0], 1.5);
    close(power[1], 9.0);
    close(power[2], 10.0);
    close(plan.circuits[0].load_kw[1], 10.0);
}

#[test]
fn min_current_repair_switches_one_session_fully_on_instead_of_both_below_minimum() {
    // 3 kW for two sessions with a 2 kW minimum: the fair LP split 1.5 + 1.5 is not allowed.
    let mut a = session("a", 6.6, 50.0, 0, 60);
    let mut b = session("b", 6.6, 50.0, 0, 60);
    a.min_kw = Some(2.0);
    b.min_kw = Some(2.0);
    let p = problem(60, vec![site(3.0)], vec![a, b]);
    let plan = solve(&p);
    close(plan.stats.continuous_energy_kwh, 3.0);
    close(plan.energy_kwh, 3.0);
    assert_eq!(plan.status, "repaired");
}

#[test]
fn discrete_steps_round_down_to_a_step_within_the_cap() {
    let mut a = session("a", 6.6, 50.0, 0, 60);
    a.steps_kw = Some(vec![1.5, 3.0, 6.0]);
    let p = problem(60, vec![site(4.0)], vec![a]);
    let plan = solve(&p);
    close(plan.sessions[0].power_kw[0], 3.0);
}

#[test]
fn a_pod_under_the_site_limits_its_own_sessions_only() {
    let pod = Circuit {
        id: "pod".into(),
        parent: Some("site".into()),
        cap_kw: 5.0,
        cap_kw_by_slot: None,
        fixed_load_kw: Some(1.0),
        fixed_load_kw_by_slot: None,
    };
    let mut a = session("a", 6.6, 100.0, 0, 60);
    a.circuit = "pod".into();
    let b = session("b", 6.6, 100.0, 0, 60);
    let p = problem(60, vec![site(9.0), pod], vec![a, b]);
    let plan = solve(&p);
    close(plan.sessions[0].energy_kwh, 4.0);
    close(plan.sessions[1].energy_kwh, 4.0);
    close(plan.circuits[0].load_kw[0], 9.0);
}

#[test]
fn the_same_problem_gives_the_same_plan() {
    let p = chargeplan_optimizer::synth::synthetic(60, 96, 7);
    let mut a = optimize(&p).expect("valid");
    let mut b = optimize(&p).expect("valid");
    (a.stats.solve_ms, b.stats.solve_ms) = (0.0, 0.0);
    (a.stats.stage_ms, b.stats.stage_ms) = (Vec::new(), Vec::new());
    assert_eq!(
        serde_json::to_string(&a).expect("serializes"),
        serde_json::to_string(&b).expect("serializes")
    );
    check_plan(&p, &a).expect("plan respects every rule");
}

#[test]
fn identical_cars_under_a_binding_cap_share_it_steadily_instead_of_in_turns() {
    // Four 19.2 kW cars wanting more than 40 kW can give them in 3 hours: any split of the
    // 40 kW is as good in energy, fairness and earliness; the plan keeps each car's power
    // steady instead of switching between full power and zero.
    let cars = (0..4)
        .map(|i| session(&format!("car{i}"), 19.2, 60.0, 0, 180))
        .collect();
    let plan = solve(&problem(5, vec![site(40.0)], cars));
    for car in &plan.sessions {
        close(car.energy_kwh, 30.0);
        let jumps = car.power_kw[..36]
            .windows(2)
            .filter(|w| (w[1] - w[0]).abs() > 1.0)
            .count();
        assert!(jumps <= 2, "{} jumps in {:?}", jumps, car.power_kw);
    }
}

#[test]
fn a_steadier_split_keeps_every_session_energy_and_a_short_stay_at_full_power() {
    // A car leaving in an hour and one staying four share 20 kW: the short stay still gets
    // everything it can take at full power, the long one the 9 kW left beside it, then its
    // port's maximum as early as it can (earliest delivery comes before steadiness).
    let p = problem(
        5,
        vec![site(20.0)],
        vec![
            session("short", 11.0, 11.0, 0, 60),
            session("long", 11.0, 30.0, 0, 240),
        ],
    );
    let plan = solve(&p);
    close(plan.sessions[0].energy_kwh, 11.0);
    close(plan.sessions[1].energy_kwh, 30.0);
    for &kw in &plan.sessions[0].power_kw[..12] {
        close(kw, 11.0);
    }
    for &kw in &plan.sessions[1].power_kw[..12] {
        close(kw, 9.0);
    }
    for &kw in &plan.sessions[1].power_kw[12..23] {
        close(kw, 11.0);
    }
}
