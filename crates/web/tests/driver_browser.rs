//! The driver's page in headless Chromium, at phone size (412×900) and desktop size
//! (1366×900), on a London site at 10:34 on Friday 5 June 2026: the site's time shown, a
//! departure that has passed asked about before anything is saved ("10:04 has passed — did
//! you mean tomorrow, Sat 10:04?") and saved once confirmed, the projection said once, a
//! shortfall that names the charger as its limit with the facts still above the fold, the
//! chart's "now" line and power axis, and the ended page with its times, energy and cost;
//! and registering there with a number typed the British way ("07700 900123"), after one no
//! network gives out ("+1 555") was refused with the form expected.
//!
//! The app runs on a real TCP listener with a SQLite store, a manual clock and the control
//! loop. Needs Chromium (`chromium` on `PATH` or `$CHARGEPLAN_CHROMIUM`); screenshots are left
//! in `target/tmp/driver_page/`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chargeplan_browser::{Browser, Page};
use chargeplan_control::{ControlConfig, conversation};
use chargeplan_core::{
    Circuit, CircuitId, ClockFormat, Country, KilowattHours, Kilowatts, ManualClock, MemberId,
    MeterSample, Participant, ParticipantId, Phases, PhoneNumber, Port, PortId, Session, SessionId,
    SessionStatus, Site, SiteId, Tariff, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreTarget};
use chargeplan_web::{AppState, HttpOptions, app};
use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const SITE: &str = "camden";
/// The driver's own number, typed as a London driver would at registration.
const DRIVER_PHONE: &str = "07700 900123";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

/// 10:34 BST on Friday 5 June 2026.
fn t0() -> DateTime<Utc> {
    t("2026-06-05T09:34:00Z")
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("driver_page")
}

/// A London garage (24-hour times, GB numbers) with one 7.2 kW port and a tariff, and a
/// driver's car plugged in since 09:40 with 2 kWh so far. Returns the session.
async fn seed(store: &dyn Store) -> Session {
    seed_with(store, ClockFormat::TwentyFourHour).await
}

/// [`seed`] at a site writing times in `clock`.
async fn seed_with(store: &dyn Store, clock: ClockFormat) -> Session {
    let site_id = SiteId::parse(SITE).expect("id");
    let site = Site::new(site_id.clone(), "Garage Camden", "Europe/London", 5)
        .expect("site")
        .with_locale(clock, Country::parse("GB").expect("GB"));
    store.upsert_site(&site, t0()).await.expect("site");
    let circuit_id = CircuitId::parse("main").expect("id");
    let circuit = Circuit::new(circuit_id.clone(), site_id.clone(), "Main", None, kw(150.0))
        .expect("circuit");
    store
        .replace_circuits(&site_id, &[circuit], t0())
        .await
        .expect("circuits");
    let vendor = VendorAccountId::parse("cpo").expect("id");
    let port = Port::new(
        PortId::parse("p1").expect("id"),
        site_id.clone(),
        circuit_id,
        VendorRef::new(vendor.clone(), "LOC", "EVSE1", "1").expect("ref"),
        kw(7.2),
        Phases::One,
        240.0,
        true,
    )
    .expect("port");
    store.upsert_port(&port).await.expect("port");
    let tariff = Tariff::new(site_id.clone(), "GBP", 0.25, Vec::new(), 0.0, 1).expect("tariff");
    store.set_tariff(&tariff, t0()).await.expect("tariff");
    let phone = PhoneNumber::from_typed(DRIVER_PHONE, Some(site.country)).expect("GB mobile");
    let participant = Participant::new(
        ParticipantId::generate(),
        MemberId::parse("K7QX2M").expect("id"),
        site_id.clone(),
        phone,
        vec![TokenUid::parse("CARD-1").expect("uid")],
        WhPerMile::default(),
        t0(),
    )
    .expect("participant");
    store
        .insert_participant(&participant)
        .await
        .expect("stored");
    let session = Session {
        id: SessionId::generate(),
        site_id,
        vendor_account: vendor,
        vendor_session_id: "s1".to_owned(),
        port_id: Some(PortId::parse("p1").expect("id")),
        token_uid: Some(TokenUid::parse("CARD-1").expect("uid")),
        started_at: t("2026-06-05T08:40:00Z"),
        ended_at: None,
        energy: KilowattHours::new(2.0).expect("kWh"),
        power: kw(6.6),
        status: SessionStatus::Active,
        vendor_updated_at: t0(),
    };
    let (_, session) = store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session");
    for (at, kwh, power) in [
        ("2026-06-05T09:00:00Z", 0.5, 6.5),
        ("2026-06-05T09:30:00Z", 2.0, 6.6),
    ] {
        let sample = MeterSample {
            session_id: session.id.clone(),
            at: t(at),
            energy: KilowattHours::new(kwh).expect("kWh"),
            power: kw(power),
            state_of_charge_pct: None,
        };
        store.add_meter_sample(&sample).await.expect("sample");
    }
    session
}

