//! The public board in headless Chromium at phone size (412×900): every port's state in
//! words, a done car with its owner's return time, the waitlist's length, the refresh script
//! running, no phone number anywhere, and joining the waitlist with a texted code. A
//! screenshot is saved for a person to look at.
//!
//! The app runs on a real TCP listener with a SQLite store, the real clock and the control
//! loop (no vendor dispatch). Needs Chromium (`chromium` on `PATH` or `$CHARGEPLAN_CHROMIUM`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chargeplan_browser::Browser;
use chargeplan_control::ControlConfig;
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, KilowattHours, Kilowatts, Participant,
    ParticipantId, Phases, PhoneNumber, Port, PortId, Session, SessionId, SessionStatus, Site,
    SiteId, SystemClock, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreTarget};
use chargeplan_web::{AppState, HttpOptions, app};
use chrono::{Duration, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const SITE: &str = "depot";
const WAITING: &str = "+14155550299";
const JOINER: &str = "4155550288";

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

/// Four ports: p1 charging towards 30 kWh, p2 done (its owner back in 20 min), p3 free, p4
/// charging a car nobody registered; one driver already waiting.
async fn seed(store: &dyn Store) -> SessionId {
    let now = Utc::now();
    let site_id = SiteId::parse(SITE).expect("id");
    let site = Site::new(site_id.clone(), "Depot North", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, now).await.expect("site");
    let circuit_id = CircuitId::parse("depot-main").expect("id");
    let circuit = Circuit::new(circuit_id.clone(), site_id.clone(), "Main", None, kw(150.0))
        .expect("circuit");
    store
        .replace_circuits(&site_id, &[circuit], now)
        .await
        .expect("circuits");
    let vendor = VendorAccountId::parse("cpo").expect("id");
    for n in 1..=4 {
        let port = Port::new(
            PortId::parse(&format!("p{n}")).expect("id"),
            site_id.clone(),
            circuit_id.clone(),
            VendorRef::new(vendor.clone(), "LOC", &format!("EVSE{n}"), "1").expect("ref"),
            kw(7.2),
            Phases::One,
            240.0,
            true,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
    }
    let mut done_session = None;
    for (n, kwh, wants) in [(1, 8.0, Some(30.0)), (2, 20.0, Some(20.0)), (4, 3.0, None)] {
        let port_id = PortId::parse(&format!("p{n}")).expect("id");
        let token = TokenUid::parse(&format!("CARD-{n}")).expect("uid");
        if n != 4 {
            let participant = Participant::new(
                ParticipantId::generate(),
                chargeplan_core::MemberId::generate(&mut rand::rng()),
                site_id.clone(),
                PhoneNumber::parse(&format!("+1415555020{n}")).expect("phone"),
                vec![token.clone()],
                WhPerMile::default(),
                now,
            )
            .expect("participant");
            store
                .insert_participant(&participant)
                .await
                .expect("participant");
        }
        let session = Session {
            id: SessionId::generate(),
            site_id: site_id.clone(),
            vendor_account: vendor.clone(),
            vendor_session_id: format!("s{n}"),
            port_id: Some(port_id),
            token_uid: Some(token),
            started_at: now - Duration::hours(2),
            ended_at: None,
            energy: KilowattHours::new(kwh).expect("kWh"),
            power: kw(if n == 2 { 0.0 } else { 6.6 }),
            status: SessionStatus::Active,
            vendor_updated_at: now,
        };
        let (_, session) = store
            .upsert_session(&session, &Effects::none())
            .await
            .expect("session");
        if let Some(wants) = wants {
            let request = ChargingRequest::new(
                session.id.clone(),
                1,
                now + Duration::hours(4),
                EnergyNeed::Kwh(wants),
                Some(WhPerMile::DEFAULT),
                now,
            )
            .expect("request");
            store
                .add_request_revision(&request, &Effects::none())
                .await
                .expect("request");
        }
        if n == 2 {
            done_session = Some(session.id.clone());
        }
    }
    let done = done_session.expect("done session");
    store
        .set_owner_return(&done, now + Duration::minutes(20), now)
        .await
        .expect("owner's return");
    store
        .set_ok_to_unplug(&done, now)
        .await
        .expect("owner's OK");
    store
        .set_port_cable_movable(&PortId::parse("p2").expect("id"), true)
        .await
        .expect("movable cable");
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_shows_every_port_at_phone_size_without_a_number_and_takes_a_waitlist_join() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    seed(store.as_ref()).await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let site = SiteId::parse(SITE).expect("id");
    chargeplan_control::waitlist::join(
        store.as_ref(),
        clock.as_ref(),
        &site,
        &PhoneNumber::parse(WAITING).expect("phone"),
    )
    .await
    .expect("joined");
    let cancel = CancellationToken::new();
    let control = chargeplan_control::start(
        store.clone(),
        clock.clone(),
        ControlConfig::default(),
        &TaskTracker::new(),
        cancel.clone(),
    );
    control.replan_now(&site).await.expect("first plan");
    let state = AppState::new(store.clone(), clock, control);
    let options = HttpOptions {
        request_timeout: StdDuration::from_secs(30),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let service = app(state, &options).into_make_service_with_connect_info::<SocketAddr>();
    let server_cancel = cancel.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(server_cancel.cancelled_owned())
            .await
    });

    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");
    page.set_viewport(412, 900, true)
        .await
        .expect("phone viewport");
    page.goto(&format!("{base}/sites/{SITE}/board"))
        .await
        .expect("board");
    page.wait_for_text("Chargers at Depot North", StdDuration::from_secs(10))
        .await
        .expect("the board");
    let refresh = page
        .eval("document.getElementById('live').getAttribute('data-refresh')")
        .await
        .expect("refresh attribute");
    let fragment = page
        .eval(
            "fetch(document.getElementById('live').dataset.refreshUrl) \
             .then(r => r.text().then(t => r.status + ' ' + t.includes('chargers free')))",
        )
        .await
        .expect("live block");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(shots).expect("screenshot directory");
    let shot = shots.join("board-phone.png");
    page.screenshot_png(&shot).await.expect("screenshot");
    println!("screenshot: {}", shot.display());
    let text = page.text().await.expect("text");
    let html = page.html().await.expect("html");

    assert_eq!(refresh, "every 20 s", "the refresh script runs");
    assert_eq!(fragment, "200 true", "the script's live block loads");
    for expected in [
        // p3 is free and already offered to the driver waiting.
        "0 of 4 chargers free",
        "Free — offered to the next in line",
        "1 driver is waiting.",
        "Port p1",
        "Charging",
        "8.0 of 30 kWh",
        "Planned to finish",
        "Done",
        "20 of 20 kWh",
        "Owner back around",
        "Port p3",
        "3.0 kWh so far",
        "Join the waitlist",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    for hidden in ["415555", "CARD-", "+1"] {
        assert!(!html.contains(hidden), "{hidden:?} on the board");
    }
    assert_eq!(
        text.matches("OK to unplug").count(),
        1,
        "only the done car whose owner said OK, on a port whose cable may be moved"
    );

    page.fill("#phone", JOINER).await.expect("phone");
    page.click("form[action$=\"/waitlist\"] button[type=submit]")
        .await
        .expect("submitted");
    page.wait_for_text("Enter your code", StdDuration::from_secs(10))
        .await
        .expect("the code step");
    let code_text = page.text().await.expect("text");
    assert!(
        !code_text.contains("555 0288") && !code_text.contains("5550288"),
        "{code_text}"
    );
    let texts = store
        .claim_due_messages(Utc::now() + Duration::days(1), Duration::hours(1), 100)
        .await
        .expect("outbox");
    let code_text_message = texts
        .iter()
        .find(|m| {
            m.body
                .starts_with("Your code to join the waitlist at Depot North is ")
        })
        .expect("the code was texted");
    let code: String = code_text_message
        .body
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    page.fill("#code", &code).await.expect("code");
    page.click("button[type=submit]")
        .await
        .expect("code submitted");
    page.wait_for_text(
        "You're on the waitlist at Depot North: number 2.",
        StdDuration::from_secs(10),
    )
    .await
    .expect("the place in line");
    let joined_shot = shots.join("board-joined.png");
    page.screenshot_png(&joined_shot).await.expect("screenshot");
    println!("screenshot: {}", joined_shot.display());
    let line = store.list_waitlist(&site).await.expect("line");
    assert_eq!(line.len(), 2);

    let off = chargeplan_core::SharingSettings {
        board_enabled: false,
        ..chargeplan_core::SharingSettings::default()
    };
    store
        .set_sharing_settings(&site, &off, Utc::now())
        .await
        .expect("board off");
    let statuses = page
        .eval(&format!(
            "Promise.all(['/sites/{SITE}/board', '/sites/{SITE}/board/live'].map(u => fetch(u).then(r => r.status))).then(s => s.join(' '))"
        ))
        .await
        .expect("statuses");
    assert_eq!(statuses, "404 404", "a board turned off is not found");

    drop(browser);
    cancel.cancel();
    server.await.expect("server task").expect("server");
}
