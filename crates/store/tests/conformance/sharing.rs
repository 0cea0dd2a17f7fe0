//! Charge-bay sharing: site settings, cable-movable ports, relay threads, their log and blocks.

use chargeplan_core::{MemberId, PhoneNumber, SharingSettings, ThreadCode};
use chargeplan_store::prelude::*;
use chargeplan_store::{
    Effects, NewOutboxMessage, RelayBlock, RelayLogEntry, RelaySender, RelayThread, StoreError,
};
use chrono::Duration;

use crate::fixtures::{minutes, participant, phone, port, seeded_site, site_id, t0};

pub async fn sharing_settings_default_until_set_and_invalid_ones_change_nothing(store: &dyn Store) {
    seeded_site(store, "lot-a").await;
    let site = site_id("lot-a");
    assert_eq!(
        store.get_sharing_settings(&site).await.unwrap(),
        SharingSettings::default()
    );
    let changed = SharingSettings {
        board_enabled: false,
        hold_min: 20,
        ..SharingSettings::default()
    };
    store
        .set_sharing_settings(&site, &changed, t0())
        .await
        .unwrap();
    assert_eq!(store.get_sharing_settings(&site).await.unwrap(), changed);
    let invalid = SharingSettings {
        hold_min: 0,
        ..changed
    };
    let error = store
        .set_sharing_settings(&site, &invalid, minutes(1))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(_)), "{error:?}");
    assert_eq!(store.get_sharing_settings(&site).await.unwrap(), changed);
    let unknown = site_id("nowhere");
    assert!(matches!(
        store.get_sharing_settings(&unknown).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_sharing_settings(&unknown, &changed, t0()).await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn a_ports_movable_cable_survives_a_vendor_refresh(store: &dyn Store) {
    seeded_site(store, "lot-a").await;
    let p = port("lot-a", "p1", "lot-a-pod", "E1");
    store.upsert_port(&p).await.unwrap();
    assert!(!store.list_ports(&site_id("lot-a")).await.unwrap()[0].cable_movable);
    store.set_port_cable_movable(&p.id, true).await.unwrap();
    store.upsert_port(&p).await.unwrap();
    assert!(store.list_ports(&site_id("lot-a")).await.unwrap()[0].cable_movable);
    let missing = chargeplan_core::PortId::parse("nope").unwrap();
    assert!(matches!(
        store.set_port_cable_movable(&missing, true).await,
        Err(StoreError::NotFound { .. })
    ));
}

fn thread(
    id: &str,
    code: &str,
    owner_phone: Option<&PhoneNumber>,
    waiter: &PhoneNumber,
) -> RelayThread {
    RelayThread {
        id: id.into(),
        code: ThreadCode::parse(code).unwrap(),
        member_id: MemberId::parse("K7QX2M").unwrap(),
        site_id: Some(site_id("lot-a")),
        owner: owner_phone.map(|_| chargeplan_core::ParticipantId::parse("alice").unwrap()),
        owner_phone: owner_phone.cloned(),
        waiter_phone: waiter.clone(),
        session_id: None,
        void_reason: owner_phone.is_none().then(|| "unknown_member".to_owned()),
        opened_at: t0(),
        last_message_at: t0(),
        closes_at: t0() + Duration::hours(4),
        closed_at: None,
        owner_shared: false,
        waiter_shared: false,
    }
}

fn log(
    thread: Option<&str>,
    sender: RelaySender,
    from: &PhoneNumber,
    at: chrono::DateTime<chrono::Utc>,
    outcome: &str,
) -> RelayLogEntry {
    RelayLogEntry {
        thread_id: thread.map(str::to_owned),
        site_id: Some(site_id("lot-a")),
        at,
        sender,
        sender_phone: from.clone(),
        outcome: outcome.into(),
        body: Some("hello".into()),
    }
}

fn text(to: &PhoneNumber, key: &str) -> Effects {
    Effects {
        events: vec![],
        messages: vec![NewOutboxMessage {
            site_id: Some(site_id("lot-a")),
            recipient: to.clone(),
            body: "[K7] hi".into(),
            idempotency_key: key.into(),
            not_before: t0(),
        }],
    }
}

pub async fn relay_threads_open_relay_close_and_are_found_by_either_phone(store: &dyn Store) {
    seeded_site(store, "lot-a").await;
    let owner = phone("+15005550101");
    let waiter = phone("+15005550202");
    let stranger = phone("+15005550303");
    let first = thread("t1", "K7", Some(&owner), &waiter);
    store
        .open_relay_thread(
            &first,
            &log(Some("t1"), RelaySender::Waiter, &waiter, t0(), "opened"),
            &text(&owner, "relay:t1:0"),
        )
        .await
        .unwrap();
    assert_eq!(store.outbox_depth().await.unwrap(), 1);
    for who in [&owner, &waiter] {
        let open = store.open_threads_of_phone(who, minutes(1)).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0], first);
    }
    assert!(
        store
            .open_threads_of_phone(&stranger, minutes(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .open_threads_of_phone(&owner, t0() + Duration::hours(4))
            .await
            .unwrap()
            .is_empty()
    );

    let second = RelayThread {
        opened_at: minutes(5),
        last_message_at: minutes(5),
        ..thread("t2", "M3", Some(&owner), &stranger)
    };
    store
        .open_relay_thread(
            &second,
            &log(
                Some("t2"),
                RelaySender::Waiter,
                &stranger,
                minutes(5),
                "opened",
            ),
            &Effects::none(),
        )
        .await
        .unwrap();
    let open = store
        .open_threads_of_phone(&owner, minutes(6))
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["t2", "t1"]
    );

    let touched = RelayThread {
        last_message_at: minutes(10),
        closes_at: minutes(10) + Duration::hours(4),
        ..first.clone()
    };
    store
        .record_relay(
            &log(
                Some("t1"),
                RelaySender::Owner,
                &owner,
                minutes(10),
                "relayed",
            ),
            Some(&touched),
            &text(&waiter, "relay:t1:1"),
        )
        .await
        .unwrap();
    let open = store
        .open_threads_of_phone(&owner, minutes(11))
        .await
        .unwrap();
    assert_eq!(open[0].id, "t1", "the most recent message first");
    assert_eq!(
        store.get_relay_thread("t1").await.unwrap(),
        Some(touched.clone())
    );

    let closed = RelayThread {
        closed_at: Some(minutes(12)),
        ..touched
    };
    store
        .record_relay(
            &log(
                Some("t1"),
                RelaySender::Owner,
                &owner,
                minutes(12),
                "closed",
            ),
            Some(&closed),
            &Effects::none(),
        )
        .await
        .unwrap();
    let open = store
        .open_threads_of_phone(&waiter, minutes(13))
        .await
        .unwrap();
    assert!(open.is_empty());
    assert_eq!(
        store.count_threads_opened_by(&waiter, t0()).await.unwrap(),
        1
    );
    assert_eq!(
        store
            .count_threads_opened_by(&waiter, minutes(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_threads_to_member(&MemberId::parse("k7qx2m").unwrap(), t0())
            .await
            .unwrap(),
        2
    );

    let lines = store
        .list_relay_log(&site_id("lot-a"), t0(), minutes(60))
        .await
        .unwrap();
    assert_eq!(
        lines.iter().map(|l| l.outcome.as_str()).collect::<Vec<_>>(),
        ["opened", "opened", "relayed", "closed"]
    );
    assert_eq!(
        store
            .list_relay_threads(&site_id("lot-a"), t0(), minutes(60))
            .await
            .unwrap()
            .len(),
        2
    );

    assert_eq!(
        store
            .purge_relay_bodies(&site_id("lot-a"), minutes(6))
            .await
            .unwrap(),
        2
    );
    let lines = store
        .list_relay_log(&site_id("lot-a"), t0(), minutes(60))
        .await
        .unwrap();
    assert_eq!(lines.iter().filter(|l| l.body.is_none()).count(), 2);
    assert_eq!(
        lines.len(),
        4,
        "who and when stay after the bodies are gone"
    );
}

pub async fn a_failed_relay_write_changes_nothing(store: &dyn Store) {
    seeded_site(store, "lot-a").await;
    let owner = phone("+15005550101");
    let waiter = phone("+15005550202");
    let missing = thread("ghost", "K7", Some(&owner), &waiter);
    let error = store
        .record_relay(
            &log(Some("ghost"), RelaySender::Owner, &owner, t0(), "relayed"),
            Some(&missing),
            &text(&waiter, "relay:ghost"),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::NotFound { .. }), "{error:?}");
    assert_eq!(store.outbox_depth().await.unwrap(), 0);
    assert!(
        store
            .list_relay_log(&site_id("lot-a"), t0(), minutes(60))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn blocks_are_kept_once_listed_and_lifted_by_their_owner(store: &dyn Store) {
    seeded_site(store, "lot-a").await;
    let alice = participant("lot-a", "alice", "+15005550101", &["TOK1"]);
    store.insert_participant(&alice).await.unwrap();
    let pest = phone("+15005550909");
    let block = RelayBlock {
        id: "b1".into(),
        owner: alice.id.clone(),
        blocked_phone: pest.clone(),
        created_at: t0(),
    };
    store.add_relay_block(&block).await.unwrap();
    store
        .add_relay_block(&RelayBlock {
            id: "b2".into(),
            ..block.clone()
        })
        .await
        .unwrap();
    assert!(store.is_relay_blocked(&alice.id, &pest).await.unwrap());
    assert!(
        !store
            .is_relay_blocked(&alice.id, &phone("+15005550808"))
            .await
            .unwrap()
    );
    assert_eq!(
        store.list_relay_blocks(&alice.id).await.unwrap(),
        vec![block]
    );
    let bob = chargeplan_core::ParticipantId::parse("bob").unwrap();
    assert!(
        !store.remove_relay_block(&bob, "b1").await.unwrap(),
        "only the owner lifts a block"
    );
    assert!(store.remove_relay_block(&alice.id, "b1").await.unwrap());
    assert!(!store.is_relay_blocked(&alice.id, &pest).await.unwrap());
}