/// Where the facts end and the viewport's height, and whether anything scrolls sideways.
const LAYOUT: &str = r"(() => {
  const facts = document.getElementById('facts').getBoundingClientRect();
  return JSON.stringify({
    facts_bottom: facts.bottom,
    height: window.innerHeight,
    sideways: document.documentElement.scrollWidth > window.innerWidth + 1,
  });
})()";

/// Checks that the facts are above the fold and nothing scrolls sideways.
async fn assert_facts_above_the_fold(page: &Page, what: &str) {
    let layout = page.eval(LAYOUT).await.expect("layout");
    let layout: serde_json::Value =
        serde_json::from_str(layout.as_str().expect("a string")).expect("json");
    let bottom = layout["facts_bottom"].as_f64().expect("bottom");
    let height = layout["height"].as_f64().expect("height");
    assert!(
        bottom <= height,
        "{what}: facts end at {bottom}px of {height}px"
    );
    assert_eq!(
        layout["sideways"], false,
        "{what}: the page scrolls sideways"
    );
}

/// The page's text with runs of white space as one space.
async fn text(page: &Page) -> String {
    let text = page.text().await.expect("text");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Types a request into the form and saves it.
async fn ask(page: &Page, departure: &str, kwh: &str) {
    page.fill("#departure", departure).await.expect("departure");
    page.fill("#amount", kwh).await.expect("amount");
    page.check("#unit-kwh").await.expect("kWh");
    page.click_and_wait_for_navigation("form[novalidate] button[type=submit]")
        .await
        .expect("saved");
}

/// One size: the question, its confirmation, the projection once, a shortfall, the chart.
async fn request_flow(
    page: &Page,
    link: &str,
    store: &dyn Store,
    session: &SessionId,
    typed: &str,
    (width, height, mobile): (u32, u32, bool),
) {
    let size = format!("{width}×{height}");
    page.set_viewport(width, height, mobile)
        .await
        .expect("viewport");
    page.goto(link).await.expect("page");
    let shown = text(page).await;
    assert!(
        shown.contains("Time at the charger now: Fri 10:34"),
        "{size}: {shown}"
    );
    assert_facts_above_the_fold(page, &format!("{size} first look")).await;
    let kind = page
        .eval("document.getElementById('departure').type")
        .await
        .expect("type");
    assert_eq!(
        kind.as_str(),
        Some("text"),
        "{size}: the site's own time field"
    );

    // A time that has passed is asked about, and nothing is saved yet.
    let before = store.latest_request(session).await.expect("read");
    ask(page, typed, "20").await;
    let shown = text(page).await;
    let question = format!("{typed} has passed — did you mean tomorrow, Sat {typed}?");
    assert!(shown.contains(&question), "{size}: {shown}");
    assert_eq!(store.latest_request(session).await.expect("read"), before);
    page.screenshot_png(out_dir().join(format!("question-{width}.png")))
        .await
        .expect("screenshot");

    // Yes: saved for tomorrow, and the projection said once.
    page.click_and_wait_for_navigation("#confirm-departure")
        .await
        .expect("confirmed");
    let url = page.url().await.expect("url");
    assert!(url.ends_with("?saved=1"), "{size}: {url}");
    let saved = store
        .latest_request(session)
        .await
        .expect("read")
        .expect("saved");
    assert_eq!(
        saved
            .departure
            .with_timezone(&chrono_tz::Europe::London)
            .format("%a %H:%M")
            .to_string(),
        format!("Sat {typed}")
    );
    let shown = text(page).await;
    assert!(shown.contains("Saved."), "{size}: {shown}");
    let promise = format!("You'll have ~20 kWh by Sat {typed}.");
    assert_eq!(
        shown.matches(&promise).count(),
        1,
        "{size}: said once: {shown}"
    );
    assert_facts_above_the_fold(page, &format!("{size} saved")).await;

    // The chart: a "now" line, and the power axis labelled between 0 and its top.
    let ticks = page
        .eval("[...document.querySelectorAll('.power-tick')].map(e => e.textContent).join(' ')")
        .await
        .expect("ticks");
    assert_eq!(ticks.as_str(), Some("0 2 4 6 7.2"), "{size}");
    let now_line = page
        .eval("!!document.getElementById('chart-now')")
        .await
        .expect("now line");
    assert_eq!(now_line.as_bool(), Some(true), "{size}");

    // More than an hour at 7.2 kW can give: the charger is named as the limit.
    ask(page, "11:34", "40").await;
    let shown = text(page).await;
    let shortfall = "This charger gives at most 7.2 kW, so by 11:34 you will have about";
    assert_eq!(shown.matches(shortfall).count(), 1, "{size}: {shown}");
    assert!(
        shown.contains("of the 40 kWh you asked for; leave later or ask for less."),
        "{size}: {shown}"
    );
    assert_facts_above_the_fold(page, &format!("{size} shortfall")).await;
    page.screenshot_png(out_dir().join(format!("shortfall-{width}.png")))
        .await
        .expect("screenshot");
}

/// The personal link of the seeded driver, from the Welcome SMS.
async fn welcome_link(store: &dyn Store, session: &Session) -> String {
    let site = store.get_site(&session.site_id).await.expect("site");
    conversation::welcome(store, &site, session, &ControlConfig::default(), t0())
        .await
        .expect("welcome");
    let welcome = store
        .claim_due_messages(t0() + Duration::days(1), Duration::days(1), 10)
        .await
        .expect("messages")
        .into_iter()
        .find(|m| m.body.starts_with("Welcome to Garage Camden."))
        .expect("a welcome");
    assert_eq!(welcome.recipient.as_e164(), "+447700900123");
    welcome.body[welcome.body.find("/r/").expect("a link")..].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_12_hour_site_shows_and_reads_every_time_with_am_or_pm() {
    std::fs::create_dir_all(out_dir()).expect("out dir");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(&dir).await;
    let session = seed_with(store.as_ref(), ClockFormat::TwelveHour).await;
    let path = welcome_link(store.as_ref(), &session).await;
    let served = serve(store.clone(), Arc::new(ManualClock::new(t0()))).await;
    let link = format!("{}{path}", served.base);
    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");
    for (width, height, mobile, typed) in
        [(412, 900, true, "5:30 pm"), (1366, 900, false, "6:15 pm")]
    {
        page.set_viewport(width, height, mobile)
            .await
            .expect("viewport");
        page.goto(&link).await.expect("page");
        let shown = text(&page).await;
        for words in [
            "Time at the charger now: Fri 10:34 am",
            "Started at 9:40 am",
            "Time at the charger, for example 5:30 pm.",
        ] {
            assert!(shown.contains(words), "{width}: {words}: {shown}");
        }
        let hours = page
            .eval("[...document.querySelectorAll('svg text')].map(e => e.textContent).filter(t => t.endsWith(' am') || t.endsWith(' pm')).length")
            .await
            .expect("hour labels");
        assert!(hours.as_u64() > Some(0), "{width}: chart hours in am/pm");
        // "5:30" could be either: the page asks rather than guesses.
        ask(&page, "5:30", "20").await;
        let shown = text(&page).await;
        assert!(
            shown.contains("Add am or pm to the time you leave, for example 5:30 pm."),
            "{width}: {shown}"
        );
        ask(&page, typed, "20").await;
        let shown = text(&page).await;
        let promise = format!("You'll have ~20 kWh by {typed}.");
        assert_eq!(shown.matches(&promise).count(), 1, "{width}: {shown}");
        assert!(
            !shown.contains("17:30") && !shown.contains("18:15"),
            "{width}: {shown}"
        );
        page.screenshot_png(out_dir().join(format!("twelve-hour-{width}.png")))
            .await
            .expect("screenshot");
    }
    drop(browser);
    served.stop().await;
}

/// The app on a real listener with the control loop, planned once.
struct Served {
    /// `http://127.0.0.1:PORT`.
    base: String,
    cancel: CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    async fn stop(self) {
        self.cancel.cancel();
        self.server.await.expect("server task").expect("server");
    }
}

async fn serve(store: Arc<dyn Store>, clock: Arc<ManualClock>) -> Served {
    let cancel = CancellationToken::new();
    let dyn_clock: Arc<dyn chargeplan_core::Clock> = clock;
    let control = chargeplan_control::start(
        store.clone(),
        dyn_clock.clone(),
        ControlConfig::default(),
        &TaskTracker::new(),
        cancel.clone(),
    );
    control
        .replan_now(&SiteId::parse(SITE).expect("id"))
        .await
        .expect("planned");
    let state = AppState::new(store, dyn_clock, control);
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
    Served {
        base,
        cancel,
        server,
    }
}

async fn open_store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_london_driver_registers_with_a_british_number_and_a_number_no_network_gives_is_refused()
{
    std::fs::create_dir_all(out_dir()).expect("out dir");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(&dir).await;
    seed(store.as_ref()).await;
    let served = serve(store.clone(), Arc::new(ManualClock::new(t0()))).await;
    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");
    for (width, height, mobile, number) in [
        (412, 900, true, "07700 900456"),
        (1366, 900, false, "07700 900457"),
    ] {
        page.set_viewport(width, height, mobile)
            .await
            .expect("viewport");
        page.goto(&format!("{}/join/{SITE}", served.base))
            .await
            .expect("join page");
        let shown = text(&page).await;
        assert!(
            shown.contains(
                "A GB mobile number like 07400 123456, or an international number starting with +."
            ),
            "{width}: {shown}"
        );
        page.fill("#phone", "+1 555").await.expect("phone");
        page.fill("#tokens", &format!("CARD-{width}"))
            .await
            .expect("card");
        page.click_and_wait_for_navigation("button[type=submit]")
            .await
            .expect("submitted");
        let shown = text(&page).await;
        assert!(
            shown.contains("No network gives out that number: use a GB mobile number such as 07400 123456, or another country's with its code, such as +44 7400 123456."),
            "{width}: {shown}"
        );
        page.fill("#phone", number).await.expect("phone");
        page.click_and_wait_for_navigation("button[type=submit]")
            .await
            .expect("submitted");
        let url = page.url().await.expect("url");
        assert!(
            url.contains("/join/verify/"),
            "{width}: {url}: {}",
            text(&page).await
        );
        let html = page.html().await.expect("html");
        assert!(
            !html.contains("7700 900") && !html.contains("7700900"),
            "{width}: {html}"
        );
        page.screenshot_png(out_dir().join(format!("join-{width}.png")))
            .await
            .expect("screenshot");
    }
    let texted: Vec<String> = store
        .claim_due_messages(t0() + Duration::days(1), Duration::days(1), 10)
        .await
        .expect("messages")
        .into_iter()
        .filter(|m| m.body.starts_with("Your code to register at Garage Camden"))
        .map(|m| m.recipient.as_e164().to_owned())
        .collect();
    assert_eq!(texted, ["+447700900456", "+447700900457"]);
    drop(browser);
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_is_asked_about_a_past_time_sees_one_projection_a_true_shortfall_and_the_ended_session()
 {
    std::fs::create_dir_all(out_dir()).expect("out dir");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(&dir).await;
    let clock = Arc::new(ManualClock::new(t0()));
    let session = seed(store.as_ref()).await;
    let path = welcome_link(store.as_ref(), &session).await;
    let served = serve(store.clone(), clock.clone()).await;
    let link = format!("{}{path}", served.base);
    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");

    let store_ref = store.as_ref();
    request_flow(
        &page,
        &link,
        store_ref,
        &session.id,
        "10:04",
        (412, 900, true),
    )
    .await;
    request_flow(
        &page,
        &link,
        store_ref,
        &session.id,
        "10:30",
        (1366, 900, false),
    )
    .await;

    // The car leaves at 12:49, with 14.5 kWh.
    let ended = Session {
        ended_at: Some(t("2026-06-05T11:49:00Z")),
        energy: KilowattHours::new(14.5).expect("kWh"),
        power: kw(0.0),
        status: SessionStatus::Completed,
        vendor_updated_at: t("2026-06-05T11:49:00Z"),
        ..session.clone()
    };
    store
        .upsert_session(&ended, &Effects::none())
        .await
        .expect("ended");
    clock.set(t("2026-06-05T11:55:00Z"));
    for (width, height, mobile) in [(412, 900, true), (1366, 900, false)] {
        page.set_viewport(width, height, mobile)
            .await
            .expect("viewport");
        page.goto(&link).await.expect("ended page");
        let shown = text(&page).await;
        for fact in [
            "This charging session has ended.",
            "Started 09:40",
            "Ended 12:49",
            "Plugged in for 3 h 9 min",
            "You asked for 40 kWh by 11:34",
            "Delivered 14.5 kWh",
            "Cost of the energy GBP 3.63",
        ] {
            assert!(shown.contains(fact), "{width}: {fact}: {shown}");
        }
        assert_facts_above_the_fold(&page, &format!("{width} ended")).await;
        page.screenshot_png(out_dir().join(format!("ended-{width}.png")))
            .await
            .expect("screenshot");
        let html = page.html().await.expect("html");
        assert!(
            !html.contains("7700 900123") && !html.contains("7700900123"),
            "{html}"
        );
    }

    drop(browser);
    served.stop().await;
}
