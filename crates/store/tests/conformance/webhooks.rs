//! Webhook receipts: a webhook is claimed once, a failed one can be released, old ones are
//! pruned, and racing claims have one winner.

use chargeplan_store::WebhookKind;
use chargeplan_store::prelude::*;

use crate::fixtures::*;

const SID: &str = "SM00000000000000000000000000000001";

pub async fn a_webhook_is_claimed_once_per_kind_and_key(store: &dyn Store) {
    let first = store
        .claim_webhook(WebhookKind::Inbound, SID, minutes(0))
        .await;
    let again = store
        .claim_webhook(WebhookKind::Inbound, SID, minutes(5))
        .await;
    let as_status = store
        .claim_webhook(WebhookKind::Status, &format!("{SID}:delivered"), minutes(5))
        .await;
    let other_status = store
        .claim_webhook(WebhookKind::Status, &format!("{SID}:sent"), minutes(5))
        .await;
    let same_status = store
        .claim_webhook(WebhookKind::Status, &format!("{SID}:delivered"), minutes(6))
        .await;

    assert!(first.expect("claimed"));
    assert!(
        !again.expect("answered"),
        "a duplicate is not claimed again"
    );
    assert!(as_status.expect("claimed"));
    assert!(other_status.expect("claimed"));
    assert!(!same_status.expect("answered"));
}

pub async fn a_released_webhook_can_be_claimed_again(store: &dyn Store) {
    store
        .claim_webhook(WebhookKind::Inbound, SID, minutes(0))
        .await
        .expect("claimed");

    let released = store.release_webhook(WebhookKind::Inbound, SID).await;
    let released_again = store.release_webhook(WebhookKind::Inbound, SID).await;
    let reclaimed = store
        .claim_webhook(WebhookKind::Inbound, SID, minutes(1))
        .await;

    assert!(released.expect("released"));
    assert!(
        !released_again.expect("answered"),
        "nothing left to release"
    );
    assert!(reclaimed.expect("claimed after the release"));
}

pub async fn receipts_first_seen_before_the_cutoff_are_pruned_and_the_rest_kept(store: &dyn Store) {
    for (key, at) in [("SMold", 0), ("SMedge", 10), ("SMnew", 20)] {
        assert!(
            store
                .claim_webhook(WebhookKind::Inbound, key, minutes(at))
                .await
                .expect("claimed")
        );
    }

    let pruned = store.prune_webhooks(minutes(10)).await;

    assert_eq!(pruned.expect("pruned"), 1);
    let claim = |key: &'static str| store.claim_webhook(WebhookKind::Inbound, key, minutes(30));
    assert!(
        claim("SMold").await.expect("answered"),
        "pruned, so new again"
    );
    assert!(
        !claim("SMedge").await.expect("answered"),
        "seen at the cutoff is kept"
    );
    assert!(!claim("SMnew").await.expect("answered"));
}

pub async fn of_many_instances_claiming_the_same_webhook_exactly_one_wins(store: &dyn Store) {
    let claim = || store.claim_webhook(WebhookKind::Inbound, SID, minutes(0));
    let (a, b, c, d) = tokio::join!(claim(), claim(), claim(), claim());

    let winners = [a, b, c, d]
        .into_iter()
        .filter(|result| *result.as_ref().expect("no error"))
        .count();
    assert_eq!(winners, 1);
}
