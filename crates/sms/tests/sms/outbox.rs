//! Outbox delivery through the Twilio adapter: suppression, retries, leases.

use std::time::Duration;

use chargeplan_core::Clock;
use chargeplan_sms::DeliveryReport;
use chargeplan_store::{OutboxState, SuppressionReason};
use tokio_util::sync::CancellationToken;

use crate::harness::{DRIVER, OTHER_DRIVER, OUR_NUMBER, World, phone};

fn report(sent: u32, retried: u32, failed: u32) -> DeliveryReport {
    DeliveryReport {
        sent,
        retried,
        failed,
    }
}

#[tokio::test]
async fn after_stop_nothing_is_sent_to_that_number_until_start() {
    let world = World::start().await;
    let delivery = world.delivery();
    world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "STOP")
        .await;
    let blocked = world.enqueue(DRIVER, "Your car is charged", "n-1").await;
    world.enqueue(OTHER_DRIVER, "Welcome", "n-2").await;

    let first = delivery.deliver_due().await.expect("delivery");

    assert_eq!(first, report(1, 0, 1));
    let sent = world.twilio.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, OTHER_DRIVER);
    let message = world.store.get_message(blocked).await.unwrap();
    assert_eq!(message.state, OutboxState::Failed);
    assert_eq!(message.last_error.as_deref(), Some("suppressed: opted out"));

    world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "START")
        .await;
    world.enqueue(DRIVER, "Welcome back", "n-3").await;
    let second = delivery.deliver_due().await.expect("delivery");

    assert_eq!(second, report(1, 0, 0));
    let sent = world.twilio.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[1].to.as_str(), sent[1].body.as_str()),
        (DRIVER, "Welcome back")
    );
}

#[tokio::test]
async fn a_transient_failure_is_retried_after_the_backoff_and_sent_exactly_once() {
    let world = World::start().await;
    let delivery = world.delivery();
    world.twilio.fail_number_times(DRIVER, 503, 20503, 1);
    let id = world
        .enqueue(DRIVER, "Charging paused until 06:00", "t-1")
        .await;

    let first = delivery.deliver_due().await.expect("delivery");
    let too_early = delivery.deliver_due().await.expect("delivery");
    world.clock.advance(chrono::Duration::seconds(10));
    let retry = delivery.deliver_due().await.expect("delivery");
    let after = delivery.deliver_due().await.expect("delivery");

    assert_eq!(first, report(0, 1, 0));
    assert_eq!(too_early, report(0, 0, 0));
    assert_eq!(retry, report(1, 0, 0));
    assert_eq!(after, report(0, 0, 0));
    assert_eq!(world.twilio.requests(), 2);
    let sent = world.twilio.sent();
    assert_eq!(sent.len(), 1);
    let message = world.store.get_message(id).await.unwrap();
    assert_eq!(message.state, OutboxState::Sent);
    assert_eq!(message.attempts, 2);
    assert_eq!(message.provider_id.as_deref(), Some(sent[0].sid.as_str()));
}

#[tokio::test]
async fn a_rate_limit_waits_for_the_backoff_or_retry_after_whichever_is_longer() {
    let world = World::start().await;
    let delivery = world.delivery();
    world.twilio.fail_number_times(DRIVER, 429, 20429, 1);
    let id = world.enqueue(DRIVER, "hi", "r-1").await;
    let now = world.clock.now();

    assert_eq!(delivery.deliver_due().await.unwrap(), report(0, 1, 0));

    let message = world.store.get_message(id).await.unwrap();
    assert_eq!(message.state, OutboxState::Pending);
    // Retry-After is 1 s, the first backoff 10 s.
    assert_eq!(message.not_before, now + chrono::Duration::seconds(10));
}

