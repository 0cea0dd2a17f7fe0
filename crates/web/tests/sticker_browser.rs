//! The sticker page in headless Chromium: at phone size on screen (a screenshot), and printed
//! to PDF on A4, US Letter and a 3.5 × 2 in business card — one page each, with every part of
//! the sticker inside the page.
//!
//! Like `dashboard_browser.rs`, it needs Chromium (`chromium` on `PATH` or
//! `$CHARGEPLAN_CHROMIUM`) and fails without it. The PDFs and the screenshot are left in
//! `target/tmp/sticker/` to look at.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chargeplan_browser::{Browser, Page, Paper, pdf_page_count};
use chargeplan_control::ControlConfig;
use chargeplan_core::{
    Clock, MemberId, Participant, ParticipantId, PhoneNumber, Site, SiteId, SystemClock, TokenUid,
    WhPerMile,
};
use chargeplan_store::StoreTarget;
use chargeplan_web::{AppState, HttpOptions, app};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The driver's own number, which must appear nowhere.
const DRIVER_PHONE: &str = "+14155550177";
/// The service number printed on the sticker.
const SERVICE_NUMBER: &str = "+15550100100";

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sticker")
}

/// Whether every part of the sticker lies inside the viewport, and nothing scrolls.
const FITS: &str = r"(() => {
  const w = window.innerWidth, h = window.innerHeight, root = document.documentElement;
  const problems = [];
  if (root.scrollHeight > h + 1) problems.push(`page scrolls: ${root.scrollHeight} > ${h}`);
  if (root.scrollWidth > w + 1) problems.push(`page scrolls sideways: ${root.scrollWidth} > ${w}`);
  for (const el of document.querySelectorAll('.sticker, .sticker *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1) {
      problems.push(`${el.className || el.tagName} at ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)} outside ${w}x${h}`);
    }
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible') {
      problems.push(`${el.className || el.tagName} cuts its content`);
    }
  }
  const qr = document.querySelector('.qr-code').getBoundingClientRect();
  if (qr.width < 90) problems.push(`QR code only ${qr.width}px wide`);
  return problems.join('; ');
})()";

/// Lays the page out as printed on `paper` (print media, a viewport of the paper's size at
/// 96 px per inch) and returns what does not fit.
async fn print_layout_problems(page: &Page, paper: Paper) -> String {
    let to_px = |inches: f64| (inches * 96.0).floor() as u32;
    page.set_viewport(to_px(paper.width_in), to_px(paper.height_in), false)
        .await
        .expect("viewport");
    page.call("Emulation.setEmulatedMedia", json!({ "media": "print" }))
        .await
        .expect("print media");
    let problems = page.eval(FITS).await.expect("layout check");
    page.call("Emulation.setEmulatedMedia", json!({ "media": "" }))
        .await
        .expect("screen media");
    problems.as_str().unwrap_or("not a string").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sticker_fits_a_phone_and_prints_on_one_page_of_a4_letter_and_a_business_card() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let site_id = SiteId::parse("depot").expect("id");
    let site = Site::new(site_id.clone(), "Depot North", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, clock.now()).await.expect("site");
    let member = Participant::new(
        ParticipantId::generate(),
        MemberId::parse("K7QX2M").expect("id"),
        site_id,
        PhoneNumber::parse(DRIVER_PHONE).expect("phone"),
        vec![TokenUid::parse("CARD-1").expect("uid")],
        WhPerMile::default(),
        clock.now(),
    )
    .expect("participant");
    store.insert_participant(&member).await.expect("stored");
    let cancel = CancellationToken::new();
    let control = chargeplan_control::start(
        store.clone(),
        clock.clone(),
        ControlConfig {
            public_url: "https://charging.example.com".to_owned(),
            ..ControlConfig::default()
        },
        &TaskTracker::new(),
        cancel.clone(),
    );
    let state = AppState {
        public_sms_number: Some(PhoneNumber::parse(SERVICE_NUMBER).expect("number")),
        ..AppState::new(store.clone(), clock, control)
    };
    let options = HttpOptions {
        request_timeout: Duration::from_secs(30),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let url = format!(
        "http://{}/sticker/K7QX2M",
        listener.local_addr().expect("address")
    );
    let service = app(state, &options).into_make_service_with_connect_info::<SocketAddr>();
    let server_cancel = cancel.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(server_cancel.cancelled_owned())
            .await
    });
    let browser = Browser::launch().await.expect("chromium starts");
    let page = browser.new_page().await.expect("page");

    // On a phone.
    page.set_viewport(390, 844, true)
        .await
        .expect("phone viewport");
    page.goto(&url).await.expect("sticker");
    let text = page.text().await.expect("text");
    assert!(
        text.contains(
            "Text K7QX2M to +1 555 010 0100 to reach the owner — your number stays private"
        ),
        "{text}"
    );
    assert!(text.contains("charging.example.com/c/K7QX2M"), "{text}");
    let html = page.html().await.expect("html");
    assert!(
        !html.contains("4155550177") && !html.contains("555 0177"),
        "{html}"
    );
    assert!(
        !html.contains("CARD-1") && !html.contains("Depot North"),
        "{html}"
    );
    let phone_problems = page.eval(FITS).await.expect("layout check");
    assert_eq!(phone_problems.as_str(), Some(""), "on a phone");
    page.screenshot_png(out_dir().join("phone.png"))
        .await
        .expect("screenshot");

    // Printed.
    for (name, paper) in [
        ("a4", Paper::A4),
        ("letter", Paper::LETTER),
        ("card", Paper::BUSINESS_CARD),
    ] {
        let pdf = page.print_pdf(paper).await.expect("printed");
        std::fs::write(out_dir().join(format!("{name}.pdf")), &pdf).expect("PDF written");
        assert_eq!(pdf_page_count(&pdf), 1, "{name}: one page");
        let problems = print_layout_problems(&page, paper).await;
        assert_eq!(problems, "", "{name}: everything on the page");
    }

    drop(browser);
    cancel.cancel();
    server.await.expect("server task").expect("server");
}
