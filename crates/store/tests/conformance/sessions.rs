//! Sessions, meter samples and drivers' requests.

use chargeplan_core::{
    ChargingRequest, EnergyNeed, KilowattHours, Kilowatts, MeterSample, SessionStatus, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, EventKind, NewOutboxMessage, SessionUpsert, StoreError};

use crate::fixtures::*;

fn welcome(key: &str) -> Effects {
    Effects {
        events: vec![],
        messages: vec![NewOutboxMessage {
            site_id: Some(site_id("s1")),
            recipient: phone("+14155550101"),
            body: "Welcome to Garage A.".into(),
            idempotency_key: key.into(),
            not_before: t0(),
        }],
    }
}

async fn event_kinds(store: &dyn Store) -> Vec<EventKind> {
    store
        .events_after(&site_id("s1"), 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .map(|event| event.kind)
        .filter(|kind| *kind != EventKind::CapChanged)
        .collect()
}

pub async fn a_new_session_is_inserted_with_its_start_event_and_welcome_message_once(
    store: &dyn Store,
) {
    seeded_site(store, "s1").await;
    let first = session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active);

    let (outcome, stored) = store
        .upsert_session(&first, &welcome("welcome:v1"))
        .await
        .expect("inserted");
    let (again, _) = store
        .upsert_session(&first, &welcome("welcome:v1"))
        .await
        .expect("same data");

    assert_eq!(outcome, SessionUpsert::Inserted);
    assert_eq!(again, SessionUpsert::Unchanged);
    assert_eq!(stored, first);
    assert_eq!(store.get_session(&first.id).await.expect("found"), first);
    assert_eq!(event_kinds(store).await, vec![EventKind::SessionStarted]);
    assert_eq!(store.outbox_depth().await.expect("depth"), 1);
}

pub async fn duplicate_and_out_of_order_data_never_move_energy_backwards(store: &dyn Store) {
    seeded_site(store, "s1").await;
    store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("inserted");
    let newer = session("s1", "v1", 10, 1.1, 6.6, SessionStatus::Active);
    let (updated, _) = store
        .upsert_session(&newer, &Effects::none())
        .await
        .expect("updated");
    assert_eq!(updated, SessionUpsert::Updated);

    let late = session("s1", "v1", 5, 0.5, 3.0, SessionStatus::Active);
    let (outcome, stored) = store
        .upsert_session(&late, &Effects::none())
        .await
        .expect("late data");
    assert_eq!(outcome, SessionUpsert::Unchanged);
    assert_eq!(stored.energy.get(), 1.1);

    let glitch = session("s1", "v1", 15, 0.9, 3.0, SessionStatus::Active);
    let (outcome, stored) = store
        .upsert_session(&glitch, &Effects::none())
        .await
        .expect("newer data, lower meter");
    assert_eq!(outcome, SessionUpsert::Updated);
    assert_eq!(stored.energy.get(), 1.1);
    assert_eq!(stored.power.get(), 3.0);
    assert_eq!(
        event_kinds(store).await,
        vec![EventKind::SessionStarted, EventKind::PowerChanged]
    );
}

pub async fn an_ended_session_is_never_resurrected(store: &dyn Store) {
    seeded_site(store, "s1").await;
    store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("inserted");
    let mut ended = session("s1", "v1", 30, 3.3, 0.0, SessionStatus::Completed);
    ended.ended_at = Some(minutes(30));
    store
        .upsert_session(&ended, &Effects::none())
        .await
        .expect("ended");

    let stale_active = session("s1", "v1", 40, 3.4, 6.6, SessionStatus::Active);
    let (_, stored) = store
        .upsert_session(&stale_active, &Effects::none())
        .await
        .expect("accepted as data");

    assert_eq!(stored.status, SessionStatus::Completed);
    assert_eq!(stored.ended_at, Some(minutes(30)));
    assert_eq!(stored.power.get(), 0.0);
    assert!(
        store
            .list_open_sessions(&site_id("s1"))
            .await
            .expect("listed")
            .is_empty()
    );
    assert_eq!(
        event_kinds(store).await,
        vec![EventKind::SessionStarted, EventKind::SessionEnded]
    );
}

