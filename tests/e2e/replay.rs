//! `chargeplan replay`: the real control loop through the recorded day, judged against the
//! hindsight optimum.

use crate::helpers::run;

#[test]
fn a_replay_of_the_recorded_day_delivers_no_more_than_hindsight_and_than_was_asked() {
    let cwd = tempfile::tempdir().expect("cwd");

    let output = run(
        cwd.path(),
        &[
            "replay",
            "--wire",
            "--speedup",
            "3600",
            "--cap-kw",
            "30",
            "--json",
        ],
        &[("CHARGEPLAN__LOG__FILTER", "warn")],
    );

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object on stdout");
    let number = |key: &str| {
        report[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} in {report}"))
    };
    let (delivered, hindsight) = (number("delivered_kwh"), number("hindsight_kwh"));
    assert!(number("sessions") > 40.0, "{report}");
    assert!(delivered > 0.0, "{report}");
    // The online loop cannot beat hindsight; the slack is for float rounding.
    assert!(delivered <= hindsight * 1.001, "{report}");
    let ratio = number("ratio");
    assert!(ratio > 0.0 && ratio <= 1.001, "{report}");
    assert!(number("requested_kwh") >= delivered, "{report}");
    assert!(
        std::fs::read_dir(cwd.path()).expect("cwd").next().is_none(),
        "the replay leaves nothing in the working directory"
    );
}

/// The fast replay exactly as the README's command table gives it, run from the checkout, with
/// `--output`, `--plot` and `--progress` added.
#[test]
fn the_readmes_fast_replay_compares_every_policy_and_none_beats_hindsight() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let example = readme
        .split("e.g. `")
        .filter_map(|rest| rest.split('`').next())
        .find(|command| command.starts_with("chargeplan replay --sessions"))
        .expect("the README gives a fast replay example");
    let args: Vec<&str> = example.split_whitespace().skip(1).collect();
    let sessions = args[args
        .iter()
        .position(|a| *a == "--sessions")
        .expect("--sessions")
        + 1];
    assert!(
        root.join(sessions).exists(),
        "the README's session file {sessions} must exist beside the checkout (../shared)"
    );
    let out = tempfile::tempdir().expect("out");
    let (report, plot) = (out.path().join("report.json"), out.path().join("load.svg"));
    let mut full = args.clone();
    full.extend([
        "--output",
        report.to_str().expect("path"),
        "--plot",
        plot.to_str().expect("path"),
        "--progress",
    ]);

    let output = run(root, &full, &[]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("of hind."), "{table}");
    assert!(stderr.contains("optimal: 2019-06-14 replayed"), "{stderr}");
    let reports: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    let policies: Vec<&str> = reports
        .iter()
        .filter_map(|r| r["policy"].as_str())
        .collect();
    assert_eq!(
        policies,
        [
            "uncontrolled",
            "round-robin",
            "edf",
            "llf",
            "optimal",
            "hindsight"
        ]
    );
    let number = |r: &serde_json::Value, key: &str| {
        r[key].as_f64().unwrap_or_else(|| panic!("{key} in {r}"))
    };
    for r in &reports {
        let policy = r["policy"].as_str().unwrap_or_default();
        assert_eq!(number(r, "cap_kw"), 30.0, "{r}");
        if policy == "uncontrolled" {
            // It ignores the cap, so it may take more than the capped optimum.
            assert!(number(r, "cap_violations") > 0.0, "{r}");
        } else {
            assert!(number(r, "fraction_of_hindsight") <= 1.0 + 1e-6, "{r}");
            assert!(number(r, "energy_delivered_kwh") > 0.0, "{r}");
        }
    }
    let svg = std::fs::read_to_string(&plot).expect("plot");
    assert!(svg.starts_with("<svg"), "{svg:.80}");
    assert_eq!(svg.matches("<polygon").count(), 6);
}
