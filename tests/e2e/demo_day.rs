//! `chargeplan demo` through its whole recorded day, sped up: the banner says how long the day
//! lasts and prints an API token that works, with the reference at `/api/v1/docs`; the
//! replayed drivers who answer submit their recorded requests, so the day's report has
//! requests to meet; a dashboard login made at the start still works when more garage hours
//! than a login lasts have passed (logins run on real time); and once the last car has left
//! the demo says so on its output and on the dashboard.

use std::time::Duration;

use crate::demo_run::{Demo, banner_address, dashboard_password, log_in, page_with};

/// 2400x: the recorded day (28 garage hours, to the last car's departure the next morning) in
/// 43 s, and a 12-hour login's worth of garage time in 18 s.
const SPEEDUP: f64 = 2400.0;
/// How long the day may take to end, at `SPEEDUP`, on a slow machine.
const DAY_PATIENCE: Duration = Duration::from_secs(120);

/// The token in the banner's "Operator API: token TOKEN (…".
fn api_token(lines: &[String]) -> Option<String> {
    lines.iter().find_map(|line| {
        let rest = line.strip_prefix("Operator API: token ")?;
        Some(rest.split_whitespace().next()?.to_owned())
    })
}

/// The banner's "The recorded day lasts about N seconds at 2400x: …" line.
fn day_length(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .find(|line| {
            line.trim_start()
                .starts_with("The recorded day lasts about ")
        })
        .cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_day_runs_out_visibly_while_its_login_and_token_keep_real_time() {
    let cwd = tempfile::tempdir().expect("cwd");
    let data = tempfile::tempdir().expect("data dir");
    let mut demo = Demo::start(cwd.path(), data.path(), SPEEDUP);
    let address = demo.wait_for("the banner's address", banner_address).await;
    let password = demo
        .wait_for("the dashboard password", dashboard_password)
        .await;
    let token = demo.wait_for("the API token", api_token).await;
    let length = demo.wait_for("how long the day lasts", day_length).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let session = log_in(&http, &address, &password, "/dashboard").await;

    assert!(
        length.contains("seconds at 2400x: its last car arrives at 21:34 and the"),
        "{length}"
    );
    let sites = http
        .get(format!("{address}/api/v1/sites"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the API");
    assert_eq!(sites.status().as_u16(), 200, "the banner's token works");
    assert!(sites.text().await.expect("body").contains("\"caltech\""));
    let docs = http
        .get(format!("{address}/api/v1/docs"))
        .send()
        .await
        .expect("the reference");
    assert_eq!(docs.status().as_u16(), 200);
    assert!(
        docs.text()
            .await
            .expect("body")
            .contains("/api/v1/sites/{site_id}/reports")
    );

    demo.wait_longer_for("the end of the recorded day", DAY_PATIENCE, |lines| {
        lines
            .iter()
            .find(|line| line.starts_with("The recorded day is over: its last car left at "))
            .cloned()
    })
    .await;

    let overview = page_with(&http, &address, &session, "/dashboard/sites/caltech").await;
    assert!(
        overview.contains("The recorded day is over — restart the demo"),
        "the login of the start still works after a garage day, and the page says why the \
         garage is empty: {overview}"
    );
    let report = http
        .get(format!(
            "{address}/api/v1/sites/caltech/reports?period=day&date=2019-06-14"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("the day's report");
    assert_eq!(report.status().as_u16(), 200);
    let report: serde_json::Value = report.json().await.expect("JSON");
    let summary = &report["summary"];
    let with_request = summary["sessions_with_kwh_request"]
        .as_u64()
        .expect("count");
    let sessions = summary["sessions_count"].as_u64().expect("count");
    assert!(
        with_request > 0 && with_request < sessions,
        "some replayed drivers asked, others left it to the person trying the demo: {summary}"
    );
    assert!(
        summary["requests_met_pct"].is_number(),
        "requests met is a figure: {summary}"
    );
}
