//! Polling sessions, pagination, ingestion and pushed sessions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chargeplan_core::{ManualClock, SessionStatus};
use chargeplan_exchange::VendorCloud;
use chargeplan_exchange::ocpi::{OcpiClient, TokenEncoding};
use chargeplan_exchange::poller::{PollStatus, Poller, PollerConfig};
use chargeplan_store::EventKind;

use crate::harness::*;

fn poller(world: &World) -> Poller {
    Poller {
        vendor: world.vendor.clone(),
        cloud: world.cloud.clone(),
        store: world.store.clone(),
        // Our clock follows the simulator's, as it would a real CPO's.
        clock: Arc::new(ManualClock::new(world.sim.now())),
        config: PollerConfig::default(),
        status: Arc::new(Mutex::new(PollStatus::default())),
    }
}

#[tokio::test]
async fn polled_sessions_are_stored_with_their_meter_samples_and_events() {
    let world = World::start(|_, _| {}).await;
    world
        .sim
        .plug_in(arrival("DEMO-01", "RFID-ALICE", 0.2))
        .expect("plugged in");
    world.sim.advance(Duration::from_secs(30 * 60));
    let poller = poller(&world);

    let first = poller.poll_once().await.expect("poll");
    world.sim.advance(Duration::from_secs(30 * 60));
    let second = poller.poll_once().await.expect("poll");

    assert_eq!((first.inserted, second.updated), (1, 1));
    let open = world
        .store
        .list_open_sessions(&world.site)
        .await
        .expect("sessions");
    assert_eq!(open.len(), 1);
    let session = &open[0];
    assert_eq!(
        session.token_uid.as_ref().map(|t| t.as_str()),
        Some("RFID-ALICE")
    );
    assert!(
        (session.energy.get() - 11.04).abs() < 0.2,
        "an hour at 11.04 kW, got {}",
        session.energy.get()
    );
    assert!(session.power.get() > 10.0);
    let samples = world
        .store
        .list_meter_samples(&session.id)
        .await
        .expect("samples");
    assert!(samples.len() >= 2);
    assert!(
        samples
            .windows(2)
            .all(|pair| pair[0].energy <= pair[1].energy),
        "energy never decreases"
    );
    let kinds: Vec<_> = world
        .store
        .events_after(&world.site, 0, 100)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&EventKind::SessionStarted));
    let status = poller.status.lock().expect("status").clone();
    assert_eq!(status.consecutive_errors, 0);
    assert!(status.watermark.is_some());
}

