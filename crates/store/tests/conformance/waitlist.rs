//! The waitlist (entries, offers, holds) and the per-session sharing notes.

use chargeplan_core::{PortId, SessionStatus};
use chargeplan_store::prelude::*;
use chargeplan_store::{
    Effects, EntryState, NewOutboxMessage, OfferFence, OfferState, OfferTransition, WaitlistEntry,
    WaitlistOffer,
};
use chrono::Duration;

use crate::fixtures::{minutes, phone, port, seeded_site, session, site_id};

fn entry(id: &str, number: &str, joined: i64) -> WaitlistEntry {
    WaitlistEntry {
        id: id.to_owned(),
        site_id: site_id("w1"),
        phone: phone(number),
        joined_at: minutes(joined),
        skips: 0,
        state: EntryState::Waiting,
        ended_at: None,
    }
}

fn offer(id: &str, entry: &str, port_id: &str, at: i64) -> WaitlistOffer {
    WaitlistOffer {
        id: id.to_owned(),
        entry_id: entry.to_owned(),
        site_id: site_id("w1"),
        port_id: PortId::parse(port_id).expect("port id"),
        offered_at: minutes(at),
        respond_by: minutes(at + 10),
        state: OfferState::Open,
        answered_at: None,
        hold_until: None,
    }
}

fn text(key: &str, number: &str) -> Effects {
    Effects {
        events: Vec::new(),
        messages: vec![NewOutboxMessage {
            site_id: Some(site_id("w1")),
            recipient: phone(number),
            body: format!("text {key}"),
            idempotency_key: key.to_owned(),
            not_before: minutes(0),
        }],
    }
}

async fn seeded(store: &dyn Store) {
    seeded_site(store, "w1").await;
    for n in 1..=2 {
        store
            .upsert_port(&port(
                "w1",
                &format!("w1-p{n}"),
                "w1-main",
                &format!("E{n}"),
            ))
            .await
            .expect("port");
    }
}

pub async fn a_phone_joins_a_site_once_and_the_line_is_in_joining_order(store: &dyn Store) {
    seeded(store).await;
    let (first, new) = store
        .join_waitlist(
            &entry("e1", "+14155550101", 0),
            &text("j1", "+14155550101"),
            minutes(0),
        )
        .await
        .expect("join");
    assert!(new);
    store
        .join_waitlist(
            &entry("e2", "+14155550102", 1),
            &Effects::none(),
            minutes(1),
        )
        .await
        .expect("join");
    let (again, new) = store
        .join_waitlist(
            &entry("e3", "+14155550101", 2),
            &text("j3", "+14155550101"),
            minutes(2),
        )
        .await
        .expect("join again");

    assert!(!new, "the same phone joins once");
    assert_eq!(again, first);
    let line = store.list_waitlist(&site_id("w1")).await.expect("line");
    let ids: Vec<&str> = line.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2"]);
    assert_eq!(
        store.outbox_depth().await.expect("depth"),
        1,
        "no text for the repeat"
    );
    let mine = store
        .waitlist_entries_of_phone(&phone("+14155550101"))
        .await
        .expect("entries");
    assert_eq!(mine.len(), 1);
}

pub async fn entries_joined_in_a_period_are_listed_whatever_became_of_them(store: &dyn Store) {
    seeded(store).await;
    for (id, number, at) in [
        ("e1", "+14155550101", 0),
        ("e2", "+14155550102", 5),
        ("e3", "+14155550103", 10),
    ] {
        store
            .join_waitlist(&entry(id, number, at), &Effects::none(), minutes(at))
            .await
            .expect("join");
    }
    assert!(
        store
            .end_waitlist_entry("e2", EntryState::Left, &Effects::none(), minutes(6))
            .await
            .expect("leave")
    );

    let joined = store
        .list_waitlist_joined(&site_id("w1"), minutes(1), minutes(10))
        .await
        .expect("joined");
    let seen: Vec<(&str, EntryState)> = joined.iter().map(|e| (e.id.as_str(), e.state)).collect();
    assert_eq!(
        seen,
        [("e2", EntryState::Left)],
        "[from, to): e1 before, e3 at the end"
    );
    let all = store
        .list_waitlist_joined(&site_id("w1"), minutes(0), minutes(11))
        .await
        .expect("joined");
    assert_eq!(all.len(), 3);
    assert!(
        store
            .list_waitlist_joined(&site_id("other"), minutes(0), minutes(11))
            .await
            .expect("joined")
            .is_empty()
    );
}

