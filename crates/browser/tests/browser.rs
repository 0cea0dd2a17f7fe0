//! Drives headless Chromium against a tiny axum app: navigation, forms, JavaScript, waits, screenshots, cleanup.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use chargeplan_browser::{Browser, BrowserError, Paper, pdf_page_count};
use serde::Deserialize;
use tokio::sync::Mutex;

/// One Chromium at a time: the machine has two cores and each test launches its own.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

const FORM: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Book a charge</title></head>
<body>
  <h1>Book a charge</h1>
  <form method="post" action="/submit">
    <label for="name">Your name</label>
    <input id="name" name="name" type="text">
    <label for="site">Site</label>
    <select id="site" name="site">
      <option value="depot">Depot</option>
      <option value="street">Street parking</option>
    </select>
    <label><input id="consent" name="consent" type="checkbox"> Text me when done</label>
    <button id="submit" type="submit">Book</button>
  </form>
</body>
</html>"#;

#[derive(Deserialize)]
struct Booking {
    name: String,
    site: String,
    consent: Option<String>,
}

async fn booked(axum::Form(booking): axum::Form<Booking>) -> Html<String> {
    let consent = booking.consent.as_deref().unwrap_or("off");
    Html(format!(
        "<!doctype html><html><head><title>Booked</title></head><body><h1>Booked</h1>\
         <p>name={}</p><p>site={}</p><p>consent={}</p></body></html>",
        escape(&booking.name),
        escape(&booking.site),
        escape(consent),
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Serves the form app on a free loopback port for as long as the test's runtime runs.
async fn serve() -> SocketAddr {
    let app = Router::new()
        .route("/", get(|| async { Html(FORM) }))
        .route("/submit", axum::routing::post(booked));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test]
async fn goto_shows_the_page_text_html_and_url() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");
    page.goto(&format!("http://{addr}/")).await.expect("goto");

    let text = page.text().await.expect("text");
    assert!(text.contains("Book a charge"), "text: {text}");
    assert!(text.contains("Your name"), "text: {text}");
    let html = page.html().await.expect("html");
    assert!(
        html.contains(r#"<form method="post" action="/submit">"#),
        "html: {html}"
    );
    assert_eq!(page.url().await.expect("url"), format!("http://{addr}/"));
}

#[tokio::test]
async fn filled_form_submits_and_shows_the_posted_values() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");
    page.goto(&format!("http://{addr}/")).await.expect("goto");

    page.fill("#name", "Ada <Lovelace>").await.expect("fill");
    page.select("#site", "Street parking")
        .await
        .expect("select by text");
    page.check("#consent").await.expect("check");
    assert_eq!(
        page.eval("document.querySelector('#consent').checked")
            .await
            .expect("eval"),
        true
    );
    page.click_and_wait_for_navigation("#submit")
        .await
        .expect("submit");

    assert_eq!(
        page.url().await.expect("url"),
        format!("http://{addr}/submit")
    );
    let text = page.text().await.expect("text");
    assert!(text.contains("name=Ada <Lovelace>"), "text: {text}");
    assert!(text.contains("site=street"), "text: {text}");
    assert!(text.contains("consent=on"), "text: {text}");
}

#[tokio::test]
async fn form_actions_name_the_missing_or_unfit_element() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");
    page.goto(&format!("http://{addr}/")).await.expect("goto");

    let missing = page
        .fill("#nowhere", "x")
        .await
        .expect_err("no such element");
    assert!(
        matches!(missing, BrowserError::ElementNotFound { .. }),
        "{missing}"
    );
    assert!(missing.to_string().contains("#nowhere"), "{missing}");

    let unfit = page
        .select("#site", "moon")
        .await
        .expect_err("no such option");
    let message = unfit.to_string();
    assert!(
        message.contains("moon") && message.contains("\"depot\""),
        "{message}"
    );

    let not_a_box = page.check("#name").await.expect_err("not a checkbox");
    assert!(
        not_a_box.to_string().contains("not a checkbox"),
        "{not_a_box}"
    );
}

#[tokio::test]
async fn eval_returns_values_and_surfaces_exceptions() {
    let _one = ONE_AT_A_TIME.lock().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");

    assert_eq!(page.eval("1 + 2").await.expect("eval"), 3);
    assert_eq!(
        page.eval("new Promise(r => setTimeout(() => r({ ok: [1, 'two'] }), 10))")
            .await
            .expect("eval promise"),
        serde_json::json!({ "ok": [1, "two"] })
    );
    assert_eq!(
        page.eval("undefined").await.expect("eval undefined"),
        serde_json::Value::Null
    );

    let error = page
        .eval("throw new Error('kaboom-4711')")
        .await
        .expect_err("exception");
    assert!(
        matches!(error, BrowserError::JavaScript { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("kaboom-4711"), "{error}");

    let rejected = page
        .eval("Promise.reject(new TypeError('nope-42'))")
        .await
        .expect_err("rejection");
    assert!(rejected.to_string().contains("nope-42"), "{rejected}");
}

#[tokio::test]
async fn wait_for_text_times_out_with_the_page_text() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");
    page.goto(&format!("http://{addr}/")).await.expect("goto");

    page.eval("setTimeout(() => document.body.append('Appeared later'), 200)")
        .await
        .expect("schedule");
    page.wait_for_text("Appeared later", Duration::from_secs(5))
        .await
        .expect("text appears");

    let started = Instant::now();
    let error = page
        .wait_for_text("Never on this page", Duration::from_millis(600))
        .await
        .expect_err("times out");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let message = error.to_string();
    assert!(
        matches!(error, BrowserError::TextNotFound { .. }),
        "{error:?}"
    );
    assert!(message.contains("Never on this page"), "{message}");
    assert!(
        message.contains("Book a charge"),
        "error should show the page text: {message}"
    );
}

#[tokio::test]
async fn screenshot_writes_a_png() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");
    page.set_viewport(390, 844, true).await.expect("viewport");
    page.goto(&format!("http://{addr}/")).await.expect("goto");
    assert_eq!(page.eval("window.innerWidth").await.expect("width"), 390);

    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chargeplan-browser/form-mobile.png");
    let _ = std::fs::remove_file(&path);
    page.screenshot_png(&path).await.expect("screenshot");
    let png = std::fs::read(&path).expect("read screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG: {:?}",
        &png[..png.len().min(16)]
    );
    assert!(
        png.len() > 1000,
        "suspiciously small PNG: {} bytes",
        png.len()
    );
}

#[tokio::test]
async fn a_page_prints_to_a_pdf_of_the_chosen_size_and_its_pages_are_counted() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let page = browser.new_page().await.expect("new page");
    page.goto(&format!("http://{addr}/")).await.expect("goto");

    let letter = page.print_pdf(Paper::LETTER).await.expect("print");
    page.eval("document.body.style.height = '40in'")
        .await
        .expect("make it long");
    let long = page.print_pdf(Paper::BUSINESS_CARD).await.expect("print");

    assert!(letter.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(pdf_page_count(&letter), 1);
    let text = String::from_utf8_lossy(&letter);
    assert!(
        text.contains("/MediaBox [0 0 612 792]"),
        "8.5 x 11 in is 612 x 792 points"
    );
    assert!(pdf_page_count(&long) > 10, "{}", pdf_page_count(&long));
}

#[tokio::test]
async fn navigation_errors_and_call_timeouts_are_errors_not_hangs() {
    let _one = ONE_AT_A_TIME.lock().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let mut page = browser.new_page().await.expect("new page");

    // A port nothing listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let error = page
        .goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .expect_err("refused");
    assert!(
        matches!(error, BrowserError::Navigation { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("ERR_CONNECTION_REFUSED"),
        "{error}"
    );

    page.set_timeout(Duration::from_millis(300));
    let error = page
        .eval("new Promise(() => {})")
        .await
        .expect_err("never settles");
    assert!(matches!(error, BrowserError::Timeout { .. }), "{error:?}");
    assert!(error.to_string().contains("Runtime.evaluate"), "{error}");
}

#[tokio::test]
async fn dropping_the_browser_leaves_no_chromium_behind() {
    let _one = ONE_AT_A_TIME.lock().await;
    let addr = serve().await;
    let browser = Browser::launch().await.expect("launch chromium");
    let pid = browser.pid();
    let page = browser.new_page().await.expect("new page");
    page.goto(&format!("http://{addr}/")).await.expect("goto");
    let profile = profile_dir(pid).expect("--user-data-dir on chromium's command line");
    assert!(Path::new(&profile).is_dir(), "profile {profile} missing");
    let running = leftovers(pid, &profile);
    assert!(
        running.len() > 1,
        "chromium and its helpers should be running: {running:?}"
    );

    drop(browser);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "chromium {pid} still exists"
    );
    // Dead helpers are reaped by init; give that a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !leftovers(pid, &profile).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        leftovers(pid, &profile),
        Vec::<u32>::new(),
        "processes left behind"
    );
    assert!(
        !Path::new(&profile).exists(),
        "profile {profile} not removed"
    );

    let error = page.text().await.expect_err("browser is gone");
    assert!(
        matches!(error, BrowserError::ConnectionClosed { .. }),
        "{error:?}"
    );
}

/// Running processes (not zombies) in process group `pgid` or whose command line names `profile`.
fn leftovers(pgid: u32, profile: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // Fields after the parenthesized command: state, ppid, pgrp, ...
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let mut fields = rest.split_whitespace();
            if fields.next() == Some("Z") {
                return false;
            }
            let in_group = fields.nth(1).and_then(|f| f.parse::<u32>().ok()) == Some(pgid);
            in_group
                || std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(profile))
        })
        .collect()
}

/// The `--user-data-dir` of the process `pid`, from its command line.
fn profile_dir(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    cmdline
        .split(|b| *b == 0)
        .filter_map(|arg| std::str::from_utf8(arg).ok())
        .find_map(|arg| arg.strip_prefix("--user-data-dir=").map(str::to_owned))
}
