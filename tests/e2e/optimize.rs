//! `chargeplan optimize`: a plan from a problem file, and bad input refused with exit code 2.

use crate::helpers::run;

const PROBLEM: &str = r#"{
  "start": "2019-06-14T20:40:00Z",
  "slot_minutes": 5,
  "horizon_slots": 144,
  "circuits": [
    {"id": "site", "parent": null, "cap_kw": 150.0},
    {"id": "pod-a", "parent": "site", "cap_kw": 16.6, "cap_kw_by_slot": [16.6, 10.0], "fixed_load_kw_by_slot": [2.0, 2.0]}
  ],
  "sessions": [
    {"id": "s1", "circuit": "pod-a", "max_kw": 6.6, "min_kw": 1.25, "energy_kwh": 12.5,
     "departure": "2019-06-14T23:00:00Z", "arrival": null}
  ],
  "tariff": {"energy_price_per_kwh_by_slot": [0.15, 0.15], "demand_charge_per_kw": 15.0, "billed_peak_kw": 40.0}
}"#;

#[test]
fn a_problem_file_gives_a_plan_that_meets_the_request() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("problem.json"), PROBLEM).expect("write problem");

    let output = run(dir.path(), &["optimize", "--input", "problem.json"], &[]);

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("plan is JSON");
    let session = &plan["sessions"][0];
    assert_eq!(session["id"], "s1");
    assert!(
        (session["energy_kwh"].as_f64().expect("energy") - 12.5).abs() < 1e-6,
        "{session}"
    );
    assert_eq!(session["power_kw"].as_array().expect("powers").len(), 144);
    assert!(
        session["power_kw"]
            .as_array()
            .expect("powers")
            .iter()
            .all(|p| p.as_f64().expect("kW") <= 6.6 + 1e-9)
    );
}

#[test]
fn the_plan_can_go_to_a_file() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("problem.json"), PROBLEM).expect("write problem");

    let output = run(
        dir.path(),
        &[
            "optimize",
            "--input",
            "problem.json",
            "--output",
            "plan.json",
        ],
        &[],
    );

    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("plan.json")).expect("plan file"),
    )
    .expect("JSON");
    assert!(plan["status"].is_string());
}

#[test]
fn bad_input_exits_2_naming_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let bad = PROBLEM.replace(r#""circuit": "pod-a""#, r#""circuit": "pod-z""#);
    std::fs::write(dir.path().join("problem.json"), bad).expect("write problem");

    let output = run(
        dir.path(),
        &[
            "optimize",
            "--input",
            "problem.json",
            "--output",
            "plan.json",
        ],
        &[],
    );

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sessions[0].circuit"), "{stderr}");
    assert!(!dir.path().join("plan.json").exists());
    let missing = run(dir.path(), &["optimize", "--input", "nowhere.json"], &[]);
    assert_eq!(missing.status.code(), Some(2));
}
