//! Crash safety with a real `kill -9`: `chargeplan serve` on SQLite, a simulated vendor cloud
//! with the driver plugged in and a fake Twilio, killed with SIGKILL at awkward moments and
//! started again on the same data directory. Nothing the driver was told is lost, nothing is
//! texted twice, and the vendor gets the limits again after the restart.

use std::time::Duration;

use chargeplan_core::{CircuitId, SiteId};
use chargeplan_sim::{ArrivalSpec, ProfileAnswer, ProfileRequestKind};
use chargeplan_sms::fake::FakeMessage;
use chargeplan_store::StoreTarget;
use chrono::Utc;

use crate::world::{DRIVER_PHONE, PATIENCE, World, eventually};

/// `/r/TOKEN` from the link in a Welcome text (the host in it is the first server's).
fn link_path(welcome: &FakeMessage) -> String {
    let at = welcome
        .body
        .find("/r/")
        .unwrap_or_else(|| panic!("no link in {:?}", welcome.body));
    welcome.body[at..]
        .split_whitespace()
        .next()
        .expect("the link's path")
        .to_owned()
}

/// Three hours from now on the site's wall clock, as the form takes it.
fn departure_in_three_hours() -> String {
    (Utc::now() + chrono::Duration::hours(3))
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .format("%H:%M")
        .to_string()
}

/// Whether the simulator received an accepted charging profile for `session` among `log`.
fn accepted_profile_for(log: &[chargeplan_sim::ProfileLogEntry], session: &str) -> bool {
    log.iter().any(|entry| {
        entry.session_id == session
            && entry.kind == ProfileRequestKind::Set
            && entry.profile.is_some()
            && entry.answer == ProfileAnswer::Accepted
    })
}

/// A driver plugged in and welcomed by a running server: the vendor's session id and the
/// path of the driver's link.
struct Welcomed {
    session: String,
    path: String,
}

async fn driver_welcomed(world: &World) -> Welcomed {
    let session = world.plug_in_driver();
    let welcome = world.twilio.wait_for_messages(1, PATIENCE).await.remove(0);
    assert!(
        welcome.body.starts_with("Welcome to Garage West."),
        "{}",
        welcome.body
    );
    Welcomed {
        session,
        path: link_path(&welcome),
    }
}

