//! `chargeplan serve` with no configuration: health, readiness, SIGTERM, restart.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_returns_200_ok_with_no_configuration_at_all() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let app = spawn_app(data_dir.path(), &[]);

    let (status, body) = app.get_json("/healthz").await;

    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn readyz_reports_ready_on_the_embedded_sqlite_store() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let app = spawn_app(data_dir.path(), &[]);

    let (status, body) = app.get_json("/readyz").await;

    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ready", "store": "sqlite"}));
    assert!(
        data_dir.path().join("chargeplan.db").exists(),
        "the store lives in the data dir"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_promptly_with_exit_code_0() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut app = spawn_app(data_dir.path(), &[]);
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    let started = Instant::now();

    let exit = app.terminate();

    let exit =
        exit.unwrap_or_else(|| panic!("still running after SIGTERM:\n{}", app.stderr_text()));
    assert_eq!(exit.code(), Some(0), "{}", app.stderr_text());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_second_start_on_the_same_data_dir_is_ready_again() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut first = spawn_app(data_dir.path(), &[]);
    let first_exit = first.terminate().expect("first server stops");
    assert_eq!(first_exit.code(), Some(0), "{}", first.stderr_text());

    let second = spawn_app(data_dir.path(), &[]);
    let (status, body) = second.get_json("/readyz").await;

    assert_eq!(status, 200, "{}", second.stderr_text());
    assert_eq!(body, json!({"status": "ready", "store": "sqlite"}));
    assert!(
        second.stderr_text().contains("migrations.applied=0"),
        "the second start applies nothing:\n{}",
        second.stderr_text()
    );
}

#[tokio::test]
async fn a_default_server_does_not_serve_the_console_page_of_texts() {
    let data = tempfile::tempdir().expect("data dir");
    let app = spawn_app(data.path(), &[]);

    let status = reqwest::get(format!("{}/dev/sms", app.address))
        .await
        .expect("HTTP request")
        .status();

    assert_eq!(
        status,
        reqwest::StatusCode::NOT_FOUND,
        "phone numbers and links stay private"
    );
}
