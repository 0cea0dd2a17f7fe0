//! Fault switches: server errors, malformed bodies, overlapping and reversed pages, latency.

mod common;

use std::time::{Duration, Instant};

use chargeplan_sim::{ArrivalSpec, Faults};
use common::{TOKEN, get, module_url, start_demo};
use serde_json::Value;

#[tokio::test]
async fn fault_switches_fire_the_given_number_of_times() {
    let sim = start_demo().await;
    let url = module_url(&sim, "locations");
    sim.set_faults(Faults {
        server_errors: 2,
        server_error_status: 503,
        malformed: 1,
        ..Faults::default()
    });
    assert_eq!(
        get(&url, TOKEN).send().await.expect("request").status(),
        503
    );
    assert_eq!(
        get(&url, TOKEN).send().await.expect("request").status(),
        503
    );
    let broken = get(&url, TOKEN)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(serde_json::from_str::<Value>(&broken).is_err());
    assert_eq!(
        get(&url, TOKEN).send().await.expect("request").status(),
        200
    );
    let left = sim.faults();
    assert_eq!(
        (left.server_errors, left.malformed),
        (0, 0),
        "counters run down"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn overlapping_and_reversed_pages_repeat_and_reorder_items() {
    let sim = start_demo().await;
    for evse in ["DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04"] {
        sim.plug_in(ArrivalSpec {
            evse: evse.into(),
            token_uid: evse.into(),
            arrival: sim.now(),
            departure: None,
            battery_kwh: 60.0,
            soc: 0.3,
            max_kw: 11.0,
        })
        .expect("plug in");
        sim.advance(Duration::from_secs(60));
    }
    sim.set_faults(Faults {
        duplicate_overlap: 1,
        out_of_order_pages: true,
        latency: Duration::from_millis(200),
        ..Faults::default()
    });
    let page = |offset: usize| {
        let url = format!(
            "{}?date_from=2024-01-01T00:00:00Z&offset={offset}&limit=2",
            module_url(&sim, "sessions")
        );
        async move {
            let body: Value = get(&url, TOKEN)
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("envelope");
            body["data"]
                .as_array()
                .expect("array")
                .iter()
                .map(|s| s["evse_uid"].as_str().expect("uid").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let began = Instant::now();
    // Every active session moved in the last step: equal last_updated, so ids ascending, then reversed.
    assert_eq!(page(0).await, ["DEMO-02", "DEMO-01"]);
    assert_eq!(
        page(2).await,
        ["DEMO-04", "DEMO-03", "DEMO-02"],
        "starts one item early"
    );
    assert!(
        began.elapsed() >= Duration::from_millis(400),
        "latency applies"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hanging_request_outlasts_the_client_timeout_once() {
    let sim = start_demo().await;
    let url = module_url(&sim, "locations");
    sim.set_faults(Faults {
        timeouts: 1,
        hang: Duration::from_millis(500),
        ..Faults::default()
    });
    let hung = get(&url, TOKEN)
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(hung.is_err_and(|e| e.is_timeout()));
    let resp = get(&url, TOKEN)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("answered");
    assert_eq!(resp.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_reset_breaks_the_answer_once() {
    let sim = start_demo().await;
    let url = module_url(&sim, "locations");
    sim.set_faults(Faults {
        resets: 1,
        ..Faults::default()
    });
    // The connection breaks while the answer is sent: before or after its headers.
    let broken = match get(&url, TOKEN).send().await {
        Ok(resp) => resp.text().await.err(),
        Err(error) => Some(error),
    };
    assert!(broken.is_some(), "the answer breaks off");
    let resp = get(&url, TOKEN).send().await.expect("answered");
    assert_eq!(resp.status(), 200);
    assert_eq!(sim.faults().resets, 0);
    sim.shutdown().await;
}