#[tokio::test]
async fn a_message_keeps_failing_until_its_attempts_run_out() {
    let world = World::start().await;
    let delivery = world.delivery();
    world.twilio.fail_number(DRIVER, 500, 20500);
    let id = world.enqueue(DRIVER, "hi", "f-1").await;

    let mut reports = Vec::new();
    for wait in [0, 10, 20, 40] {
        world.clock.advance(chrono::Duration::seconds(wait));
        reports.push(delivery.deliver_due().await.unwrap());
    }

    assert_eq!(
        reports,
        [
            report(0, 1, 0),
            report(0, 1, 0),
            report(0, 0, 1),
            report(0, 0, 0)
        ]
    );
    assert_eq!(world.twilio.requests(), 3);
    let message = world.store.get_message(id).await.unwrap();
    assert_eq!(message.state, OutboxState::Failed);
    assert!(message.last_error.unwrap().contains("500"));
}

#[tokio::test]
async fn a_message_claimed_by_a_worker_that_died_is_delivered_once_after_its_lease() {
    let world = World::start().await;
    let delivery = world.delivery();
    let id = world.enqueue(DRIVER, "Welcome", "d-1").await;
    let dead_claim = world
        .store
        .claim_due_messages(world.clock.now(), chrono::Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(dead_claim.len(), 1);

    let during_lease = delivery.deliver_due().await.unwrap();
    world.clock.advance(chrono::Duration::seconds(59));
    let just_before = delivery.deliver_due().await.unwrap();
    world.clock.advance(chrono::Duration::seconds(1));
    let after_lease = delivery.deliver_due().await.unwrap();
    world.clock.advance(chrono::Duration::seconds(120));
    let later = delivery.deliver_due().await.unwrap();

    assert_eq!(during_lease, report(0, 0, 0));
    assert_eq!(just_before, report(0, 0, 0));
    assert_eq!(after_lease, report(1, 0, 0));
    assert_eq!(later, report(0, 0, 0));
    assert_eq!(world.twilio.sent().len(), 1);
    assert_eq!(
        world.store.get_message(id).await.unwrap().state,
        OutboxState::Sent
    );
}

#[tokio::test]
async fn twilio_saying_opted_out_suppresses_the_number_for_the_rest_of_the_outbox() {
    let world = World::start().await;
    let delivery = world.delivery();
    world.twilio.fail_number(DRIVER, 400, 21610);
    world.twilio.fail_number(OTHER_DRIVER, 400, 21211);
    let first = world.enqueue(DRIVER, "one", "o-1").await;
    let second = world.enqueue(DRIVER, "two", "o-2").await;
    world.enqueue(OTHER_DRIVER, "three", "o-3").await;
    world.enqueue("+15005550008", "four", "o-4").await;

    let outcome = delivery.deliver_due().await.unwrap();

    assert_eq!(outcome, report(1, 0, 3));
    // The second text to DRIVER never reached Twilio.
    assert_eq!(world.twilio.requests(), 3);
    let store = &world.store;
    assert_eq!(
        store.number_suppression(&phone(DRIVER)).await.unwrap(),
        Some(SuppressionReason::OptedOut)
    );
    assert_eq!(
        store
            .number_suppression(&phone(OTHER_DRIVER))
            .await
            .unwrap(),
        Some(SuppressionReason::InvalidNumber)
    );
    let first = world.store.get_message(first).await.unwrap();
    assert_eq!(first.state, OutboxState::Failed);
    assert_eq!(
        first.last_error.as_deref(),
        Some("the recipient has opted out")
    );
    let second = world.store.get_message(second).await.unwrap();
    assert_eq!(second.last_error.as_deref(), Some("suppressed: opted out"));
}

#[tokio::test]
async fn the_running_worker_sends_when_woken_and_stops_when_cancelled() {
    let world = World::start().await;
    let mut delivery = world.delivery();
    delivery.config.poll_interval = Duration::from_secs(3600);
    let wake = delivery.wake.clone();
    let cancel = CancellationToken::new();
    let worker = tokio::spawn(delivery.run(cancel.clone()));

    world.enqueue(DRIVER, "Welcome", "w-1").await;
    wake.notify_one();
    let sent = world
        .twilio
        .wait_for_messages(1, Duration::from_secs(5))
        .await;
    cancel.cancel();

    assert_eq!(sent[0].body, "Welcome");
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .expect("worker stops")
        .expect("worker did not panic");
    assert_eq!(world.twilio.sent().len(), 1);
}
