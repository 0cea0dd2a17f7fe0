//! The SMS outbox and the event log.

use std::collections::HashSet;

use chargeplan_store::prelude::*;
use chargeplan_store::{EventKind, NewEvent, NewOutboxMessage, OutboxState};
use chrono::Duration;

use crate::fixtures::*;

fn message(key: &str, not_before: i64) -> NewOutboxMessage {
    NewOutboxMessage {
        site_id: Some(site_id("s1")),
        recipient: phone("+14155550101"),
        body: format!("message {key}"),
        idempotency_key: key.into(),
        not_before: minutes(not_before),
    }
}

pub async fn a_message_is_enqueued_once_per_idempotency_key(store: &dyn Store) {
    seeded_site(store, "s1").await;

    store
        .enqueue_messages(&[message("k1", 0), message("k2", 0)], t0())
        .await
        .expect("queued");
    store
        .enqueue_messages(&[message("k1", 0)], minutes(1))
        .await
        .expect("again is a no-op");

    assert_eq!(store.outbox_depth().await.expect("depth"), 2);
}

pub async fn claimed_messages_are_not_claimed_again_until_their_lease_expires(store: &dyn Store) {
    seeded_site(store, "s1").await;
    store
        .enqueue_messages(&[message("k1", 0), message("k2", 10)], t0())
        .await
        .expect("queued");

    let first = store
        .claim_due_messages(minutes(1), Duration::seconds(60), 10)
        .await
        .expect("claimed");
    let during_lease = store
        .claim_due_messages(minutes(1), Duration::seconds(60), 10)
        .await
        .expect("claimed");
    let after_lease = store
        .claim_due_messages(minutes(3), Duration::seconds(60), 10)
        .await
        .expect("claimed");

    assert_eq!(
        first
            .iter()
            .map(|m| m.idempotency_key.as_str())
            .collect::<Vec<_>>(),
        ["k1"]
    );
    assert_eq!(first[0].state, OutboxState::Sending);
    assert_eq!(first[0].attempts, 1);
    assert_eq!(first[0].recipient, phone("+14155550101"));
    assert!(during_lease.is_empty());
    assert_eq!(
        after_lease.len(),
        1,
        "a worker that died mid-send leaves the message to be claimed again"
    );
    assert_eq!(after_lease[0].attempts, 2);
    let later = store
        .claim_due_messages(minutes(11), Duration::seconds(60), 10)
        .await
        .expect("claimed");
    assert_eq!(
        later
            .iter()
            .map(|m| m.idempotency_key.as_str())
            .collect::<Vec<_>>(),
        ["k1", "k2"]
    );
}

pub async fn sent_and_failed_messages_leave_the_queue_and_retries_wait(store: &dyn Store) {
    seeded_site(store, "s1").await;
    store
        .enqueue_messages(
            &[message("k1", 0), message("k2", 0), message("k3", 0)],
            t0(),
        )
        .await
        .expect("queued");
    let claimed = store
        .claim_due_messages(minutes(1), Duration::seconds(60), 10)
        .await
        .expect("claimed");
    let [k1, k2, k3] = [claimed[0].id, claimed[1].id, claimed[2].id];

    store
        .mark_message_sent(k1, "SM123", minutes(1))
        .await
        .expect("sent");
    store
        .mark_message_failed(k2, "21610: recipient opted out", None, minutes(1))
        .await
        .expect("given up");
    store
        .mark_message_failed(k3, "20429: rate limited", Some(minutes(5)), minutes(1))
        .await
        .expect("retry later");

    let sent = store.get_message(k1).await.expect("found");
    assert_eq!(
        (sent.state, sent.provider_id.as_deref(), sent.finished_at),
        (OutboxState::Sent, Some("SM123"), Some(minutes(1)))
    );
    let failed = store.get_message(k2).await.expect("found");
    assert_eq!(
        (failed.state, failed.last_error.as_deref()),
        (OutboxState::Failed, Some("21610: recipient opted out"))
    );
    assert_eq!(store.outbox_depth().await.expect("depth"), 1);
    assert!(
        store
            .claim_due_messages(minutes(4), Duration::seconds(60), 10)
            .await
            .expect("claimed")
            .is_empty()
    );
    let retried = store
        .claim_due_messages(minutes(5), Duration::seconds(60), 10)
        .await
        .expect("claimed");
    assert_eq!(retried.iter().map(|m| m.id).collect::<Vec<_>>(), [k3]);
    assert!(
        store
            .mark_message_sent(9_999, "SMx", minutes(6))
            .await
            .is_err()
    );
}

pub async fn concurrent_workers_never_claim_the_same_message(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let messages: Vec<_> = (0..40).map(|i| message(&format!("k{i}"), 0)).collect();
    store
        .enqueue_messages(&messages, t0())
        .await
        .expect("queued");

    let claims = futures_claims(store).await;

    let mut seen = HashSet::new();
    for id in claims.iter().flatten() {
        assert!(seen.insert(*id), "message {id} claimed twice");
    }
    assert_eq!(seen.len(), 40);
}

/// Four workers claiming five at a time until the queue is empty.
async fn futures_claims(store: &dyn Store) -> Vec<Vec<i64>> {
    let worker = || async {
        let mut mine = Vec::new();
        loop {
            let batch = store
                .claim_due_messages(minutes(1), Duration::seconds(600), 5)
                .await
                .expect("claimed");
            if batch.is_empty() {
                return mine;
            }
            mine.extend(batch.into_iter().map(|m| m.id));
        }
    };
    let (a, b, c, d) = tokio::join!(worker(), worker(), worker(), worker());
    vec![a, b, c, d]
}

pub async fn events_are_read_in_order_after_a_position(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let start = store
        .events_after(&site.id, 0, 1000)
        .await
        .expect("events")
        .last()
        .map_or(0, |event| event.id);
    let mut ids = Vec::new();
    for i in 0..5 {
        let event = NewEvent {
            site_id: site.id.clone(),
            at: minutes(i),
            kind: EventKind::PlanStored,
            payload: serde_json::json!({ "n": i }),
        };
        ids.push(store.append_event(&event).await.expect("appended"));
    }

    let page = store.events_after(&site.id, start, 3).await.expect("page");
    let rest = store
        .events_after(&site.id, page[2].id, 10)
        .await
        .expect("rest");

    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), ids[..3]);
    assert_eq!(
        rest.iter()
            .map(|e| e.payload["n"].as_i64())
            .collect::<Vec<_>>(),
        [Some(3), Some(4)]
    );
    assert!(
        store
            .events_after(&site_id("other"), 0, 10)
            .await
            .expect("none")
            .is_empty()
    );
}
