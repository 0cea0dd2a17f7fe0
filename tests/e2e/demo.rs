//! `chargeplan demo` as a newcomer runs it: one command, no configuration. Its banner names
//! the address, the drivers' texts appear on standard output as the recorded day replays, a
//! Welcome link opens the request page, a request is confirmed by text, the printed dashboard
//! password logs in to the site overview, and Ctrl-C stops it.

use std::time::{Duration, Instant};

use crate::demo_run::{
    Demo, PATIENCE, PHONE_PREFIX, banner_address, dashboard_password, departure_value, link_in,
    logged_in_page, printed_texts, send_signal,
};

/// How long the demo may take to stop after Ctrl-C.
const STOP_PATIENCE: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_texts_welcome_links_confirms_a_request_made_through_one_and_stops_on_ctrl_c() {
    let cwd = tempfile::tempdir().expect("cwd");
    let data = tempfile::tempdir().expect("data dir");
    let mut demo = Demo::start(cwd.path(), data.path(), 600.0);

    let address = demo.wait_for("the banner's address", banner_address).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    // The replay starts with cars already plugged in, the first leaving 16 minutes later (under
    // 2 s at 600x): open the newest Welcome's link, the car likeliest to stay, and move on to
    // the next Welcome when its session has ended all the same.
    let mut opened: Vec<String> = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    let welcome = loop {
        let next = printed_texts(&demo.stdout_lines())
            .into_iter()
            .filter(|text| text.body.starts_with("Welcome to Caltech garage. "))
            .map(|text| (link_in(&text), text))
            .rfind(|(link, _)| !opened.contains(link));
        let Some((link, welcome)) = next else {
            demo.still_running(deadline, "a Welcome text for a car still plugged in");
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        opened.push(link.clone());
        assert!(
            link.starts_with(&format!("{address}/r/")),
            "{link} is on the demo's address {address}"
        );
        let page = http.get(&link).send().await.expect("the link opens");
        let page_status = page.status().as_u16();
        let page = page.text().await.expect("page body");
        if page_status == 404 {
            // Expired: the car left over an hour ago on the demo's clock (6 s at 600x).
            continue;
        }
        assert_eq!(page_status, 200, "{page}");
        if !page.contains("<form") {
            assert!(page.contains("This charging session has ended."), "{page}");
            continue;
        }
        // The demo's clock is the recorded day's, sped up: post the departure the page
        // proposes.
        let departure =
            departure_value(&page).unwrap_or_else(|| panic!("a departure field in {page}"));
        let submitted = http
            .post(&link)
            .form(&[
                ("departure", departure.as_str()),
                ("amount", "5"),
                ("unit", "kwh"),
            ])
            .send()
            .await
            .expect("request submitted");
        let submit_status = submitted.status().as_u16();
        let answer = submitted.text().await.unwrap_or_default();
        if submit_status == 409 && answer.contains("This charging session has ended.") {
            // The car left between the page and the submit.
            continue;
        }
        assert_eq!(submit_status, 303, "{answer}\n{}", demo.outputs());
        break welcome;
    };

    let confirmation = demo
        .wait_for("the confirmation text", |lines| {
            printed_texts(lines).into_iter().find(|text| {
                text.masked == welcome.masked
                    && (text.body.starts_with("You'll have ~")
                        || text.body.contains(" you will have about "))
            })
        })
        .await;
    assert!(
        confirmation.body.starts_with("You'll have ~5 kWh by")
            || confirmation.body.starts_with("You'll have ~5.")
            || confirmation.body.contains(" you will have about "),
        "{confirmation:?}"
    );
    let console = http
        .get(format!("{address}/dev/sms"))
        .send()
        .await
        .expect("the console page");
    assert_eq!(console.status().as_u16(), 200);
    let console = console.text().await.expect("console page body");
    assert!(console.contains("Welcome to Caltech garage."), "{console}");

    let dashboard = demo
        .wait_for("the dashboard line", |lines| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix("Operator dashboard: ").map(str::to_owned))
        })
        .await;
    assert_eq!(dashboard, format!("{address}/dashboard"));
    let password = demo
        .wait_for("the dashboard password", dashboard_password)
        .await;
    let overview = logged_in_page(&http, &address, &password, "/dashboard/sites/caltech").await;
    assert!(overview.contains("Caltech garage"), "{overview}");
    assert!(
        overview.contains("<svg"),
        "the overview charts the plan: {overview}"
    );

    send_signal("-INT", demo.child.id());
    let deadline = Instant::now() + STOP_PATIENCE;
    let status = loop {
        if let Some(status) = demo.child.try_wait().expect("wait for the demo") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the demo still runs {STOP_PATIENCE:?} after Ctrl-C\n{}",
            demo.outputs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "{}", demo.outputs());
    for reader in demo.readers.drain(..) {
        reader.join().expect("output reader");
    }
    let stderr = demo.stderr_text();
    assert!(
        !stderr.contains(PHONE_PREFIX),
        "no phone number in full in the log:\n{stderr}"
    );
    assert!(
        !demo
            .stdout_lines()
            .iter()
            .any(|line| line.contains(PHONE_PREFIX)),
        "no phone number in full on the console either"
    );
}