#[tokio::test]
async fn every_page_is_followed_and_a_departure_ends_the_session() {
    let world = World::start(|config, _| config.page_limit = 2).await;
    for n in 1..=5 {
        world
            .sim
            .plug_in(arrival(&format!("DEMO-0{n}"), &format!("RFID-{n}"), 0.5))
            .expect("plugged in");
    }
    world.sim.advance(Duration::from_secs(10 * 60));

    let listing = world
        .cloud
        .sessions_since(sim_start() - chrono::Duration::hours(1))
        .await
        .expect("sessions");
    assert_eq!(
        listing.items.len(),
        5,
        "five sessions over three pages of two"
    );

    let id = listing.items[0].vendor_session_id.clone();
    let poller = poller(&world);
    poller.poll_once().await.expect("poll");
    world.sim.unplug(&id).expect("unplugged");
    world.sim.advance(Duration::from_secs(60));
    poller.poll_once().await.expect("poll");

    let open = world
        .store
        .list_open_sessions(&world.site)
        .await
        .expect("sessions");
    assert_eq!(open.len(), 4);
    let ended = world
        .store
        .find_session_by_vendor(&world.vendor, &id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(ended.status, SessionStatus::Completed);
    assert!(ended.ended_at.is_some());
}

#[tokio::test]
async fn one_vendor_down_backs_off_without_touching_the_store() {
    let world = World::start(|_, _| {}).await;
    let poller = poller(&world);
    world.sim.set_faults(chargeplan_sim::Faults {
        server_errors: 5,
        ..Default::default()
    });

    let error = poller.poll_once().await.expect_err("vendor down");

    assert!(!error.is_empty());
    let interval = poller.config.interval;
    let first_retry = poller.next_wait(1);
    assert!(
        first_retry < interval / 2,
        "a transient error is retried within the interval: {first_retry:?}"
    );
    for errors in [2, 3, 4, 10, 30] {
        let wait = poller.next_wait(errors);
        assert!(
            wait <= interval.mul_f64(1.1 + 1e-9),
            "a peer down for {errors} polls is tried again within one interval (plus jitter), \
             so a new car is seen within two: {wait:?}"
        );
    }
    assert!(
        world
            .store
            .list_open_sessions(&world.site)
            .await
            .expect("sessions")
            .is_empty()
    );
}

#[tokio::test]
async fn a_failed_connector_sync_does_not_hold_back_a_new_car_and_is_tried_again_next_poll() {
    let world = World::start(|_, _| {}).await;
    world
        .sim
        .plug_in(arrival("DEMO-01", "RFID-ALICE", 0.2))
        .expect("plugged in");
    let poller = poller(&world);
    // The first functional request of a poll is the connector sync (locations).
    world.sim.set_faults(chargeplan_sim::Faults {
        server_errors: 1,
        ..Default::default()
    });

    let first = poller
        .poll_once()
        .await
        .expect("sessions polled despite the sync");

    assert_eq!(first.inserted, 1);
    assert!(!poller.status.lock().expect("status").ports_synced);
    poller.poll_once().await.expect("poll");
    assert!(poller.status.lock().expect("status").ports_synced);
}

#[tokio::test]
async fn sessions_pushed_by_the_cpo_are_stored_from_start_to_end() {
    let world = World::start(|config, receiver| {
        config.push.push_sessions = true;
        config.push.sessions_url = Some(format!("{receiver}/ocpi/2.2.1/sessions"));
    })
    .await;
    let id = world
        .sim
        .plug_in(arrival("DEMO-02", "RFID-BOB", 0.3))
        .expect("plugged in")
        .expect("session id");

    let started = wait_for(|| async {
        world
            .store
            .find_session_by_vendor(&world.vendor, &id)
            .await
            .expect("read")
    })
    .await;
    world.sim.advance(Duration::from_secs(40 * 60));
    world.sim.unplug(&id).expect("unplugged");
    let ended = wait_for(|| async {
        let session = world
            .store
            .find_session_by_vendor(&world.vendor, &id)
            .await
            .expect("read")?;
        session.status.is_final().then_some(session)
    })
    .await;

    let started = started.expect("the pushed PUT created the session");
    assert_eq!(
        started.token_uid.as_ref().map(|t| t.as_str()),
        Some("RFID-BOB")
    );
    let ended = ended.expect("the final PUT completed it");
    assert!(
        (ended.energy.get() - 11.04 * 40.0 / 60.0).abs() < 0.2,
        "{}",
        ended.energy.get()
    );
    // The push stores the session first and its reading after it (two statements), so the
    // final reading may land just after the session is seen ended.
    let samples = wait_for(|| async {
        let samples = world
            .store
            .list_meter_samples(&ended.id)
            .await
            .expect("samples");
        (samples.len() >= 2).then_some(samples)
    })
    .await
    .expect("the start and the final reading are stored");
    assert!(
        samples
            .windows(2)
            .all(|pair| pair[0].energy <= pair[1].energy)
    );
}

#[tokio::test]
async fn a_patch_appends_charging_periods_and_must_carry_last_updated() {
    let world = World::start(|_, _| {}).await;
    let id = world
        .sim
        .plug_in(arrival("DEMO-03", "RFID-CAROL", 0.3))
        .expect("plugged in")
        .expect("session id");
    let cpo = OcpiClient::new(reqwest::Client::new(), TOKEN_B, TokenEncoding::Base64);
    let url = format!("{}/ocpi/2.2.1/sessions/NL/SIM/{id}", world.receiver_url);
    let mut whole = world.sim.session_json(&id).expect("session");
    whole["kwh"] = serde_json::json!(1.0);
    cpo.put::<_, serde_json::Value>(&url, &whole)
        .await
        .expect("PUT accepted");

    let patch = serde_json::json!({
        "kwh": 2.5,
        "last_updated": "2026-06-15T07:20:00Z",
        "charging_periods": [
            { "start_date_time": "2026-06-15T07:05:00Z", "dimensions": [{ "type": "ENERGY", "volume": 0.75 }, { "type": "POWER", "volume": 9.0 }] },
            { "start_date_time": "2026-06-15T07:10:00Z", "dimensions": [{ "type": "ENERGY", "volume": 0.75 }, { "type": "POWER", "volume": 4.0 }] }
        ]
    });
    cpo.patch_json(&url, &patch).await.expect("PATCH accepted");
    let missing = cpo
        .patch_json(&url, &serde_json::json!({ "kwh": 3.0 }))
        .await;
    let backwards = cpo
        .patch_json(
            &url,
            &serde_json::json!({ "kwh": 0.5, "last_updated": "2026-06-15T07:30:00Z" }),
        )
        .await;

    assert!(
        matches!(
            missing,
            Err(chargeplan_exchange::OcpiError::Status { code: 2001, .. })
        ),
        "{missing:?}"
    );
    assert!(backwards.is_ok());
    let session = world
        .store
        .find_session_by_vendor(&world.vendor, &id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(session.energy.get(), 2.5, "energy never moves backwards");
    assert_eq!(session.power.get(), 4.0, "the last appended period's power");
    let samples = world
        .store
        .list_meter_samples(&session.id)
        .await
        .expect("samples");
    let at_0710 = samples
        .iter()
        .find(|s| s.at.to_rfc3339() == "2026-06-15T07:10:00+00:00")
        .expect("appended period kept");
    assert!(
        (at_0710.energy.get() - 1.75).abs() < 1e-9,
        "1.0 before the PATCH + 0.75: {}",
        at_0710.energy.get()
    );
}

/// Polls `probe` for up to five seconds (pushes arrive asynchronously).
async fn wait_for<T, F, Fut>(probe: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..100 {
        if let Some(found) = probe().await {
            return Some(found);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn a_push_with_an_unknown_token_or_mismatched_ids_changes_nothing() {
    let world = World::start(|_, _| {}).await;
    let id = world
        .sim
        .plug_in(arrival("DEMO-04", "RFID-DAN", 0.3))
        .expect("plugged in")
        .expect("session id");
    let whole = world.sim.session_json(&id).expect("session");
    let url = format!("{}/ocpi/2.2.1/sessions/NL/SIM/{id}", world.receiver_url);

    let stranger = OcpiClient::new(
        reqwest::Client::new(),
        "not-a-token-we-issued",
        TokenEncoding::Base64,
    );
    let refused = stranger.put::<_, serde_json::Value>(&url, &whole).await;
    let cpo = OcpiClient::new(reqwest::Client::new(), TOKEN_B, TokenEncoding::Raw);
    let wrong_id = cpo
        .put::<_, serde_json::Value>(
            &format!("{}/ocpi/2.2.1/sessions/NL/SIM/OTHER", world.receiver_url),
            &whole,
        )
        .await;
    let mut absurd = whole.clone();
    absurd["kwh"] = serde_json::json!(-5.0);
    let negative = cpo.put::<_, serde_json::Value>(&url, &absurd).await;

    assert!(
        matches!(refused, Err(chargeplan_exchange::OcpiError::Unauthorized)),
        "{refused:?}"
    );
    assert!(
        matches!(
            wrong_id,
            Err(chargeplan_exchange::OcpiError::Status { code: 2001, .. })
        ),
        "{wrong_id:?}"
    );
    assert!(
        matches!(
            negative,
            Err(chargeplan_exchange::OcpiError::Status { code: 2001, .. })
        ),
        "{negative:?}"
    );
    assert!(
        world
            .store
            .find_session_by_vendor(&world.vendor, &id)
            .await
            .expect("read")
            .is_none()
    );
    cpo.put::<_, serde_json::Value>(&url, &whole)
        .await
        .expect("the raw token form is accepted too");
    assert!(
        world
            .store
            .find_session_by_vendor(&world.vendor, &id)
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn port_sync_follows_the_vendor_maximum_but_never_regains_control_by_itself() {
    let world = World::start(|_, _| {}).await;
    let ports = world.store.list_ports(&world.site).await.expect("ports");
    let mut demo1 = ports
        .iter()
        .find(|p| p.vendor.evse_uid == "DEMO-01")
        .expect("port")
        .clone();
    demo1.max_power = chargeplan_core::Kilowatts::new(3.0).expect("kW");
    world
        .store
        .upsert_port(&demo1)
        .await
        .expect("stale maximum");
    world
        .store
        .set_port_controllable(
            &ports
                .iter()
                .find(|p| p.vendor.evse_uid == "DEMO-02")
                .expect("port")
                .id,
            false,
        )
        .await
        .expect("given up on");
    let mut listing = world.cloud.ports().await.expect("locations").items;
    listing.push(chargeplan_exchange::VendorPort {
        evse_uid: "NEW-EVSE".into(),
        ..listing[0].clone()
    });

    let report =
        chargeplan_exchange::ingest::sync_ports(world.store.as_ref(), &world.vendor, &listing)
            .await
            .expect("synced");

    assert_eq!(report.updated, 1);
    assert_eq!(report.unmapped, ["DEMO/NEW-EVSE/1"]);
    let after = world.store.list_ports(&world.site).await.expect("ports");
    let port = |evse: &str| {
        after
            .iter()
            .find(|p| p.vendor.evse_uid == evse)
            .expect("port")
            .clone()
    };
    assert!((port("DEMO-01").max_power.get() - 11.04).abs() < 1e-9);
    assert!(!port("DEMO-02").controllable, "stays uncontrolled");
    assert!(!port("DEMO-09").controllable, "never capable");
}

#[tokio::test]
async fn a_poll_that_times_out_says_so_rather_than_that_the_peer_cannot_be_reached() {
    let world = World::start(|_, _| {}).await;
    let client = OcpiClient::new(
        reqwest::Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .expect("client"),
        TOKEN_C,
        TokenEncoding::Base64,
    );
    let details = chargeplan_exchange::ocpi::discover(&client, &world.sim.base_url())
        .await
        .expect("details");
    let cloud = chargeplan_exchange::ocpi::OcpiCloud::new(
        client,
        chargeplan_exchange::ocpi::CpoEndpoints::from_details(&details).expect("endpoints"),
        "http://127.0.0.1:9/results",
        100,
    );
    world.sim.set_faults(chargeplan_sim::Faults {
        timeouts: 1,
        hang: Duration::from_secs(2),
        ..Default::default()
    });

    let error = VendorCloud::sessions_since(&cloud, world.sim.now())
        .await
        .expect_err("timed out");

    let text = error.to_string();
    assert!(text.contains("did not answer in time"), "{text}");
    assert!(!text.contains("cannot reach"), "{text}");
    assert_eq!(
        chargeplan_exchange::outcome::Reason::of_error(&error).label(),
        "timeout"
    );
}
