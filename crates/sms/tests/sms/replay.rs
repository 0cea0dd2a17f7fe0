//! Replayed Twilio webhooks: the same signed request posted again changes nothing, for
//! inbound texts and status callbacks; old receipts are deleted by the delivery worker.

use std::time::Duration;

use chargeplan_core::Clock;
use chargeplan_sms::{OutgoingSms, WEBHOOK_RETENTION};
use chargeplan_store::{SuppressionReason, WebhookKind};
use tokio_util::sync::CancellationToken;

use crate::harness::{DRIVER, HANDLER_REPLY, OUR_NUMBER, World, phone};

const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response/>";

async fn suppression(world: &World, number: &str) -> Option<SuppressionReason> {
    world
        .store
        .number_suppression(&phone(number))
        .await
        .expect("store answers")
}

#[tokio::test]
async fn a_replayed_stop_changes_nothing_and_gets_the_empty_response() {
    let world = World::start().await;
    let stop = world.twilio.inbound_params(DRIVER, OUR_NUMBER, "STOP");
    let first = world.twilio.send_signed(&world.inbound_url(), &stop).await;
    assert_eq!(first.status(), 200);
    world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "START")
        .await;
    assert_eq!(
        suppression(&world, DRIVER).await,
        None,
        "the driver opted in again"
    );

    let replayed = world.twilio.send_signed(&world.inbound_url(), &stop).await;

    assert_eq!(replayed.status(), 200);
    assert_eq!(replayed.text().await.unwrap(), EMPTY_TWIML);
    assert_eq!(
        suppression(&world, DRIVER).await,
        None,
        "the replayed STOP did not opt the driver out again"
    );
}

#[tokio::test]
async fn a_replayed_reply_reaches_the_handler_once() {
    let world = World::start().await;
    let reply = world
        .twilio
        .inbound_params(DRIVER, OUR_NUMBER, "leaving at 5");

    let first = world.twilio.send_signed(&world.inbound_url(), &reply).await;
    let second = world.twilio.send_signed(&world.inbound_url(), &reply).await;

    assert!(first.text().await.unwrap().contains(HANDLER_REPLY));
    assert_eq!(second.status(), 200);
    assert_eq!(second.text().await.unwrap(), EMPTY_TWIML);
    assert_eq!(world.handler.bodies(), ["leaving at 5"]);
}

#[tokio::test]
async fn the_same_words_in_two_messages_are_both_handled() {
    let world = World::start().await;

    for _ in 0..2 {
        world
            .twilio
            .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "leaving at 5")
            .await;
    }

    assert_eq!(world.handler.bodies(), ["leaving at 5", "leaving at 5"]);
}

#[tokio::test]
async fn a_replayed_failed_delivery_callback_does_not_suppress_the_number_again() {
    let world = World::start().await;
    let sid = world
        .gateway()
        .send(&OutgoingSms {
            to: phone(DRIVER),
            body: "Welcome".into(),
            idempotency_key: "welcome".into(),
        })
        .await
        .expect("accepted")
        .provider_id;
    let url = world.status_url();
    world
        .twilio
        .send_status_callback(&url, &sid, "undelivered", Some(21610))
        .await;
    world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "START")
        .await;

    let replayed = world
        .twilio
        .send_status_callback(&url, &sid, "undelivered", Some(21610))
        .await;

    assert_eq!(replayed.status(), 204);
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn a_signed_status_callback_without_a_message_sid_is_a_bad_request() {
    let world = World::start().await;
    let params: Vec<(String, String)> = [
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "21610"),
        ("To", DRIVER),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect();

    let response = world.twilio.send_signed(&world.status_url(), &params).await;

    assert_eq!(response.status(), 400);
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn the_delivery_worker_deletes_receipts_older_than_the_retention() {
    let world = World::start().await;
    let seen_at = world.clock.now();
    let store = &world.store;
    store
        .claim_webhook(WebhookKind::Inbound, "SMold", seen_at)
        .await
        .unwrap();
    let retention = chrono::Duration::from_std(WEBHOOK_RETENTION).unwrap();
    world
        .clock
        .set(seen_at + retention - chrono::Duration::hours(1));
    store
        .claim_webhook(WebhookKind::Inbound, "SMrecent", world.clock.now())
        .await
        .unwrap();
    world
        .clock
        .set(seen_at + retention + chrono::Duration::minutes(1));

    let cancel = CancellationToken::new();
    let worker = tokio::spawn(world.delivery().run(cancel.clone()));
    let mut forgotten = false;
    for _ in 0..100 {
        // A claim of a receipt still kept inserts nothing, so asking is harmless.
        if store
            .claim_webhook(WebhookKind::Inbound, "SMold", world.clock.now())
            .await
            .unwrap()
        {
            forgotten = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cancel.cancel();
    worker.await.expect("worker stops");

    assert!(forgotten, "the old receipt was deleted");
    let recent = store
        .claim_webhook(WebhookKind::Inbound, "SMrecent", world.clock.now())
        .await
        .unwrap();
    assert!(!recent, "a receipt within the retention is kept");
}
