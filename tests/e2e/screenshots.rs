//! The README's pictures, made again from a running demo: `./dev screenshots` runs this
//! (ignored by a plain `cargo test`, since it writes into `docs/`). It starts `chargeplan
//! demo`, opens a Welcome link in headless Chromium at phone size (412×900), asks for 20 kWh
//! and photographs the driver's page; then logs in to the dashboard at desktop size (1366×900)
//! and photographs the garage's overview. The pictures go to `docs/screenshots/`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chargeplan_browser::Browser;

use crate::demo_run::{Demo, PATIENCE, banner_address, dashboard_password, link_in, printed_texts};

/// Fast enough to have a garage full of cars within seconds, slow enough that a car stays
/// while it is photographed.
const SPEEDUP: f64 = 60.0;
/// Real time to let pass before the overview is taken (90 garage minutes at 60x), so that
/// the morning's cars have arrived and its chart has a past.
const SETTLE: Duration = Duration::from_secs(90);

/// `docs/screenshots/` of this checkout.
fn pictures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/screenshots/; run by ./dev screenshots"]
async fn the_readmes_screenshots_are_taken_from_a_running_demo() {
    let cwd = tempfile::tempdir().expect("cwd");
    let data = tempfile::tempdir().expect("data dir");
    let mut demo = Demo::start(cwd.path(), data.path(), SPEEDUP);
    let address = demo.wait_for("the banner's address", banner_address).await;
    let password = demo
        .wait_for("the dashboard password", dashboard_password)
        .await;
    std::fs::create_dir_all(pictures()).expect("docs/screenshots");
    let browser = Browser::launch().await.expect("chromium starts");

    let page = browser.new_page().await.expect("page");
    page.set_viewport(412, 900, true)
        .await
        .expect("phone viewport");
    let deadline = Instant::now() + PATIENCE;
    let mut opened: Vec<String> = Vec::new();
    loop {
        let newest = printed_texts(&demo.stdout_lines())
            .into_iter()
            .filter(|text| text.body.starts_with("Welcome to Caltech garage. "))
            .map(|text| link_in(&text))
            .rfind(|link| !opened.contains(link));
        let Some(link) = newest else {
            demo.still_running(deadline, "a Welcome text for a car still plugged in");
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        opened.push(link.clone());
        page.goto(&link).await.expect("the link opens");
        let has_form = page
            .eval("document.querySelector('input[name=amount]') !== null")
            .await
            .expect("the page");
        if has_form.as_bool() != Some(true) {
            continue;
        }
        page.fill("input[name=amount]", "20").await.expect("amount");
        page.check("input[name=unit][value=kwh]")
            .await
            .expect("kWh");
        page.click_and_wait_for_navigation("button[type=submit]")
            .await
            .expect("submitted");
        if page
            .wait_for_text("Saved.", Duration::from_secs(10))
            .await
            .is_ok()
        {
            break;
        }
    }
    page.screenshot_png(pictures().join("driver-page.png"))
        .await
        .expect("the driver's page");

    tokio::time::sleep(SETTLE).await;
    let page = browser.new_page().await.expect("page");
    page.set_viewport(1366, 900, false)
        .await
        .expect("desktop viewport");
    page.goto(&format!("{address}/login?next=/dashboard/sites/caltech"))
        .await
        .expect("login");
    page.fill("#name", "demo").await.expect("name");
    page.fill("#password", &password).await.expect("password");
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .expect("logged in");
    page.wait_for_text("Power by circuit", Duration::from_secs(10))
        .await
        .expect("the overview");
    page.screenshot_png(pictures().join("site-overview.png"))
        .await
        .expect("the overview");
    println!("pictures written to {}", pictures().display());
}
