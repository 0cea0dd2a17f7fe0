//! The driver flow end to end, with the real binary: a registered driver plugs in at a
//! simulated vendor cloud, `chargeplan serve` polls the session and texts the Welcome SMS
//! through a fake Twilio, and headless Chromium opens the link, submits a request and sees the
//! plan's projection — which also arrives by SMS.

use std::time::Duration;

use chargeplan_browser::Browser;
use chargeplan_sim::{ArrivalSpec, ClockMode, SimCloud, SimConfig};
use chargeplan_sms::fake::FakeTwilio;
use chrono::Utc;

use crate::garage::seed_garage;
use crate::helpers::{run, spawn_app};

const TOKEN_A: &str = "e2e-token-a";
const DRIVER_PHONE: &str = "+14155550123";
const AUTH_TOKEN: &str = "e2e-twilio-auth-token";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_opens_the_welcome_link_in_a_browser_asks_for_energy_and_sees_the_projection() {
    let data = tempfile::tempdir().expect("data dir");
    let cwd = tempfile::tempdir().expect("cwd");
    let data_dir = data.path().to_str().expect("UTF-8");
    let migrated = run(
        cwd.path(),
        &["migrate"],
        &[("CHARGEPLAN__SERVER__DATA_DIR", data_dir)],
    );
    assert_eq!(migrated.status.code(), Some(0));
    seed_garage(data.path(), DRIVER_PHONE, "CARD-0042").await;

    let twilio = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
    let mut sim_config = SimConfig::new(TOKEN_A, Utc::now());
    sim_config.registered = false;
    sim_config.clock = ClockMode::RealTime {
        start: Utc::now(),
        speedup: 1.0,
    };
    let sim = SimCloud::start(sim_config).await.expect("simulator");
    let api_base = twilio.api_base();
    let envs = [
        ("CHARGEPLAN__EXCHANGE__POLL_INTERVAL_S", "1"),
        ("CHARGEPLAN__SMS__PROVIDER", "twilio"),
        ("CHARGEPLAN__SMS__TWILIO_ACCOUNT_SID", ACCOUNT_SID),
        ("CHARGEPLAN__SMS__TWILIO_AUTH_TOKEN", AUTH_TOKEN),
        ("CHARGEPLAN__SMS__TWILIO_FROM", "+15005550006"),
        ("CHARGEPLAN__SMS__TWILIO_API_BASE", api_base.as_str()),
    ];
    let app = spawn_app(data.path(), &envs);
    let versions_url = sim.base_url();
    let registered = run(
        cwd.path(),
        &[
            "vendor",
            "register",
            "--id",
            "sim",
            "--versions-url",
            &versions_url,
            "--token-a",
            TOKEN_A,
        ],
        &[
            ("CHARGEPLAN__SERVER__DATA_DIR", data_dir),
            ("CHARGEPLAN__EXCHANGE__PUBLIC_URL", app.address.as_str()),
        ],
    );
    assert_eq!(
        registered.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&registered.stderr)
    );

    // The driver plugs in with their card; a stranger plugs in next to them.
    for (evse, card) in [("DEMO-01", "CARD-0042"), ("DEMO-02", "SOMEONE-ELSE")] {
        sim.plug_in(ArrivalSpec {
            evse: evse.into(),
            token_uid: card.into(),
            arrival: Utc::now(),
            departure: None,
            battery_kwh: 60.0,
            soc: 0.2,
            max_kw: 11.0,
        })
        .expect("plugged in");
    }
    let welcome = twilio.wait_for_messages(1, Duration::from_secs(60)).await;
    assert_eq!(
        welcome.len(),
        1,
        "one welcome, to the driver only: {welcome:?}\n{}",
        app.stderr_text()
    );
    assert_eq!(welcome[0].to, DRIVER_PHONE);
    let link = welcome[0]
        .body
        .split_whitespace()
        .find(|word| word.starts_with("http"))
        .expect("a link in the welcome")
        .to_owned();
    assert!(
        welcome[0].body.starts_with("Welcome to Garage West."),
        "{}",
        welcome[0].body
    );

    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");
    page.set_viewport(390, 844, true)
        .await
        .expect("phone-sized viewport");
    page.goto(&link).await.expect("link opens");
    page.wait_for_text("Garage West", Duration::from_secs(10))
        .await
        .expect("the site's page");
    page.fill("input[name=amount]", "12").await.expect("amount");
    page.check("input[name=unit][value=kwh]")
        .await
        .expect("kWh");
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .expect("submitted");
    page.wait_for_text("Saved.", Duration::from_secs(15))
        .await
        .expect("the confirmation");
    let text = page.text().await.expect("page text");
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("driver-request-saved.png");
    page.screenshot_png(&shot).await.expect("screenshot");

    assert!(text.contains("You'll have ~12 kWh by"), "{text}");
    let confirmation = twilio.wait_for_messages(2, Duration::from_secs(30)).await;
    assert_eq!(confirmation.len(), 2, "{confirmation:?}");
    assert!(
        confirmation[1].body.starts_with("You'll have ~12 kWh by"),
        "{}",
        confirmation[1].body
    );
    assert!(
        !app.stderr_text().contains(DRIVER_PHONE),
        "phone numbers are never logged"
    );
    assert!(!app.stderr_text().contains(&link), "links are never logged");
}
