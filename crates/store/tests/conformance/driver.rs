//! The driver flow's records: links, phone verifications, notices, suppressions, cursors.

use chargeplan_core::{ParticipantId, SessionStatus};
use chargeplan_store::prelude::*;
use chargeplan_store::{
    DriverLink, DriverNotice, Effects, NewOutboxMessage, PhoneVerification, SuppressionReason,
};

use crate::fixtures::*;

fn welcome(key: &str) -> Effects {
    Effects {
        events: Vec::new(),
        messages: vec![NewOutboxMessage {
            site_id: Some(site_id("s1")),
            recipient: phone("+14155550101"),
            body: "Welcome".into(),
            idempotency_key: key.into(),
            not_before: t0(),
        }],
    }
}

pub async fn a_session_gets_one_link_and_its_welcome_is_written_with_it(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, session) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 0.0, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session stored");
    let link = |hash: &str| DriverLink {
        token_hash: hash.into(),
        session_id: session.id.clone(),
        participant_id: ParticipantId::parse("p1").expect("id"),
        site_id: site_id("s1"),
        created_at: t0(),
    };

    let first = store
        .create_driver_link(&link("hash-1"), &welcome("welcome:1"), t0())
        .await
        .expect("first link");
    let second = store
        .create_driver_link(&link("hash-2"), &welcome("welcome:2"), minutes(1))
        .await
        .expect("second is refused quietly");

    assert!(first);
    assert!(!second);
    assert_eq!(
        store.outbox_depth().await.expect("depth"),
        1,
        "one welcome only"
    );
    let found = store.find_driver_link("hash-1").await.expect("lookup");
    assert_eq!(found, Some(link("hash-1")));
    assert_eq!(
        store.find_driver_link("hash-2").await.expect("lookup"),
        None
    );
    assert_eq!(
        store
            .driver_link_for_session(&session.id)
            .await
            .expect("by session"),
        Some(link("hash-1"))
    );
}

pub async fn notices_are_saved_with_their_messages_and_replaced(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, session) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 0.0, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session stored");
    assert_eq!(
        store.get_driver_notice(&session.id).await.expect("read"),
        None
    );

    let mut notice = DriverNotice::new(session.id.clone(), t0());
    notice.confirmed_revision = 1;
    notice.promised_kwh = Some(18.5);
    store
        .save_driver_notice(&notice, &welcome("confirm:1"), t0())
        .await
        .expect("saved");
    notice.met_notified = true;
    notice.updated_at = minutes(5);
    store
        .save_driver_notice(&notice, &Effects::none(), minutes(5))
        .await
        .expect("replaced");

    assert_eq!(
        store.get_driver_notice(&session.id).await.expect("read"),
        Some(notice)
    );
    assert_eq!(store.outbox_depth().await.expect("depth"), 1);
}

pub async fn suppressed_numbers_are_listed_until_lifted(store: &dyn Store) {
    let number = phone("+14155550101");
    assert_eq!(store.number_suppression(&number).await.expect("read"), None);

    store
        .suppress_number(&number, SuppressionReason::InvalidNumber, t0())
        .await
        .expect("suppressed");
    store
        .suppress_number(&number, SuppressionReason::OptedOut, minutes(1))
        .await
        .expect("reason replaced");

    assert_eq!(
        store.number_suppression(&number).await.expect("read"),
        Some(SuppressionReason::OptedOut)
    );
    assert!(store.lift_suppression(&number).await.expect("lifted"));
    assert!(
        !store
            .lift_suppression(&number)
            .await
            .expect("nothing to lift")
    );
    assert_eq!(store.number_suppression(&number).await.expect("read"), None);
}

pub async fn phone_verifications_count_attempts_and_are_used_once(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let mut verification = PhoneVerification {
        id: "ver-1".into(),
        site_id: site_id("s1"),
        phone: phone("+14155550101"),
        code_hash: "h".into(),
        attempts: 0,
        expires_at: minutes(10),
        created_at: t0(),
        verified_at: None,
    };
    store
        .insert_phone_verification(&verification, &welcome("code:1"), t0())
        .await
        .expect("stored");
    verification.attempts = 2;
    verification.verified_at = Some(minutes(3));
    store
        .update_phone_verification(&verification)
        .await
        .expect("updated");

    assert_eq!(
        store.get_phone_verification("ver-1").await.expect("read"),
        Some(verification.clone())
    );
    let (s1, number) = (site_id("s1"), phone("+14155550101"));
    let since_start = store.count_phone_verifications(&s1, &number, t0()).await;
    let since_later = store
        .count_phone_verifications(&s1, &number, minutes(1))
        .await;
    assert_eq!(since_start.expect("count"), 1);
    let site_wide = store.count_site_verifications(&s1, t0()).await;
    assert_eq!(site_wide.expect("count"), 1);
    assert_eq!(since_later.expect("count"), 0);
    assert_eq!(
        store.outbox_depth().await.expect("depth"),
        1,
        "the code SMS"
    );
    verification.id = "missing".into();
    assert!(
        store
            .update_phone_verification(&verification)
            .await
            .is_err()
    );
}

pub async fn event_cursors_start_at_zero_and_move(store: &dyn Store) {
    seeded_site(store, "s1").await;
    assert_eq!(
        store
            .event_cursor("control", &site_id("s1"))
            .await
            .expect("read"),
        0
    );
    store
        .set_event_cursor("control", &site_id("s1"), 41)
        .await
        .expect("set");
    store
        .set_event_cursor("control", &site_id("s1"), 42)
        .await
        .expect("moved");
    assert_eq!(
        store
            .event_cursor("control", &site_id("s1"))
            .await
            .expect("read"),
        42
    );
    assert_eq!(
        store
            .event_cursor("other", &site_id("s1"))
            .await
            .expect("read"),
        0
    );
}
