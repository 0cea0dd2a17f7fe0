//! Real ACN-Data instances (Caltech, 2019-06-14), bundled under `tests/fixtures/`.

use chargeplan_optimizer::{hindsight, optimize};

use super::common::{check_plan, fixture};

#[test]
fn caltech_at_150_kw_respects_every_rule_and_only_the_pods_are_full() {
    let p = fixture("caltech_2019-06-14_1340_150kw.json");
    assert_eq!(p.sessions.len(), 34);
    let plan = optimize(&p).expect("fixture is valid");
    check_plan(&p, &plan).expect("plan respects every rule");
    let site_peak = plan.circuits[0].load_kw.iter().copied().fold(0.0, f64::max);
    assert!(site_peak < 150.0);
    assert!(
        plan.sessions
            .iter()
            .filter_map(|s| s.shortfall_reason.as_deref())
            .any(|r| r.contains("circuit pod-"))
    );
    for s in plan.sessions.iter().filter(|s| s.shortfall_kwh > 1e-6) {
        let reason = s
            .shortfall_reason
            .as_deref()
            .expect("a shortfall has a reason");
        assert!(!reason.contains("circuit site"), "{}: {reason}", s.id);
    }
}

#[test]
fn caltech_at_30_kw_shares_the_site_and_reports_it_full() {
    let p = fixture("caltech_2019-06-14_1340_30kw.json");
    let plan = optimize(&p).expect("fixture is valid");
    check_plan(&p, &plan).expect("plan respects every rule");
    let site_peak = plan.circuits[0].load_kw.iter().copied().fold(0.0, f64::max);
    assert!(site_peak <= 30.0 + 1e-6);
    assert!(plan.shortfall_kwh > 0.0);
    assert!(
        plan.sessions
            .iter()
            .filter_map(|s| s.shortfall_reason.as_deref())
            .any(|r| r.contains("circuit site full"))
    );
    // Congested, so fairness matters: nobody who could charge is left at zero.
    assert!(plan.min_fraction_met > 0.0);
}

#[test]
fn the_min_current_repair_loses_little_energy_on_real_data() {
    for name in [
        "caltech_2019-06-14_1340_150kw.json",
        "caltech_2019-06-14_1340_30kw.json",
        "caltech_2019-06-14_day_30kw.json",
    ] {
        let p = fixture(name);
        let plan = optimize(&p).expect("fixture is valid");
        check_plan(&p, &plan).expect("plan respects every rule");
        let continuous = plan.stats.continuous_energy_kwh;
        let loss = continuous - plan.energy_kwh;
        assert!(
            loss >= -1e-6,
            "{name}: the repair never adds energy beyond the LP optimum"
        );
        assert!(
            loss <= 0.01 * continuous,
            "{name}: repair lost {loss} of {continuous} kWh"
        );
    }
}

#[test]
fn the_hindsight_plan_never_charges_before_arrival() {
    let p = fixture("caltech_2019-06-14_day_30kw.json");
    let plan = hindsight(&p).expect("fixture is valid");
    check_plan(&p, &plan).expect("plan respects every rule (windows include arrival)");
    let late = p
        .sessions
        .iter()
        .position(|s| {
            s.arrival
                .is_some_and(|a| a > p.start + chrono::Duration::hours(12))
        })
        .expect("someone arrives in the afternoon");
    let power = &plan.sessions[late].power_kw;
    assert!(power[..144].iter().all(|&v| v == 0.0));
    assert!(plan.energy_kwh > 0.0);
}
