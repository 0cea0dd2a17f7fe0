//! Lists: pagination headers and links, `date_from` required and respected.

mod common;

use std::time::Duration;

use chargeplan_sim::{ArrivalSpec, SimConfig, SimHandle, Site, format_datetime, parse_datetime};
use common::{TOKEN, get, module_url, start, start_instant};
use serde_json::Value;

fn car(evse: &str, token: &str, sim: &SimHandle) -> ArrivalSpec {
    ArrivalSpec {
        evse: evse.into(),
        token_uid: token.into(),
        arrival: sim.now(),
        departure: None,
        battery_kwh: 50.0,
        soc: 0.5,
        max_kw: 11.0,
    }
}

/// 23 short sessions on DEMO-01, one every 10 simulated minutes.
async fn busy_sim(page_limit: usize) -> SimHandle {
    let mut config = SimConfig::new(TOKEN, start_instant()).with_site(Site::demo());
    config.page_limit = page_limit;
    let sim = start(config).await;
    for n in 0..23 {
        let id = sim
            .plug_in(car("DEMO-01", &format!("T{n:02}"), &sim))
            .expect("plug in")
            .expect("started");
        sim.advance(Duration::from_secs(300));
        sim.unplug(&id).expect("unplug");
        sim.advance(Duration::from_secs(300));
    }
    sim
}

fn next_link(resp: &reqwest::Response) -> Option<String> {
    let link = resp.headers().get("link")?.to_str().ok()?;
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    Some(link[link.find('<')? + 1..link.find('>')?].to_owned())
}

#[tokio::test]
async fn pages_are_followed_through_the_next_link_until_it_is_absent() {
    let sim = busy_sim(5).await;
    let mut url = format!(
        "{}?date_from=2024-05-01T00:00:00Z&date_to=2024-05-02T00:00:00Z",
        module_url(&sim, "sessions")
    );
    let mut seen: Vec<Value> = Vec::new();
    let mut pages = 0;
    loop {
        let resp = get(&url, TOKEN).send().await.expect("request");
        assert_eq!(resp.headers()["x-total-count"], "23");
        assert_eq!(resp.headers()["x-limit"], "5");
        let next = next_link(&resp);
        let body: Value = resp.json().await.expect("envelope");
        let items = body["data"].as_array().expect("array").clone();
        assert!(items.len() <= 5);
        seen.extend(items);
        pages += 1;
        match next {
            Some(n) => {
                assert!(n.contains("date_from=2024-05-01T00%3A00%3A00Z"), "{n}");
                assert!(n.contains("date_to=2024-05-02T00%3A00%3A00Z"), "{n}");
                url = n;
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 23);
    let mut ids: Vec<&str> = seen.iter().map(|s| s["id"].as_str().expect("id")).collect();
    let stamps: Vec<_> = seen
        .iter()
        .map(|s| parse_datetime(s["last_updated"].as_str().expect("stamp")).expect("datetime"))
        .collect();
    assert!(
        stamps.windows(2).all(|w| w[0] <= w[1]),
        "oldest last_updated first"
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 23);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_limit_above_the_server_maximum_is_capped_and_the_last_page_has_no_link() {
    let sim = busy_sim(10).await;
    let url = format!(
        "{}?date_from=2024-05-01T00:00:00Z&offset=20&limit=500",
        module_url(&sim, "sessions")
    );
    let resp = get(&url, TOKEN).send().await.expect("request");
    assert!(resp.headers().get("link").is_none());
    let body: Value = resp.json().await.expect("envelope");
    assert_eq!(body["data"].as_array().expect("array").len(), 3);
    let resp = get(
        &format!(
            "{}?date_from=2024-05-01T00:00:00Z&limit=500",
            module_url(&sim, "sessions")
        ),
        TOKEN,
    )
    .send()
    .await
    .expect("request");
    assert!(next_link(&resp).expect("a next page").contains("limit=10"));
    sim.shutdown().await;
}

#[tokio::test]
async fn sessions_without_date_from_are_refused_with_2001() {
    let sim = busy_sim(50).await;
    let body: Value = get(&module_url(&sim, "sessions"), TOKEN)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("envelope");
    assert_eq!(body["status_code"], 2001);
    assert!(body.get("data").is_none());
    let body: Value = get(
        &format!("{}?date_from=yesterday", module_url(&sim, "sessions")),
        TOKEN,
    )
    .send()
    .await
    .expect("request")
    .json()
    .await
    .expect("envelope");
    assert_eq!(body["status_code"], 2001);
    sim.shutdown().await;
}

#[tokio::test]
async fn date_from_is_inclusive_and_date_to_exclusive_on_last_updated() {
    let sim = busy_sim(50).await;
    let all = sim.sessions();
    let pivot = all[10].last_updated;
    let count = |query: String| {
        let url = format!("{}?{query}", module_url(&sim, "sessions"));
        async move {
            let body: Value = get(&url, TOKEN)
                .send()
                .await
                .expect("request")
                .json()
                .await
                .expect("envelope");
            body["data"].as_array().expect("array").len()
        }
    };
    let from = format_datetime(pivot);
    let expected_from = all.iter().filter(|s| s.last_updated >= pivot).count();
    assert_eq!(count(format!("date_from={from}")).await, expected_from);
    let expected_before = all.iter().filter(|s| s.last_updated < pivot).count();
    assert_eq!(
        count(format!("date_from=2024-01-01T00:00:00Z&date_to={from}")).await,
        expected_before
    );
    assert_eq!(expected_from + expected_before, 23);
    // Only the session that moves gets past a watermark set now.
    let id = sim
        .plug_in(car("DEMO-02", "LATE", &sim))
        .expect("plug in")
        .expect("started");
    let watermark = format_datetime(sim.now());
    sim.advance(Duration::from_secs(120));
    let body: Value = get(
        &format!("{}?date_from={watermark}", module_url(&sim, "sessions")),
        TOKEN,
    )
    .send()
    .await
    .expect("request")
    .json()
    .await
    .expect("envelope");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec![id.as_str()]);
    sim.shutdown().await;
}

#[tokio::test]
async fn locations_are_listed_with_their_evses_and_date_from_is_optional() {
    let sim = busy_sim(50).await;
    let resp = get(&module_url(&sim, "locations"), TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.headers()["x-total-count"], "1");
    let body: Value = resp.json().await.expect("envelope");
    assert_eq!(
        body["data"][0]["evses"].as_array().expect("evses").len(),
        10
    );
    let body: Value = get(
        &format!(
            "{}?date_from=2030-01-01T00:00:00Z",
            module_url(&sim, "locations")
        ),
        TOKEN,
    )
    .send()
    .await
    .expect("request")
    .json()
    .await
    .expect("envelope");
    assert_eq!(body["data"].as_array().expect("array").len(), 0);
    sim.shutdown().await;
}
