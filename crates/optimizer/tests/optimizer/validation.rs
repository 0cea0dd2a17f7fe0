//! Bad input is rejected with an error naming the offending field; good JSON round-trips.

use chargeplan_optimizer::{Plan, ProblemError, optimize, run_optimize_json};
use serde_json::{Value, json};

/// The problem of the interchange-format example in the issue.
fn example() -> Value {
    json!({
      "start": "2019-06-14T20:40:00Z",
      "slot_minutes": 5,
      "horizon_slots": 144,
      "circuits": [
        {"id": "site", "parent": null, "cap_kw": 150.0},
        {"id": "pod-a", "parent": "site", "cap_kw": 16.6,
         "cap_kw_by_slot": [16.6, 10.0], "fixed_load_kw_by_slot": [2.0, 2.0]}
      ],
      "sessions": [
        {"id": "s1", "circuit": "pod-a", "max_kw": 6.6, "min_kw": 1.25, "energy_kwh": 12.5,
         "departure": "2019-06-14T23:00:00Z", "arrival": null}
      ],
      "tariff": {"energy_price_per_kwh_by_slot": [0.15, 0.15], "demand_charge_per_kw": 15.0,
                 "billed_peak_kw": 40.0}
    })
}

/// The error message for `problem`, which must be rejected.
fn error_of(problem: &Value) -> String {
    let err = run_optimize_json(&problem.to_string()).expect_err("must be rejected");
    err.to_string()
}

#[test]
fn the_issue_example_plans_fully_and_round_trips_as_json() {
    let out = run_optimize_json(&example().to_string()).expect("valid example");
    let plan: Plan = serde_json::from_str(&out).expect("plan parses back");
    assert_eq!(plan.status, "optimal");
    assert_eq!(plan.horizon_slots, 144);
    assert_eq!(plan.sessions[0].power_kw.len(), 144);
    assert!((plan.energy_kwh - 12.5).abs() < 1e-6);
    assert_eq!(plan.sessions[0].shortfall_reason, None);
    // 10 kW cap minus 2 kW fixed load in slot 1.
    assert!(plan.sessions[0].power_kw[1] <= 8.0 + 1e-9);
    assert!(out.contains("\"min_fraction_met\""));
}

#[test]
fn an_unknown_circuit_is_named() {
    let mut p = example();
    p["sessions"][0]["circuit"] = json!("pod-z");
    assert_eq!(
        error_of(&p),
        "sessions[0].circuit: unknown circuit \"pod-z\""
    );
    let mut p = example();
    p["circuits"][1]["parent"] = json!("nowhere");
    assert!(error_of(&p).starts_with("circuits[1].parent: unknown circuit"));
}

#[test]
fn a_cycle_in_the_circuit_tree_is_named() {
    let mut p = example();
    p["circuits"][0]["parent"] = json!("pod-a");
    assert_eq!(
        error_of(&p),
        "circuits[0].parent: forms a cycle in the circuit tree"
    );
}

#[test]
fn a_departure_before_start_is_named() {
    let mut p = example();
    p["sessions"][0]["departure"] = json!("2019-06-14T20:00:00Z");
    assert_eq!(error_of(&p), "sessions[0].departure: is before start");
}

#[test]
fn negative_energy_and_power_are_named() {
    let mut p = example();
    p["sessions"][0]["energy_kwh"] = json!(-1.0);
    assert_eq!(error_of(&p), "sessions[0].energy_kwh: is negative");
    let mut p = example();
    p["sessions"][0]["max_kw"] = json!(-6.6);
    assert_eq!(error_of(&p), "sessions[0].max_kw: is negative");
    let mut p = example();
    p["circuits"][1]["cap_kw_by_slot"] = json!([16.6, -1.0]);
    assert_eq!(error_of(&p), "circuits[1].cap_kw_by_slot[1]: is negative");
}

#[test]
fn nan_energy_is_named() {
    let mut p: chargeplan_optimizer::Problem =
        serde_json::from_value(example()).expect("example parses");
    p.sessions[0].energy_kwh = f64::NAN;
    let err = optimize(&p).expect_err("NaN must be rejected");
    assert_eq!(err.to_string(), "sessions[0].energy_kwh: is NaN");
    assert!(matches!(err, ProblemError::Invalid { .. }));
}

#[test]
fn a_by_slot_array_longer_than_the_horizon_is_named() {
    let mut p = example();
    p["horizon_slots"] = json!(1);
    assert_eq!(
        error_of(&p),
        "circuits[1].cap_kw_by_slot: has 2 entries but the horizon has 1 slots"
    );
    let mut p = example();
    p["horizon_slots"] = json!(1);
    p["circuits"][1]
        .as_object_mut()
        .expect("object")
        .remove("cap_kw_by_slot");
    p["circuits"][1]
        .as_object_mut()
        .expect("object")
        .remove("fixed_load_kw_by_slot");
    assert_eq!(
        error_of(&p),
        "tariff.energy_price_per_kwh_by_slot: has 2 entries but the horizon has 1 slots"
    );
}

#[test]
fn an_unknown_field_or_a_missing_one_is_a_json_error() {
    let mut p = example();
    p["sessions"][0]["energy_kWh"] = json!(3.0);
    let msg = error_of(&p);
    assert!(
        msg.starts_with("input: unknown field `energy_kWh`"),
        "{msg}"
    );
    let mut p = example();
    p.as_object_mut().expect("object").remove("start");
    assert!(error_of(&p).contains("missing field `start`"));
}

#[test]
fn optional_fields_take_their_defaults() {
    let p = json!({
      "start": "2019-06-14T20:40:00Z",
      "circuits": [{"id": "site", "cap_kw": 7.0}],
      "sessions": [{"id": "s", "circuit": "site", "max_kw": 6.6, "energy_kwh": 1.0,
                    "departure": "2019-06-14T21:40:00Z"}]
    });
    let plan: Plan =
        serde_json::from_str(&run_optimize_json(&p.to_string()).expect("valid")).expect("plan");
    assert_eq!(plan.slot_minutes, 5);
    assert_eq!(plan.horizon_slots, 12);
    assert!((plan.energy_kwh - 1.0).abs() < 1e-9);
    assert_eq!(plan.energy_cost, 0.0);
}
