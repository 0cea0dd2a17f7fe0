//! `/c/{ID}` — the page a sticker's QR code opens — in headless Chromium at phone size
//! (412×900) and desktop size (1366×900): a waiting driver writes a message, asks to join the
//! waitlist too, types the texted code, and the owner gets the message; no number of either
//! side on any page. Screenshots are saved for a person to look at.
//!
//! The app runs on a real TCP listener with a SQLite store, the real clock and the control
//! loop. Needs Chromium (`chromium` on `PATH` or `$CHARGEPLAN_CHROMIUM`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chargeplan_browser::{Browser, Page};
use chargeplan_control::ControlConfig;
use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, MemberId, Participant, ParticipantId, PhoneNumber, Site,
    SiteId, SystemClock, TokenUid, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{OutboxMessage, StoreTarget};
use chargeplan_web::{AppState, HttpOptions, app};
use chrono::{Duration, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const SITE: &str = "depot";
const OWNER: &str = "+14155550301";
const WAITER_TYPED: &str = "415 555 0377";

/// A site with one registered driver; returns their member ID.
async fn seed(store: &dyn Store) -> MemberId {
    let now = Utc::now();
    let site_id = SiteId::parse(SITE).expect("id");
    let site = Site::new(site_id.clone(), "Depot North", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, now).await.expect("site");
    let circuit = Circuit::new(
        CircuitId::parse("depot-main").expect("id"),
        site_id.clone(),
        "Main",
        None,
        Kilowatts::new(50.0).expect("kW"),
    )
    .expect("circuit");
    store
        .replace_circuits(&site_id, &[circuit], now)
        .await
        .expect("circuits");
    let owner = Participant::new(
        ParticipantId::generate(),
        MemberId::generate(&mut rand::rng()),
        site_id,
        PhoneNumber::parse(OWNER).expect("phone"),
        vec![TokenUid::parse("CARD-1").expect("uid")],
        WhPerMile::default(),
        now,
    )
    .expect("participant");
    store.insert_participant(&owner).await.expect("owner");
    owner.member_id
}

async fn texts(store: &dyn Store) -> Vec<OutboxMessage> {
    store
        .claim_due_messages(Utc::now() + Duration::days(1), Duration::hours(1), 100)
        .await
        .expect("outbox")
}

/// Whether the page is wider than its viewport (something sticks out sideways).
async fn overflows(page: &Page) -> bool {
    page.eval("document.documentElement.scrollWidth > window.innerWidth")
        .await
        .expect("widths")
        .as_bool()
        .expect("a boolean")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_driver_writes_to_an_owner_and_joins_the_waitlist_from_the_qr_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    let member = seed(store.as_ref()).await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let cancel = CancellationToken::new();
    let control = chargeplan_control::start(
        store.clone(),
        clock.clone(),
        ControlConfig::default(),
        &TaskTracker::new(),
        cancel.clone(),
    );
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
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(shots).expect("screenshot directory");

    let browser = Browser::launch().await.expect("chromium starts");
    let desktop = browser.new_page().await.expect("page");
    desktop
        .set_viewport(1366, 900, false)
        .await
        .expect("desktop viewport");
    desktop
        .goto(&format!("{base}/c/{member}"))
        .await
        .expect("contact page");
    desktop
        .wait_for_text("Reach the owner of", StdDuration::from_secs(10))
        .await
        .expect("the page");
    assert!(
        !overflows(&desktop).await,
        "nothing sticks out at desktop size"
    );
    desktop
        .screenshot_png(shots.join("contact-desktop.png"))
        .await
        .expect("screenshot");

    let page = browser.new_page().await.expect("page");
    page.set_viewport(412, 900, true)
        .await
        .expect("phone viewport");
    page.goto(&format!("{base}/c/{member}"))
        .await
        .expect("contact page");
    page.wait_for_text("Reach the owner of", StdDuration::from_secs(10))
        .await
        .expect("the page");
    assert!(!overflows(&page).await, "nothing sticks out at phone size");
    let first = page.text().await.expect("text");
    assert!(first.contains("Your mobile number"), "{first}");
    assert!(first.contains("waitlist"), "{first}");
    page.screenshot_png(shots.join("contact-phone.png"))
        .await
        .expect("screenshot");

    page.fill("#message", "Are you leaving soon?")
        .await
        .expect("message");
    page.fill("#phone", WAITER_TYPED).await.expect("phone");
    page.check("#waitlist").await.expect("waitlist box");
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .expect("submitted");
    page.wait_for_text("Enter your code", StdDuration::from_secs(10))
        .await
        .expect("the code step");
    let code_step = page.text().await.expect("text");
    assert!(!code_step.contains("555 0377"), "{code_step}");
    let code: String = texts(store.as_ref())
        .await
        .iter()
        .find(|m| m.body.starts_with("Your code to send your message"))
        .expect("the code was texted")
        .body
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .expect("six digits")
        .to_owned();
    page.fill("#code", &code).await.expect("code");
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .expect("code submitted");
    page.wait_for_text("Message sent", StdDuration::from_secs(10))
        .await
        .expect("sent");
    page.screenshot_png(shots.join("contact-sent.png"))
        .await
        .expect("screenshot");
    let sent = page.text().await.expect("text");
    let html = page.html().await.expect("html");

    assert!(sent.contains("you are on it"), "{sent}");
    for number in ["0301", "0377", "+1"] {
        assert!(!html.contains(number), "{number:?} on the page");
    }
    let after = texts(store.as_ref()).await;
    assert!(
        after
            .iter()
            .any(|m| m.recipient.as_e164() == OWNER && m.body.contains("Are you leaving soon?")),
        "the owner got the message: {after:?}"
    );
    let line = store
        .list_waitlist(&SiteId::parse(SITE).expect("id"))
        .await
        .expect("line");
    assert_eq!(line.len(), 1, "on the waitlist");

    cancel.cancel();
    let _ = server.await;
}
