//! The relay audit of the operator API (`relay-log`: roles, thread codes, outcomes and
//! bodies, never a phone number) and the relay figures of the JSON report and its CSV, on
//! log rows written through `RelayStore` as the relay writes them.

use axum::http::{Method, StatusCode};
use chargeplan_core::{Clock as _, MemberId, PhoneNumber, SiteId, ThreadCode};
use chargeplan_store::{Effects, RelayLogEntry, RelaySender, RelayThread};
use chrono::Duration;
use serde_json::{Value, json};

use crate::operators::{OPERATOR, add_operators};
use crate::support::{SITE, TestApp, site_id};

/// The owner's and the waiting driver's phones: neither may ever appear in an answer.
pub const OWNER_PHONE: &str = "+14155550177";
pub const WAITER_PHONE: &str = "+14155550188";

/// Digit runs of the two phones, as they could appear if a number leaked.
pub fn phone_digit_runs() -> Vec<&'static str> {
    vec![
        "4155550177",
        "5550177",
        "555 0177",
        "4155550188",
        "5550188",
        "555-0188",
    ]
}

fn phone(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).expect("phone")
}

fn line(
    thread: Option<&str>,
    sender: RelaySender,
    minutes: i64,
    outcome: &str,
    body: &str,
) -> RelayLogEntry {
    let from = match sender {
        RelaySender::Owner => OWNER_PHONE,
        _ => WAITER_PHONE,
    };
    RelayLogEntry {
        thread_id: thread.map(str::to_owned),
        site_id: Some(site_id()),
        at: crate::support::t0() + Duration::minutes(minutes),
        sender,
        sender_phone: phone(from),
        outcome: outcome.into(),
        body: Some(body.into()),
    }
}

/// A thread `[K7]` at `s1` opened at t0 + 1 min with an owner's reply that types both phone
/// numbers, and a refusal outside any thread, written as the relay writes them.
pub async fn relay_rows(app: &TestApp) {
    let opened = crate::support::t0() + Duration::minutes(1);
    let mut thread = RelayThread {
        id: "thread-1".into(),
        code: ThreadCode::parse("K7").expect("code"),
        member_id: MemberId::parse("K7QX2M").expect("member id"),
        site_id: Some(site_id()),
        owner: None,
        owner_phone: Some(phone(OWNER_PHONE)),
        waiter_phone: phone(WAITER_PHONE),
        session_id: None,
        void_reason: None,
        opened_at: opened,
        last_message_at: opened,
        closes_at: opened + Duration::hours(4),
        closed_at: None,
        owner_shared: false,
        waiter_shared: false,
    };
    app.store
        .open_relay_thread(
            &thread,
            &line(
                Some("thread-1"),
                RelaySender::Waiter,
                1,
                "opened",
                "K7QX2M are you done? text me 415 555 0188",
            ),
            &Effects::none(),
        )
        .await
        .expect("thread opened");
    thread.last_message_at = opened + Duration::minutes(5);
    app.store
        .record_relay(
            &line(
                Some("thread-1"),
                RelaySender::Owner,
                6,
                "relayed:return_time",
                "back in 20, or call +1 (415) 555-0177",
            ),
            Some(&thread),
            &Effects::none(),
        )
        .await
        .expect("reply logged");
    app.store
        .record_relay(
            &line(
                None,
                RelaySender::Stranger,
                7,
                "refused:rate_limited",
                "hello",
            ),
            None,
            &Effects::none(),
        )
        .await
        .expect("refusal logged");
    app.clock.advance(Duration::minutes(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_log_shows_roles_codes_and_outcomes_but_never_a_phone_number() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    relay_rows(&app).await;

    let reply = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/{SITE}/relay-log"),
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for digits in phone_digit_runs() {
        assert!(!reply.body.contains(digits), "{digits} in {}", reply.body);
    }
    let log = reply.json();
    let entries = log["entries"].as_array().expect("entries");
    let seen: Vec<(&str, Value, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["sender"].as_str().expect("sender"),
                e["thread_code"].clone(),
                e["outcome"].as_str().expect("outcome"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("stranger", Value::Null, "refused:rate_limited"),
            ("owner", json!("K7"), "relayed:return_time"),
            ("waiter", json!("K7"), "opened"),
        ],
        "newest first"
    );
    assert_eq!(entries[1]["body"], "back in 20, or call [removed]");
    assert_eq!(entries[1]["at_local"], "2026-06-15T09:06:00-07:00");
    assert_eq!(log["truncated"], false);

    let limited = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/{SITE}/relay-log?limit=1"),
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(limited["entries"].as_array().expect("entries").len(), 1);
    assert_eq!(limited["truncated"], true);

    let purged = app
        .store
        .purge_relay_bodies(&SiteId::parse(SITE).expect("id"), app.clock.now())
        .await
        .expect("purged");
    assert_eq!(purged, 3);
    let after = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/{SITE}/relay-log"),
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert!(
        after["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["body"].is_null())
    );

    for (query, field) in [
        ("limit=0", "limit"),
        ("from=yesterday", "from"),
        ("since=x", "since"),
    ] {
        let bad = app
            .api(
                Method::GET,
                &format!("/api/v1/sites/{SITE}/relay-log?{query}"),
                Some(OPERATOR),
                None,
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            bad.body
        );
        assert_eq!(bad.json()["error"]["field"], field, "{}", bad.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_json_and_its_summary_csv_carry_the_relay_figures() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    relay_rows(&app).await;
    let query = "period=day&date=2026-06-15";

    let report = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/{SITE}/reports?{query}"),
            Some(OPERATOR),
            None,
        )
        .await;
    let csv = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/{SITE}/reports.csv?{query}&table=summary"),
            Some(OPERATOR),
            None,
        )
        .await;

    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(
        report.json()["relay"],
        json!({
            "threads_opened": 1,
            "threads_answered": 1,
            "replies_relayed": 1,
            "median_first_reply_min": 5.0,
        })
    );
    assert!(
        csv.body.contains("relay_threads_opened,1\r\n"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("relay_median_first_reply_min,5\r\n"),
        "{}",
        csv.body
    );
}