pub async fn an_offer_is_made_once_per_port_and_only_under_the_lease(store: &dyn Store) {
    seeded(store).await;
    store
        .join_waitlist(
            &entry("e1", "+14155550101", 0),
            &Effects::none(),
            minutes(0),
        )
        .await
        .expect("join");
    store
        .join_waitlist(
            &entry("e2", "+14155550102", 0),
            &Effects::none(),
            minutes(0),
        )
        .await
        .expect("join");
    let lease = store
        .acquire_site_lease(&site_id("w1"), "a", minutes(1), Duration::seconds(15))
        .await
        .expect("lease")
        .expect("free");
    let stale = OfferFence {
        owner: "a".to_owned(),
        token: lease.fencing_token + 1,
    };
    let good = OfferFence {
        owner: "a".to_owned(),
        token: lease.fencing_token,
    };

    let fenced_out = store
        .create_offer(
            &offer("o0", "e1", "w1-p1", 1),
            Some(&stale),
            &text("o0", "+14155550101"),
            minutes(1),
        )
        .await
        .expect("offer");
    let made = store
        .create_offer(
            &offer("o1", "e1", "w1-p1", 1),
            Some(&good),
            &text("o1", "+14155550101"),
            minutes(1),
        )
        .await
        .expect("offer");
    let same_port = store
        .create_offer(
            &offer("o2", "e2", "w1-p1", 1),
            None,
            &text("o2", "+14155550102"),
            minutes(1),
        )
        .await
        .expect("offer");
    let same_entry = store
        .create_offer(
            &offer("o3", "e1", "w1-p2", 1),
            None,
            &text("o3", "+14155550101"),
            minutes(1),
        )
        .await
        .expect("offer");

    assert!(!fenced_out, "a stale fencing token makes no offer");
    assert!(made);
    assert!(!same_port, "one live offer per port");
    assert!(!same_entry, "one live offer per driver");
    let live = store.list_live_offers(&site_id("w1")).await.expect("live");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].id, "o1");
    assert_eq!(
        store.outbox_depth().await.expect("depth"),
        1,
        "only the made offer's text"
    );
}

pub async fn a_take_before_the_deadline_holds_the_port_and_a_late_one_changes_nothing(
    store: &dyn Store,
) {
    seeded(store).await;
    store
        .join_waitlist(
            &entry("e1", "+14155550101", 0),
            &Effects::none(),
            minutes(0),
        )
        .await
        .expect("join");
    store
        .create_offer(
            &offer("o1", "e1", "w1-p1", 1),
            None,
            &Effects::none(),
            minutes(1),
        )
        .await
        .expect("offer");
    let take = |at: i64| OfferTransition {
        offer_id: "o1".to_owned(),
        from: OfferState::Open,
        to: OfferState::Taken,
        before_deadline: Some(minutes(at)),
        hold_until: Some(minutes(at + 15)),
        entry_skips: 0,
        entry_state: EntryState::Holding,
    };

    let late = store
        .transition_offer(&take(11), &text("late", "+14155550101"), minutes(11))
        .await
        .expect("late take");
    let in_time = store
        .transition_offer(&take(5), &text("take", "+14155550101"), minutes(5))
        .await
        .expect("take");
    let twice = store
        .transition_offer(&take(6), &text("twice", "+14155550101"), minutes(6))
        .await
        .expect("second take");

    assert!(!late, "past the deadline");
    assert!(in_time);
    assert!(!twice, "an offer is taken once");
    let live = store
        .live_offer_of_entry("e1")
        .await
        .expect("offer")
        .expect("held");
    assert_eq!(live.state, OfferState::Taken);
    assert_eq!(live.hold_until, Some(minutes(20)));
    assert_eq!(live.answered_at, Some(minutes(5)));
    let line = store.list_waitlist(&site_id("w1")).await.expect("line");
    assert_eq!(line[0].state, EntryState::Holding);
    assert_eq!(store.outbox_depth().await.expect("depth"), 1);
}

