//! Registered drivers and their tokens.

use chargeplan_core::{ParticipantId, WhPerMile};
use chargeplan_store::StoreError;
use chargeplan_store::prelude::*;

use crate::fixtures::*;

pub async fn participants_are_created_found_by_token_updated_and_deleted(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let alice = participant("s1", "alice", "+14155550101", &["RFID-A", "APP-A"]);
    store.insert_participant(&alice).await.expect("stored");

    assert_eq!(
        store.get_participant(&alice.id).await.expect("found"),
        alice
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("rfid-a"))
            .await
            .expect("lookup"),
        Some(alice.clone())
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-Z"))
            .await
            .expect("lookup"),
        None
    );

    assert_eq!(
        store
            .find_participants_by_phone(&phone("+14155550101"))
            .await
            .expect("lookup"),
        vec![alice.clone()]
    );
    assert_eq!(
        store
            .find_participants_by_phone(&phone("+14155550177"))
            .await
            .expect("lookup"),
        vec![]
    );

    let mut changed = alice.clone();
    changed.phone = phone("+14155550199");
    changed.token_uids = vec![token("RFID-B")];
    changed.wh_per_mile = WhPerMile::new(350.0).expect("valid");
    store.update_participant(&changed).await.expect("updated");

    assert_eq!(
        store.list_participants(&site.id).await.expect("listed"),
        vec![changed.clone()]
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-A"))
            .await
            .expect("lookup"),
        None
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-B"))
            .await
            .expect("lookup"),
        Some(changed)
    );

    store.delete_participant(&alice.id).await.expect("deleted");
    assert!(
        store
            .list_participants(&site.id)
            .await
            .expect("listed")
            .is_empty()
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-B"))
            .await
            .expect("lookup"),
        None
    );
    let missing = store
        .delete_participant(&ParticipantId::parse("nobody").expect("id"))
        .await
        .expect_err("unknown");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
}

pub async fn a_second_participant_with_the_same_phone_is_a_conflict_and_changes_nothing(
    store: &dyn Store,
) {
    let site = seeded_site(store, "s1").await;
    let alice = participant("s1", "alice", "+14155550101", &["RFID-A"]);
    store.insert_participant(&alice).await.expect("stored");

    let twin = participant("s1", "twin", "+14155550101", &["RFID-T"]);
    let error = store
        .insert_participant(&twin)
        .await
        .expect_err("same phone");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert!(
        !format!("{error}").contains("5550101"),
        "the message must not echo the phone number"
    );
    assert_eq!(
        store.list_participants(&site.id).await.expect("listed"),
        vec![alice]
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-T"))
            .await
            .expect("lookup"),
        None
    );
}

pub async fn a_token_already_held_by_someone_else_is_a_conflict_and_changes_nothing(
    store: &dyn Store,
) {
    let site = seeded_site(store, "s1").await;
    let alice = participant("s1", "alice", "+14155550101", &["RFID-A"]);
    store.insert_participant(&alice).await.expect("stored");

    let bob = participant("s1", "bob", "+14155550102", &["RFID-B", "RFID-A"]);
    let error = store
        .insert_participant(&bob)
        .await
        .expect_err("RFID-A is Alice's");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert_eq!(
        store.list_participants(&site.id).await.expect("listed"),
        vec![alice.clone()]
    );
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-B"))
            .await
            .expect("lookup"),
        None
    );

    // The same card may belong to someone at another site.
    seeded_site(store, "s2").await;
    let carol = participant("s2", "carol", "+14155550103", &["RFID-A"]);
    store.insert_participant(&carol).await.expect("other site");
    assert_eq!(
        store
            .find_participant_by_token(&site.id, &token("RFID-A"))
            .await
            .expect("lookup"),
        Some(alice)
    );
}
