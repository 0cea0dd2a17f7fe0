//! `GET /metrics`: admins only, OpenMetrics text with the control loop's metrics and the
//! gauges computed at scrape time, ending in exactly one `# EOF`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chargeplan_core::{
    Clock, KilowattHours, PortId, Session, SessionId, SessionStatus, VendorAccountId,
};
use chargeplan_exchange::poller::PollStatus;
use chargeplan_store::Effects;
use chrono::Duration;
use tower::ServiceExt as _;

use crate::support::{ADMIN_TOKEN, TestApp, kw, site_id, vendor};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The status, content type and body of `GET /metrics` with the admin token.
async fn scrape(app: &TestApp) -> (StatusCode, String, String) {
    let response = chargeplan_web::router(app.state.clone())
        .oneshot(
            Request::get("/metrics")
                .header(header::AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let body = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    (status, content_type, body)
}

/// The value of the sample whose name and labels are exactly `series`.
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().expect("a number"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_an_admins_credentials() {
    let app = TestApp::new().await;

    let missing = app.api(Method::GET, "/metrics", None, None).await;
    let wrong = app.api(Method::GET, "/metrics", Some("guess"), None).await;

    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(!missing.body.contains("chargeplan_"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_scrapes_the_control_metrics_and_the_gauges_in_one_exposition() {
    let app = TestApp::new().await;
    app.state
        .control
        .replan_now(&site_id())
        .await
        .expect("re-planned");

    let (status, content_type, body) = scrape(&app).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(content_type, OPENMETRICS);
    assert_eq!(
        sample(&body, "chargeplan_outbox_depth"),
        Some(0.0),
        "{body}"
    );
    let circuit = r#"{site="s1",circuit="s1-main"}"#;
    assert_eq!(
        sample(&body, &format!("chargeplan_circuit_cap_kw{circuit}")),
        Some(150.0),
        "{body}"
    );
    assert_eq!(
        sample(&body, &format!("chargeplan_circuit_headroom_kw{circuit}")),
        Some(150.0),
        "{body}"
    );
    assert!(
        body.contains("# TYPE chargeplan_solve_seconds histogram"),
        "{body}"
    );
    let solves = sample(&body, "chargeplan_solve_seconds_count").expect("solve count");
    assert!(solves >= 1.0, "{body}");
    assert!(
        sample(&body, r#"chargeplan_replans_total{outcome="ok"}"#).is_some_and(|n| n >= 1.0),
        "{body}"
    );
    assert_eq!(
        sample(
            &body,
            r#"chargeplan_setpoint_results_total{result="accepted",reason="none"}"#
        ),
        Some(0.0),
        "{body}"
    );
    assert_eq!(
        sample(&body, "chargeplan_sites_not_plannable"),
        Some(0.0),
        "{body}"
    );
    assert_eq!(body.matches("# EOF").count(), 1, "{body}");
    assert_eq!(body.lines().last(), Some("# EOF"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gauges_show_measured_power_and_every_vendors_polls() {
    let mut app = TestApp::new().await;
    let now = app.clock.now();
    let session = Session {
        id: SessionId::generate(),
        site_id: site_id(),
        vendor_account: vendor(),
        vendor_session_id: "v1".to_owned(),
        port_id: Some(PortId::parse("s1-p1").expect("id")),
        token_uid: None,
        started_at: now - Duration::minutes(30),
        ended_at: None,
        energy: KilowattHours::new(3.0).expect("kWh"),
        power: kw(6.5),
        status: SessionStatus::Active,
        vendor_updated_at: now,
    };
    app.store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session");
    let polled = PollStatus {
        last_success: Some(now - Duration::seconds(90)),
        consecutive_errors: 0,
        total_errors: 2,
        ..PollStatus::default()
    };
    let failing = PollStatus {
        consecutive_errors: 3,
        total_errors: 3,
        ..PollStatus::default()
    };
    let statuses = HashMap::from([
        (vendor(), Arc::new(Mutex::new(polled))),
        (
            VendorAccountId::parse("cpo-2").expect("id"),
            Arc::new(Mutex::new(failing)),
        ),
    ]);
    app.state.vendor_polls = Some(Arc::new(Mutex::new(statuses)));

    let (status, _, body) = scrape(&app).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sample(
            &body,
            r#"chargeplan_circuit_headroom_kw{site="s1",circuit="s1-main"}"#
        ),
        Some(143.5),
        "{body}"
    );
    assert_eq!(
        sample(
            &body,
            r#"chargeplan_vendor_poll_lag_seconds{vendor="cpo-1"}"#
        ),
        Some(90.0),
        "{body}"
    );
    assert!(
        !body.contains(r#"chargeplan_vendor_poll_lag_seconds{vendor="cpo-2"}"#),
        "a vendor never polled successfully has no lag: {body}"
    );
    assert_eq!(
        sample(
            &body,
            r#"chargeplan_vendor_poll_consecutive_errors{vendor="cpo-2"}"#
        ),
        Some(3.0),
        "{body}"
    );
    assert_eq!(
        sample(
            &body,
            r#"chargeplan_vendor_poll_errors_total{vendor="cpo-1"}"#
        ),
        Some(2.0),
        "{body}"
    );
    assert_eq!(body.matches("# EOF").count(), 1, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_waitlist_length_of_each_site_is_a_gauge() {
    use chargeplan_store::{EntryState, WaitlistEntry};
    let app = TestApp::new().await;
    let (_, _, before) = scrape(&app).await;
    assert_eq!(
        sample(&before, r#"chargeplan_waitlist_length{site="s1"}"#),
        Some(0.0),
        "{before}"
    );
    let now = app.state.clock.now();
    for (id, number) in [("e1", "+15550100101"), ("e2", "+15550100102")] {
        let entry = WaitlistEntry {
            id: id.to_owned(),
            site_id: site_id(),
            phone: chargeplan_core::PhoneNumber::parse(number).expect("phone"),
            joined_at: now,
            skips: 0,
            state: EntryState::Waiting,
            ended_at: None,
        };
        app.state
            .store
            .join_waitlist(&entry, &Effects::none(), now)
            .await
            .expect("join");
    }
    app.state
        .store
        .end_waitlist_entry("e1", EntryState::Left, &Effects::none(), now)
        .await
        .expect("leave");

    let (_, _, body) = scrape(&app).await;
    assert_eq!(
        sample(&body, r#"chargeplan_waitlist_length{site="s1"}"#),
        Some(1.0),
        "{body}"
    );
    assert!(
        body.contains("# TYPE chargeplan_waitlist_length gauge"),
        "{body}"
    );
}