pub async fn the_first_party_recorded_for_a_session_keeps_it(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, stored) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("inserted");
    assert_eq!(store.session_party(&stored.id).await.expect("read"), None);
    let party = |country: &str, id: &str| chargeplan_store::SessionParty {
        country_code: country.into(),
        party_id: id.into(),
    };
    store
        .record_session_party(&stored.id, &party("NL", "ABC"))
        .await
        .expect("recorded");
    store
        .record_session_party(&stored.id, &party("DE", "XYZ"))
        .await
        .expect("a second party is ignored");

    let kept = store
        .session_party(&stored.id)
        .await
        .expect("read")
        .expect("a party");
    assert_eq!(kept, party("NL", "ABC"));
    assert!(kept.is("nl", "abc"));
    assert!(!kept.is("DE", "XYZ"));
}

pub async fn open_sessions_and_sessions_started_in_a_range_are_listed(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let mut early = session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active);
    early.started_at = minutes(-60);
    let mut pending = session("s1", "v2", 0, 0.0, 0.0, SessionStatus::Pending);
    pending.started_at = minutes(10);
    let mut done = session("s1", "v3", 0, 5.0, 0.0, SessionStatus::Completed);
    done.started_at = minutes(20);
    done.ended_at = Some(minutes(25));
    for s in [&early, &pending, &done] {
        store
            .upsert_session(s, &Effects::none())
            .await
            .expect("stored");
    }

    let open = store
        .list_open_sessions(&site_id("s1"))
        .await
        .expect("listed");
    let started = store
        .list_sessions_started(&site_id("s1"), minutes(0), minutes(20))
        .await
        .expect("listed");

    assert_eq!(open, vec![early, pending.clone()]);
    assert_eq!(started, vec![pending]);
}

pub async fn meter_samples_are_kept_once_per_instant(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, s) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("stored");
    let sample = |at: i64, kwh: f64, soc: Option<f64>| {
        MeterSample::new(
            s.id.clone(),
            minutes(at),
            KilowattHours::new(kwh).expect("kWh"),
            Kilowatts::new(6.6).expect("kW"),
            soc,
        )
        .expect("valid sample")
    };

    store
        .add_meter_sample(&sample(5, 0.55, Some(41.0)))
        .await
        .expect("stored");
    store
        .add_meter_sample(&sample(1, 0.11, None))
        .await
        .expect("stored");
    store
        .add_meter_sample(&sample(5, 0.55, Some(41.0)))
        .await
        .expect("duplicate is fine");

    assert_eq!(
        store.list_meter_samples(&s.id).await.expect("listed"),
        vec![sample(1, 0.11, None), sample(5, 0.55, Some(41.0))]
    );
    assert_eq!(
        store
            .list_meter_samples_since(&s.id, minutes(2))
            .await
            .expect("listed since"),
        vec![sample(5, 0.55, Some(41.0))]
    );
}

pub async fn request_revisions_keep_the_full_history_and_reject_stale_edits(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, s) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("stored");
    let first = ChargingRequest::new(
        s.id.clone(),
        1,
        minutes(480),
        EnergyNeed::Miles(60.0),
        Some(WhPerMile::default()),
        minutes(1),
    )
    .expect("valid request");
    let second = ChargingRequest::new(
        s.id.clone(),
        2,
        minutes(300),
        EnergyNeed::AsMuchAsPossible,
        None,
        minutes(2),
    )
    .expect("valid");
    assert_eq!(store.latest_request(&s.id).await.expect("read"), None);

    store
        .add_request_revision(&first, &Effects::none())
        .await
        .expect("first");
    store
        .add_request_revision(&second, &Effects::none())
        .await
        .expect("second");
    let stale = ChargingRequest::new(
        s.id.clone(),
        2,
        minutes(200),
        EnergyNeed::Kwh(10.0),
        None,
        minutes(3),
    )
    .expect("valid");
    let error = store
        .add_request_revision(&stale, &Effects::none())
        .await
        .expect_err("revision 2 exists");
    let skipped = ChargingRequest::new(
        s.id.clone(),
        5,
        minutes(200),
        EnergyNeed::Kwh(10.0),
        None,
        minutes(3),
    )
    .expect("valid");
    let skip_error = store
        .add_request_revision(&skipped, &Effects::none())
        .await
        .expect_err("revision 3 is next");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert!(
        matches!(skip_error, StoreError::Conflict(_)),
        "{skip_error}"
    );
    assert_eq!(
        store.request_history(&s.id).await.expect("history"),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(
        store.latest_request(&s.id).await.expect("read"),
        Some(second)
    );
    assert_eq!(first.energy.kwh(), Some(18.0));
    let submitted = event_kinds(store)
        .await
        .into_iter()
        .filter(|kind| *kind == EventKind::RequestSubmitted)
        .count();
    assert_eq!(submitted, 2);
}