/// A client that shows redirects instead of following them.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// The driver's request: 10 kWh, leaving in three hours.
fn request_form() -> [(&'static str, String); 3] {
    [
        ("departure", departure_in_three_hours()),
        ("amount", "10".to_owned()),
        ("unit", "kwh".to_owned()),
    ]
}

/// After a restart: the request is on the driver's page, the vendor gets a charging profile
/// for the session again, the request is confirmed exactly once in all, and the Welcome was
/// texted exactly once in all.
async fn assert_request_survived(world: &World, welcomed: &Welcomed, profiles_before: usize) {
    let second = world.serve();
    let page = http_client()
        .get(format!("{}{}", second.address, welcomed.path))
        .send()
        .await
        .expect("page after the restart");
    let page_status = page.status().as_u16();
    let page = page.text().await.expect("page body");
    assert_eq!(page_status, 200, "{page}");
    assert!(page.contains("You asked for"), "{page}");
    assert!(page.contains("10 kWh by"), "{page}");
    eventually(&second, "a charging profile after the restart", || {
        let log = world.sim.profile_log();
        accepted_profile_for(&log[profiles_before..], &welcomed.session).then_some(())
    })
    .await;
    let limit = world.sim.current_limit_kw(&welcomed.session);
    assert!(limit.is_some(), "a limit in force at the vendor");
    eventually(&second, "the confirmation of the request", || {
        (!world.confirmations().is_empty()).then_some(())
    })
    .await;
    // Past a periodic re-plan (every 10 s) and several outbox rounds (every 1 s): any second
    // confirmation or Welcome would have gone out by now.
    tokio::time::sleep(Duration::from_secs(12)).await;

    let confirmations = world.confirmations();
    assert_eq!(
        confirmations.len(),
        1,
        "one confirmation across the crash: {confirmations:?}\n{}",
        second.stderr_text()
    );
    assert!(
        confirmations[0].body.starts_with("You'll have ~10 kWh by")
            || confirmations[0].body.contains(" you will have about "),
        "{}",
        confirmations[0].body
    );
    assert_eq!(confirmations[0].to, DRIVER_PHONE);
    let welcomes = world.welcomes();
    assert_eq!(welcomes.len(), 1, "one Welcome ever: {welcomes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_acknowledged_just_before_a_kill_9_is_kept_confirmed_once_and_dispatched_after_the_restart()
 {
    let world = World::new().await.with_vendor();
    let mut first = world.serve();
    let welcomed = driver_welcomed(&world).await;

    let submitted = http_client()
        .post(format!("{}{}", first.address, welcomed.path))
        .form(&request_form())
        .send()
        .await
        .expect("request submitted");
    let submit_status = submitted.status().as_u16();
    let killed = first.kill_hard();
    assert_eq!(
        submit_status,
        303,
        "the request was accepted; server log:\n{}",
        first.stderr_text()
    );
    assert_eq!(killed.code(), None, "killed by a signal, not exited");

    assert_request_survived(&world, &welcomed, world.sim.profile_log().len()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_stored_when_a_kill_9_cuts_its_submit_short_is_confirmed_once_and_dispatched_after_the_restart()
 {
    let world = World::new().await.with_vendor();
    let mut first = world.serve();
    let welcomed = driver_welcomed(&world).await;
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: world.data.path().join("chargeplan.db"),
    })
    .await
    .expect("the server's store, read beside it");
    let site = SiteId::parse("garage").expect("id");
    let sessions = store.list_open_sessions(&site).await.expect("sessions");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let session = sessions[0].id.clone();

    let post = http_client()
        .post(format!("{}{}", first.address, welcomed.path))
        .form(&request_form());
    let submit = tokio::spawn(post.send());
    // Killed the moment the request is committed, while the submit still waits for its plan
    // (or just after, when that was quicker than this loop).
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while store
        .latest_request(&session)
        .await
        .expect("read the request")
        .is_none()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request was never stored:\n{}",
            first.stderr_text()
        );
    }
    let killed = first.kill_hard();
    assert_eq!(killed.code(), None, "killed by a signal, not exited");
    // The submit either got its answer or lost its connection; either way it is over.
    let _answer = submit.await.expect("the submit task");
    drop(store);

    assert_request_survived(&world, &welcomed, world.sim.profile_log().len()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_welcome_whose_delivery_is_failing_when_the_server_is_killed_is_delivered_once_after_the_restart()
 {
    let world = World::new().await.with_vendor();
    // Twilio answers the first two sends to the driver with a 500; the third goes through.
    world.twilio.fail_number_times(DRIVER_PHONE, 500, 20500, 2);
    let mut first = world.serve();
    world.plug_in_driver();
    // Logged once the failure and its retry time are stored: the kill lands between attempts.
    eventually(&first, "a failed send waiting for its retry", || {
        first
            .stderr_text()
            .contains("text not sent, will retry")
            .then_some(())
    })
    .await;
    let killed = first.kill_hard();
    assert_eq!(killed.code(), None, "killed by a signal, not exited");
    assert_eq!(world.twilio.requests(), 1, "one refused attempt so far");
    assert!(world.twilio.sent().is_empty());

    let second = world.serve();
    world.twilio.wait_for_messages(1, PATIENCE).await;
    // A few more outbox rounds (every 1 s) for any second copy to show up.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let welcomes = world.welcomes();
    assert_eq!(
        welcomes.len(),
        1,
        "the Welcome delivered once: {welcomes:?}\n{}",
        second.stderr_text()
    );
    assert_eq!(welcomes[0].to, DRIVER_PHONE);
    assert!(
        welcomes[0].body.starts_with("Welcome to Garage West."),
        "{}",
        welcomes[0].body
    );
    assert_eq!(
        world.twilio.requests(),
        3,
        "two refused attempts and one accepted, none repeated:\n{}",
        second.stderr_text()
    );
    assert_eq!(world.twilio.sent().len(), 1, "nothing else was texted");
}

/// Not a crash, but the same world: the cap invariant end to end, measured at the simulated
/// stations themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cap_lowered_by_the_operator_brings_the_stations_under_it_within_a_cycle() {
    let world = World::new().await.with_vendor();
    let app = world.serve();
    world.plug_in_driver();
    world
        .sim
        .plug_in(ArrivalSpec {
            evse: "DEMO-02".into(),
            token_uid: "SOMEONE-ELSE".into(),
            arrival: world.sim.now(),
            departure: None,
            battery_kwh: 60.0,
            soc: 0.2,
            max_kw: 11.0,
        })
        .expect("plugged in");
    eventually(&app, "both cars limited by accepted profiles", || {
        let log = world.sim.profile_log();
        let limited = world
            .sim
            .sessions()
            .iter()
            .filter(|s| accepted_profile_for(&log, &s.id))
            .count();
        (limited == 2).then_some(())
    })
    .await;

    let before = eventually(&app, "both cars drawing", || {
        let total = world.sim.total_power_kw();
        (total > 15.0).then_some(total)
    })
    .await;
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: world.data.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store
        .set_static_cap(&CircuitId::parse("main").expect("id"), 10.0, Utc::now())
        .await
        .expect("cap lowered");
    eventually(&app, "the stations under the lowered cap", || {
        (world.sim.total_power_kw() <= 10.0 + 1e-6).then_some(())
    })
    .await;
    let mut highest = 0.0_f64;
    for _ in 0..20 {
        highest = highest.max(world.sim.total_power_kw());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert!(
        before > 10.0,
        "the cars drew {before} kW before the cap was lowered"
    );
    assert!(
        highest <= 10.0 + 1e-6,
        "the stations drew {highest} kW under a 10 kW cap"
    );
}