pub async fn skips_are_counted_and_an_ended_entry_withdraws_its_offer(store: &dyn Store) {
    seeded(store).await;
    store
        .join_waitlist(
            &entry("e1", "+14155550101", 0),
            &Effects::none(),
            minutes(0),
        )
        .await
        .expect("join");
    store
        .create_offer(
            &offer("o1", "e1", "w1-p1", 1),
            None,
            &Effects::none(),
            minutes(1),
        )
        .await
        .expect("offer");
    let skipped = store
        .transition_offer(
            &OfferTransition {
                offer_id: "o1".to_owned(),
                from: OfferState::Open,
                to: OfferState::Expired,
                before_deadline: None,
                hold_until: None,
                entry_skips: 1,
                entry_state: EntryState::Waiting,
            },
            &Effects::none(),
            minutes(11),
        )
        .await
        .expect("expire");
    assert!(skipped);
    let line = store.list_waitlist(&site_id("w1")).await.expect("line");
    assert_eq!(line[0].skips, 1);
    store
        .create_offer(
            &offer("o2", "e1", "w1-p2", 12),
            None,
            &Effects::none(),
            minutes(12),
        )
        .await
        .expect("offer");

    let ended = store
        .end_waitlist_entry(
            "e1",
            EntryState::Left,
            &text("bye", "+14155550101"),
            minutes(13),
        )
        .await
        .expect("leave");
    let again = store
        .end_waitlist_entry(
            "e1",
            EntryState::Left,
            &text("bye2", "+14155550101"),
            minutes(14),
        )
        .await
        .expect("leave again");

    assert!(ended);
    assert!(!again, "an entry ends once");
    assert!(
        store
            .list_waitlist(&site_id("w1"))
            .await
            .expect("line")
            .is_empty()
    );
    assert!(
        store
            .list_live_offers(&site_id("w1"))
            .await
            .expect("live")
            .is_empty()
    );
    let offers = store
        .list_offers(&site_id("w1"), minutes(0))
        .await
        .expect("offers");
    let states: Vec<OfferState> = offers.iter().map(|o| o.state).collect();
    assert_eq!(states, [OfferState::Expired, OfferState::Withdrawn]);
    assert_eq!(store.outbox_depth().await.expect("depth"), 1);
}

pub async fn sharing_notes_keep_the_owners_word_and_count_done_texts_once(store: &dyn Store) {
    seeded(store).await;
    let (_, open) = store
        .upsert_session(
            &session("w1", "v1", 0, 5.0, 6.0, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session");
    let unknown = chargeplan_core::SessionId::parse("nope").expect("id");
    assert!(matches!(
        store
            .set_owner_return(&unknown, minutes(30), minutes(1))
            .await,
        Err(chargeplan_store::StoreError::NotFound { .. })
    ));

    store
        .set_owner_return(&open.id, minutes(30), minutes(1))
        .await
        .expect("return");
    store
        .set_ok_to_unplug(&open.id, minutes(2))
        .await
        .expect("ok");
    let first = store
        .record_done_text(
            &open.id,
            minutes(3),
            0,
            &text("done0", "+14155550101"),
            minutes(3),
        )
        .await
        .expect("done");
    let stale = store
        .record_done_text(
            &open.id,
            minutes(3),
            0,
            &text("done0b", "+14155550101"),
            minutes(4),
        )
        .await
        .expect("done");
    let reminder = store
        .record_done_text(
            &open.id,
            minutes(40),
            1,
            &text("done1", "+14155550101"),
            minutes(40),
        )
        .await
        .expect("reminder");

    assert!(first);
    assert!(!stale, "a count that moved on writes nothing");
    assert!(reminder);
    let notes = store
        .list_open_sharing_notes(&site_id("w1"))
        .await
        .expect("notes");
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert_eq!(note.owner_back_at, Some(minutes(30)));
    assert_eq!(note.ok_to_unplug_at, Some(minutes(2)));
    assert_eq!(note.done_at, Some(minutes(3)), "first found done stays");
    assert_eq!(note.done_texts, 2);
    assert_eq!(note.last_done_text_at, Some(minutes(40)));
    assert_eq!(store.outbox_depth().await.expect("depth"), 2);
}