pub async fn a_request_for_an_ended_session_is_refused(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, s) = store
        .upsert_session(
            &session("s1", "v1", 0, 5.0, 0.0, SessionStatus::Completed),
            &Effects::none(),
        )
        .await
        .expect("stored");
    let request = ChargingRequest::new(
        s.id.clone(),
        1,
        minutes(480),
        EnergyNeed::Kwh(10.0),
        None,
        minutes(1),
    )
    .expect("valid");

    let error = store
        .add_request_revision(&request, &Effects::none())
        .await
        .expect_err("session over");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert!(
        store
            .request_history(&s.id)
            .await
            .expect("history")
            .is_empty()
    );
}

pub async fn a_request_writes_its_message_in_the_same_transaction(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let (_, s) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("stored");
    let request = ChargingRequest::new(
        s.id.clone(),
        1,
        minutes(480),
        EnergyNeed::Kwh(10.0),
        None,
        minutes(1),
    )
    .expect("valid");
    store
        .add_request_revision(&request, &welcome("confirm:v1:1"))
        .await
        .expect("stored");

    let refused = store
        .add_request_revision(&request, &welcome("confirm:v1:again"))
        .await;

    assert!(refused.is_err());
    assert_eq!(
        store.outbox_depth().await.expect("depth"),
        1,
        "the refused revision's message must not be queued"
    );
}

pub async fn site_samples_are_those_of_the_site_in_the_range_oldest_first(store: &dyn Store) {
    seeded_site(store, "s1").await;
    seeded_site(store, "s2").await;
    let mut ids = Vec::new();
    for (site, vendor_id) in [("s1", "v1"), ("s1", "v2"), ("s2", "v3")] {
        let (_, stored) = store
            .upsert_session(
                &session(site, vendor_id, 0, 0.0, 6.6, SessionStatus::Active),
                &Effects::none(),
            )
            .await
            .expect("stored");
        ids.push(stored.id);
    }
    let sample = |session: usize, at: i64| {
        MeterSample::new(
            ids[session].clone(),
            minutes(at),
            KilowattHours::new(0.1 * at as f64).expect("kWh"),
            Kilowatts::new(6.6).expect("kW"),
            None,
        )
        .expect("valid sample")
    };
    for (session, at) in [(0, 7), (0, 0), (0, 1), (0, 20), (1, 10), (1, 3), (2, 4)] {
        store
            .add_meter_sample(&sample(session, at))
            .await
            .expect("stored");
    }

    let listed = store
        .list_site_meter_samples(&site_id("s1"), minutes(1), minutes(10))
        .await
        .expect("listed");

    assert_eq!(listed, vec![sample(0, 1), sample(1, 3), sample(0, 7)]);
    assert_eq!(
        store
            .list_site_meter_samples(&site_id("s2"), minutes(0), minutes(60))
            .await
            .expect("listed"),
        vec![sample(2, 4)]
    );
    assert!(
        store
            .list_site_meter_samples(&site_id("s1"), minutes(21), minutes(60))
            .await
            .expect("listed")
            .is_empty()
    );
}
