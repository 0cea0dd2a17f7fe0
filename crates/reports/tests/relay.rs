//! The relay figures of `load` against a real SQLite store, with threads and log lines
//! written the way the relay writes them (`open_relay_thread`, `record_relay`).

use std::sync::Arc;

use chargeplan_core::{MemberId, PhoneNumber, Site, SiteId, ThreadCode};
use chargeplan_reports::{Period, RelaySummary, load, summary_csv};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, RelayLogEntry, RelaySender, RelayThread, StoreTarget};
use chrono::{DateTime, Duration, NaiveDate, Utc};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

fn site_id() -> SiteId {
    SiteId::parse("lot-a").expect("site id")
}

fn owner() -> PhoneNumber {
    PhoneNumber::parse("+15005550101").expect("phone")
}

fn waiter() -> PhoneNumber {
    PhoneNumber::parse("+15005550202").expect("phone")
}

fn line(thread: &str, sender: RelaySender, at: DateTime<Utc>, outcome: &str) -> RelayLogEntry {
    RelayLogEntry {
        thread_id: Some(thread.into()),
        site_id: Some(site_id()),
        at,
        sender,
        sender_phone: match sender {
            RelaySender::Owner => owner(),
            _ => waiter(),
        },
        outcome: outcome.into(),
        body: Some("back in 20".into()),
    }
}

/// Opens a thread at `opened`; the owner then replies at each of `replies` (minutes after
/// the opening), each reply extending the thread by four hours.
async fn conversation(store: &dyn Store, id: &str, code: &str, opened: &str, replies: &[i64]) {
    let at = t(opened);
    let mut thread = RelayThread {
        id: id.into(),
        code: ThreadCode::parse(code).expect("code"),
        member_id: MemberId::parse("K7QX2M").expect("member id"),
        site_id: Some(site_id()),
        owner: None,
        owner_phone: Some(owner()),
        waiter_phone: waiter(),
        session_id: None,
        void_reason: None,
        opened_at: at,
        last_message_at: at,
        closes_at: at + Duration::hours(4),
        closed_at: None,
        owner_shared: false,
        waiter_shared: false,
    };
    store
        .open_relay_thread(
            &thread,
            &line(id, RelaySender::Waiter, at, "opened"),
            &Effects::none(),
        )
        .await
        .expect("thread opened");
    for (i, minutes) in replies.iter().enumerate() {
        let reply_at = at + Duration::minutes(*minutes);
        thread.last_message_at = reply_at;
        thread.closes_at = reply_at + Duration::hours(4);
        let outcome = if i == 0 {
            "relayed:return_time"
        } else {
            "relayed"
        };
        store
            .record_relay(
                &line(id, RelaySender::Owner, reply_at, outcome),
                Some(&thread),
                &Effects::none(),
            )
            .await
            .expect("reply logged");
    }
}

/// A text to an unknown member ID: a void thread with its refusal.
async fn refused(store: &dyn Store, id: &str, at: &str) {
    let at = t(at);
    let thread = RelayThread {
        id: id.into(),
        code: ThreadCode::parse("W9").expect("code"),
        member_id: MemberId::parse("ZZZZ9X").expect("member id"),
        site_id: Some(site_id()),
        owner: None,
        owner_phone: None,
        waiter_phone: waiter(),
        session_id: None,
        void_reason: Some("unknown_member".into()),
        opened_at: at,
        last_message_at: at,
        closes_at: at + Duration::hours(4),
        closed_at: None,
        owner_shared: false,
        waiter_shared: false,
    };
    store
        .open_relay_thread(
            &thread,
            &line(id, RelaySender::Waiter, at, "refused:unknown_member"),
            &Effects::none(),
        )
        .await
        .expect("void thread stored");
}

async fn store_with_threads(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("open SQLite");
    store.migrate().await.expect("migrated");
    let site = Site::new(site_id(), "Lot A", "America/Los_Angeles", 5).expect("site");
    store
        .upsert_site(&site, t("2026-06-01T00:00:00Z"))
        .await
        .expect("site stored");
    // Sunday 14 June, 10:00 local: answered after 2 minutes; not in Monday's report.
    conversation(&*store, "sun", "K7", "2026-06-14T17:00:00Z", &[2]).await;
    // Monday 15 June, 09:00 local: answered after 6 minutes, then once more.
    conversation(&*store, "mon-am", "M3", "2026-06-15T16:00:00Z", &[6, 30]).await;
    // Monday 23:30 local: answered after midnight, 40 minutes later; counts on Monday.
    conversation(&*store, "mon-pm", "P4", "2026-06-16T06:30:00Z", &[40]).await;
    // Monday noon: never answered.
    conversation(&*store, "mon-quiet", "R8", "2026-06-15T19:00:00Z", &[]).await;
    refused(&*store, "void", "2026-06-15T18:00:00Z").await;
    store
}

#[tokio::test]
async fn a_days_report_counts_its_real_threads_with_replies_after_midnight() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = store_with_threads(&dir).await;
    let monday = Period::day(NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"));

    let report = load(&*store, &site_id(), monday).await.expect("report");

    assert_eq!(
        report.relay,
        RelaySummary {
            threads_opened: 3,
            threads_answered: 2,
            replies_relayed: 3,
            median_first_reply_min: Some(23.0),
        }
    );
    let csv = summary_csv(&report);
    assert!(csv.contains("relay_threads_opened,3\r\n"), "{csv}");
    assert!(csv.contains("relay_replies_relayed,3\r\n"), "{csv}");
    assert!(csv.contains("relay_median_first_reply_min,23\r\n"), "{csv}");
}

#[tokio::test]
async fn a_weeks_report_holds_every_thread_of_its_days() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = store_with_threads(&dir).await;
    let week = Period::week_containing(NaiveDate::from_ymd_opt(2026, 6, 17).expect("date"));
    let previous = Period::week_containing(NaiveDate::from_ymd_opt(2026, 6, 14).expect("date"));

    let report = load(&*store, &site_id(), week).await.expect("report");
    let before = load(&*store, &site_id(), previous).await.expect("report");

    assert_eq!(report.relay.threads_opened, 3, "Sunday's is last week's");
    assert_eq!(report.relay.median_first_reply_min, Some(23.0));
    assert_eq!(before.relay.threads_opened, 1);
    assert_eq!(before.relay.median_first_reply_min, Some(2.0));
}

#[tokio::test]
async fn a_day_without_threads_has_zero_counts_and_no_median() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = store_with_threads(&dir).await;
    let tuesday = Period::day(NaiveDate::from_ymd_opt(2026, 6, 16).expect("date"));

    let report = load(&*store, &site_id(), tuesday).await.expect("report");

    assert_eq!(report.relay.threads_opened, 0);
    assert_eq!(report.relay.median_first_reply_min, None);
    assert!(summary_csv(&report).contains("relay_median_first_reply_min,\r\n"));
}
