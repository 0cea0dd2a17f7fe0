//! Member IDs (unique across all sites, found from any site) and plates.

use chargeplan_core::{MemberId, Plate};
use chargeplan_store::prelude::*;
use chargeplan_store::{StoreError, register_participant};

use crate::fixtures::*;

fn member_id(text: &str) -> MemberId {
    MemberId::parse(text).expect("valid member ID")
}

pub async fn a_participant_is_found_by_member_id_from_any_site_with_its_plate(store: &dyn Store) {
    seeded_site(store, "s1").await;
    seeded_site(store, "s2").await;
    let plate = Plate::parse("7abc123", Some("California")).expect("plate");
    let mut alice = participant("s1", "alice", "+14155550101", &["RFID-A"]).with_plate(Some(plate));
    alice.member_id = member_id("K7QX2M");
    let bob = participant("s2", "bob", "+14155550102", &["RFID-B"]);
    store.insert_participant(&alice).await.expect("stored");
    store.insert_participant(&bob).await.expect("stored");

    let found = store
        .find_participant_by_member_id(&member_id("k7qx2m"))
        .await
        .expect("lookup");
    assert_eq!(found.as_ref(), Some(&alice));
    let found = found.expect("found");
    let plate = found.plate.as_ref().expect("plate kept");
    assert_eq!(
        (plate.number(), plate.region()),
        ("7ABC123", Some("California"))
    );
    assert_eq!(
        store
            .find_participant_by_member_id(&bob.member_id)
            .await
            .expect("lookup"),
        Some(bob)
    );
    assert_eq!(
        store
            .find_participant_by_member_id(&member_id("ZZ99ZZ"))
            .await
            .expect("lookup"),
        None
    );

    let without_plate = alice.clone().with_plate(None);
    store
        .update_participant(&without_plate)
        .await
        .expect("updated");
    assert_eq!(
        store.get_participant(&alice.id).await.expect("found"),
        without_plate
    );
}

pub async fn a_member_id_taken_at_another_site_is_a_conflict_and_changes_nothing(
    store: &dyn Store,
) {
    seeded_site(store, "s1").await;
    let s2 = seeded_site(store, "s2").await;
    let alice = participant("s1", "alice", "+14155550101", &["RFID-A"]);
    store.insert_participant(&alice).await.expect("stored");

    let mut carol = participant("s2", "carol", "+14155550103", &["RFID-C"]);
    carol.member_id = alice.member_id.clone();
    let error = store
        .insert_participant(&carol)
        .await
        .expect_err("Alice has this ID");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert!(error.is_member_id_taken(), "{error}");
    assert!(
        store
            .list_participants(&s2.id)
            .await
            .expect("listed")
            .is_empty()
    );
    assert_eq!(
        store
            .find_participant_by_token(&s2.id, &token("RFID-C"))
            .await
            .expect("lookup"),
        None
    );

    let mut bob = participant("s1", "bob", "+14155550102", &["RFID-B"]);
    store.insert_participant(&bob).await.expect("stored");
    bob.member_id = alice.member_id.clone();
    let error = store
        .update_participant(&bob)
        .await
        .expect_err("taken on update too");
    assert!(error.is_member_id_taken(), "{error}");
}

pub async fn registering_draws_another_member_id_when_the_first_is_taken(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let alice = participant("s1", "alice", "+14155550101", &["RFID-A"]);
    store.insert_participant(&alice).await.expect("stored");
    let mut bob = participant("s1", "bob", "+14155550102", &["RFID-B"]);
    bob.member_id = alice.member_id.clone();

    let stored = register_participant(store, bob).await.expect("registered");

    assert_ne!(stored.member_id, alice.member_id);
    assert_eq!(
        store
            .find_participant_by_member_id(&stored.member_id)
            .await
            .expect("lookup"),
        Some(stored.clone())
    );
    assert_eq!(
        store.list_participants(&site.id).await.expect("listed"),
        vec![alice, stored]
    );
}

pub async fn a_phone_already_registered_is_not_taken_for_a_member_id_collision(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let alice = participant("s1", "alice", "+14155550101", &["RFID-A"]);
    store.insert_participant(&alice).await.expect("stored");
    let twin = participant("s1", "twin", "+14155550101", &["RFID-T"]);

    let error = register_participant(store, twin)
        .await
        .expect_err("same phone");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert!(!error.is_member_id_taken(), "{error}");
    assert_eq!(
        store.list_participants(&site.id).await.expect("listed"),
        vec![alice]
    );
}
