//! The operator dashboard in headless Chromium: log in, read the site's chart, lower the
//! cap in the cap editor and see the re-planned chart under the new cap; at phone and desktop
//! size, the change is told once (a reload does not say it again), each session is named by
//! alias and id as in the reports, and the footer leads to the API's reference.
//!
//! The app is served on a real TCP listener with a SQLite store in a temporary directory,
//! the real clock and a running control loop (no vendor dispatch). Like the driver flow in
//! `tests/e2e/driver.rs`, the test needs Chromium (`chromium` on `PATH` or
//! `$CHARGEPLAN_CHROMIUM`) and fails without it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chargeplan_browser::{Browser, Page};
use chargeplan_control::ControlConfig;
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, KilowattHours, Kilowatts, MeterSample,
    Participant, ParticipantId, Phases, PhoneNumber, Port, PortId, Session, SessionId,
    SessionStatus, Site, SiteId, SystemClock, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, Operator, OperatorRole, StoreTarget};
use chargeplan_web::access::password::hash_password;
use chargeplan_web::{AppState, HttpOptions, app};
use chrono::{Duration, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const SITE: &str = "depot";
const CIRCUIT: &str = "depot-main";
const OPERATOR: &str = "ada";
const PASSWORD: &str = "dashboard-password-1";
/// Each port's maximum: four cars at full power need 76.8 kW.
const PORT_KW: f64 = 19.2;

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

/// The site with a 150 kW circuit, four ports, four cars asking for more than their ports
/// deliver in three hours (so the plan runs every port at its maximum), and an admin.
async fn seed(store: &dyn Store) {
    let now = Utc::now();
    let site_id = SiteId::parse(SITE).expect("id");
    let site = Site::new(site_id.clone(), "Depot North", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, now).await.expect("site");
    let circuit_id = CircuitId::parse(CIRCUIT).expect("id");
    let circuit = Circuit::new(circuit_id.clone(), site_id.clone(), "Main", None, kw(150.0))
        .expect("circuit");
    store
        .replace_circuits(&site_id, &[circuit], now)
        .await
        .expect("circuits");
    let vendor = VendorAccountId::parse("cpo").expect("id");
    for n in 1..=4 {
        let port_id = PortId::parse(&format!("depot-p{n}")).expect("id");
        let port = Port::new(
            port_id.clone(),
            site_id.clone(),
            circuit_id.clone(),
            VendorRef::new(vendor.clone(), "LOC", &format!("EVSE{n}"), "1").expect("ref"),
            kw(PORT_KW),
            Phases::One,
            240.0,
            true,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
        let token = TokenUid::parse(&format!("CARD-{n}")).expect("uid");
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
        let session = Session {
            id: SessionId::generate(),
            site_id: site_id.clone(),
            vendor_account: vendor.clone(),
            vendor_session_id: format!("s{n}"),
            port_id: Some(port_id),
            token_uid: Some(token),
            started_at: now - Duration::hours(2),
            ended_at: None,
            energy: KilowattHours::new(15.0).expect("kWh"),
            power: kw(PORT_KW * 0.8),
            status: SessionStatus::Active,
            vendor_updated_at: now,
        };
        let (_, session) = store
            .upsert_session(&session, &Effects::none())
            .await
            .expect("session");
        for minutes in (2_i32..120).step_by(3) {
            let sample = MeterSample::new(
                session.id.clone(),
                now - Duration::minutes(i64::from(minutes)),
                KilowattHours::new(15.0 * (1.0 - f64::from(minutes) / 120.0)).expect("kWh"),
                kw(PORT_KW * (0.6 + 0.1 * f64::from(n))),
                None,
            )
            .expect("sample");
            store.add_meter_sample(&sample).await.expect("sample");
        }
        let request = ChargingRequest::new(
            session.id.clone(),
            1,
            now + Duration::hours(3),
            EnergyNeed::Kwh(70.0),
            Some(WhPerMile::DEFAULT),
            now,
        )
        .expect("request");
        store
            .add_request_revision(&request, &Effects::none())
            .await
            .expect("request");
    }
    let admin = Operator {
        id: "op-ada".to_owned(),
        name: OPERATOR.to_owned(),
        role: OperatorRole::Admin,
        password_hash: Some(hash_password(PASSWORD).expect("hash")),
        sites: Vec::new(),
        created_at: now,
    };
    store.insert_operator(&admin).await.expect("operator");
}

/// An attribute of the circuit's chart, as a number.
async fn chart_number(page: &Page, attribute: &str) -> f64 {
    let js = format!(
        "document.querySelector('svg[data-circuit-id=\"{CIRCUIT}\"]').getAttribute('{attribute}')"
    );
    let value = page.eval(&js).await.expect("chart attribute");
    value
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{attribute} is not a number: {value}"))
}

/// The dashboard served on a real listener over the seeded store, until `cancel`.
struct Served {
    base: String,
    cancel: CancellationToken,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Holds the store's folder.
    _dir: tempfile::TempDir,
}

impl Served {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrated");
        seed(store.as_ref()).await;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        let control = chargeplan_control::start(
            store.clone(),
            clock.clone(),
            ControlConfig::default(),
            &tracker,
            cancel.clone(),
        );
        control
            .replan_now(&SiteId::parse(SITE).expect("id"))
            .await
            .expect("first plan");
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
        Self {
            base,
            cancel,
            server,
            _dir: dir,
        }
    }

    async fn stop(self) {
        self.cancel.cancel();
        self.server.await.expect("server task").expect("server");
    }
}

/// Logs in on the login form `page` was sent to and opens the site's overview.
async fn log_in_to_the_overview(page: &Page, base: &str) {
    page.goto(&format!("{base}/dashboard"))
        .await
        .expect("dashboard");
    assert!(
        page.url().await.expect("url").contains("/login?next="),
        "not logged in: the login form"
    );
    page.fill("#name", OPERATOR).await.expect("name");
    page.fill("#password", PASSWORD).await.expect("password");
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .expect("logged in");
    // At phone width the site's name wraps in its cell, so the middle of the link is the
    // gap between its lines: open its address as a tap on either line would.
    let link = page
        .eval(&format!(
            "document.querySelector('a[href=\"/dashboard/sites/{SITE}\"]').href"
        ))
        .await
        .expect("the site's link");
    page.goto(link.as_str().expect("an address"))
        .await
        .expect("the site's overview");
    page.wait_for_text("Power by circuit", StdDuration::from_secs(10))
        .await
        .expect("the overview");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_lowers_a_cap_in_the_browser_and_the_chart_follows() {
    let served = Served::start().await;
    let base = served.base.clone();

    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");
    page.set_viewport(1280, 1600, false)
        .await
        .expect("desktop viewport");
    log_in_to_the_overview(&page, &base).await;
    let refresh = page
        .eval("document.getElementById('charts').getAttribute('data-refresh')")
        .await
        .expect("refresh attribute");
    assert_eq!(refresh, "every 15 s", "the refresh script runs");
    let fragment = page
        .eval(
            "fetch(document.getElementById('charts').getAttribute('data-refresh-url'), \
             { redirect: 'manual' }).then(r => r.text().then(t => r.status + ' ' + t.includes('data-cap-kw')))",
        )
        .await
        .expect("chart fragment");
    assert_eq!(fragment, "200 true", "the script's chart fragment loads");
    let before = chart_number(&page, "data-planned-peak-kw").await;
    assert!(before > 40.0, "four cars at full power: {before} kW");
    assert_eq!(chart_number(&page, "data-cap-kw").await, 150.0);

    page.fill(&format!("#cap-{CIRCUIT}-static"), "40")
        .await
        .expect("cap");
    page.click_and_wait_for_navigation(&format!("#caps-{CIRCUIT} form[action$=\"/cap\"] button"))
        .await
        .expect("cap saved");
    page.wait_for_text("Cap of Main set to 40 kW", StdDuration::from_secs(15))
        .await
        .expect("the notice");
    let mut cap_and_peak = (0.0, f64::INFINITY);
    for _ in 0..20 {
        cap_and_peak = (
            chart_number(&page, "data-cap-kw").await,
            chart_number(&page, "data-planned-peak-kw").await,
        );
        if cap_and_peak.0 == 40.0 && cap_and_peak.1 <= 40.0 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(250)).await;
    }
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(shots).expect("screenshot directory");
    let shot = shots.join("dashboard-cap-lowered.png");
    page.screenshot_png(&shot).await.expect("screenshot");
    println!("screenshot: {}", shot.display());
    let text = page.text().await.expect("text");

    assert_eq!(cap_and_peak.0, 40.0, "the chart shows the new cap");
    assert!(
        cap_and_peak.1 <= 40.0,
        "planned {} kW under a 40 kW cap",
        cap_and_peak.1
    );
    assert!(
        !text.contains("415555020"),
        "no phone numbers on the dashboard"
    );
    page.click_and_wait_for_navigation("a[href$=\"/reports\"]")
        .await
        .expect("the reports");
    page.wait_for_text("Requests fully met", StdDuration::from_secs(10))
        .await
        .expect("the report's summary");
    let reports_shot = shots.join("dashboard-reports.png");
    page.screenshot_png(&reports_shot)
        .await
        .expect("screenshot");
    println!("screenshot: {}", reports_shot.display());
    drop(browser);
    served.stop().await;
}

/// The open sessions' ids, as the overview's sessions table shows them.
async fn session_ids(page: &Page) -> Vec<String> {
    let ids = page
        .eval("Array.from(document.querySelectorAll('#sessions .session-id code')).map(c => c.textContent)")
        .await
        .expect("session ids");
    serde_json::from_value(ids).expect("a list of ids")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_phone_and_desktop_size_a_change_is_told_once_and_the_footer_leads_to_the_api_reference()
{
    let served = Served::start().await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(shots).expect("screenshot directory");

    for (width, cap) in [(412_u32, "60"), (1366, "50")] {
        let browser = Browser::launch().await.expect("chromium starts");
        let page = browser.new_page().await.expect("page");
        page.set_viewport(width, 900, width < 600)
            .await
            .expect("viewport");
        log_in_to_the_overview(&page, &served.base).await;
        let ids = session_ids(&page).await;
        assert_eq!(ids.len(), 4, "each session by id at {width} px: {ids:?}");
        let text = page.text().await.expect("text");
        assert!(text.contains("Driver "), "and by alias at {width} px");

        page.fill(&format!("#cap-{CIRCUIT}-static"), cap)
            .await
            .expect("cap");
        page.click_and_wait_for_navigation(&format!(
            "#caps-{CIRCUIT} form[action$=\"/cap\"] button"
        ))
        .await
        .expect("cap saved");
        let told = format!("Cap of Main set to {cap} kW");
        page.wait_for_text(&told, StdDuration::from_secs(15))
            .await
            .expect("the notice");
        let url = page.url().await.expect("url");
        assert!(
            !url.contains('?'),
            "nothing in the address to bring it back: {url}"
        );
        page.screenshot_png(shots.join(format!("dashboard-cap-told-{width}.png")))
            .await
            .expect("screenshot");

        page.goto(&url).await.expect("reloaded");
        page.wait_for_text("Power by circuit", StdDuration::from_secs(10))
            .await
            .expect("the overview again");
        let again = page.text().await.expect("text");
        assert!(
            !again.contains(&told),
            "a reload does not say it again at {width} px"
        );
        assert_eq!(
            chart_number(&page, "data-cap-kw").await,
            cap.parse::<f64>().expect("number"),
            "the cap stays changed"
        );

        page.click_and_wait_for_navigation("a[href$=\"/reports\"]")
            .await
            .expect("the reports");
        page.wait_for_text("Requests fully met", StdDuration::from_secs(10))
            .await
            .expect("the report");
        let report = page.text().await.expect("text");
        for id in &ids {
            assert!(report.contains(id.as_str()), "the report names {id} too");
        }

        page.click_and_wait_for_navigation("footer a[href=\"/api/v1/docs\"]")
            .await
            .expect("the API reference");
        page.wait_for_text(
            "PUT /api/v1/sites/{site_id}/circuits/{circuit_id}/cap",
            StdDuration::from_secs(10),
        )
        .await
        .expect("the operations");
        let overflow = page
            .eval("document.documentElement.scrollWidth - window.innerWidth")
            .await
            .expect("page width");
        assert!(
            overflow.as_f64().is_some_and(|px| px <= 0.0),
            "the reference fits {width} px: {overflow} px too wide"
        );
        page.screenshot_png(shots.join(format!("api-docs-{width}.png")))
            .await
            .expect("screenshot");
        drop(browser);
    }
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_phone_and_desktop_size_the_front_page_says_each_sites_power_cars_and_alerts_now() {
    let served = Served::start().await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(shots).expect("screenshot directory");

    for width in [412_u32, 1366] {
        let browser = Browser::launch().await.expect("chromium starts");
        let page = browser.new_page().await.expect("page");
        page.set_viewport(width, 900, width < 600)
            .await
            .expect("viewport");
        log_in_to_the_overview(&page, &served.base).await;
        page.goto(&format!("{}/dashboard", served.base))
            .await
            .expect("the front page");
        page.wait_for_text("Done, still plugged in", StdDuration::from_secs(10))
            .await
            .expect("the sites table");
        let cell = |class: &'static str| {
            let page = &page;
            async move {
                page.eval(&format!(
                    "document.querySelector('[data-site=\"{SITE}\"] .{class}').innerText"
                ))
                .await
                .expect("cell")
                .as_str()
                .expect("text")
                .to_owned()
            }
        };
        // The four cars' latest readings: 19.2 kW × (0.7 + 0.8 + 0.9 + 1.0).
        assert_eq!(
            cell("site-power").await,
            "65.3 kW of 150.0 kW cap",
            "at {width} px"
        );
        assert_eq!(cell("site-charging").await, "4");
        assert_eq!(cell("site-done").await, "0");
        assert_eq!(cell("site-alerts").await, "No alerts.");
        let overflow = page
            .eval("document.documentElement.scrollWidth - window.innerWidth")
            .await
            .expect("page width");
        assert!(
            overflow.as_f64().is_some_and(|px| px <= 0.0),
            "the front page fits {width} px: {overflow} px too wide"
        );
        page.screenshot_png(shots.join(format!("dashboard-sites-{width}.png")))
            .await
            .expect("screenshot");
        drop(browser);
    }
    served.stop().await;
}
