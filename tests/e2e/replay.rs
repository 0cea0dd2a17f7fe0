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
