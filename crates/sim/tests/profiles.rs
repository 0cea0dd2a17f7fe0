//! Charging profiles: synchronous answers, asynchronous results at the peer, modes, pushes.

mod common;

use std::time::Duration;

use chargeplan_sim::{
    ArrivalSpec, AsyncResult, ProfileAnswer, ProfileMode, PushConfig, SimConfig, SimHandle, Site,
};
use common::{Peer, TOKEN, b64, client, module_url, start, start_demo, start_instant};
use reqwest::Method;
use serde_json::{Value, json};

fn plug(sim: &SimHandle, evse: &str) -> String {
    sim.plug_in(ArrivalSpec {
        evse: evse.into(),
        token_uid: "TOKEN-1".into(),
        arrival: sim.now(),
        departure: None,
        battery_kwh: 60.0,
        soc: 0.3,
        max_kw: 11.0,
    })
    .expect("plug in")
    .expect("started")
}

async fn send(sim: &SimHandle, method: Method, path: &str, body: Option<Value>) -> Value {
    let mut req = client()
        .request(
            method,
            format!("{}/{path}", module_url(sim, "chargingprofiles")),
        )
        .header("Authorization", format!("Token {}", b64(TOKEN)));
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send()
        .await
        .expect("request")
        .json()
        .await
        .expect("envelope")
}

fn set_body(limit_w: f64, peer: &Peer, tag: &str) -> Value {
    json!({
        "charging_profile": {
            "charging_rate_unit": "W",
            "charging_profile_period": [{"start_period": 0, "limit": limit_w}, {"start_period": 1800, "limit": 3000.0}]
        },
        "response_url": peer.url(&format!("/results/{tag}")),
    })
}

#[tokio::test]
async fn a_profile_put_is_accepted_and_its_result_arrives_at_the_response_url() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let id = plug(&sim, "DEMO-01");
    let answer = send(&sim, Method::PUT, &id, Some(set_body(5000.0, &peer, "abc"))).await;
    assert_eq!(answer["status_code"], 1000);
    assert_eq!(answer["data"]["result"], "ACCEPTED");
    assert_eq!(answer["data"]["timeout"], 30);
    let result = peer.wait_for(|r| r.path == "/results/abc").await;
    assert_eq!(result.method, Method::POST);
    assert_eq!(result.body, json!({"result": "ACCEPTED"}));
    assert_eq!(
        result.authorization.as_deref(),
        Some(format!("Token {}", b64(TOKEN)).as_str())
    );
    assert_eq!(sim.current_limit_kw(&id), Some(5.0));
    sim.advance(Duration::from_secs(1800));
    assert_eq!(
        sim.current_limit_kw(&id),
        Some(3.0),
        "the second period starts after 1800 s"
    );
    // The delivery is logged once the peer's answer is back, just after the peer saw the request.
    let mut log = sim.profile_log();
    for _ in 0..250 {
        if log[0].delivered.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        log = sim.profile_log();
    }
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].answer, ProfileAnswer::Accepted);
    assert_eq!(log[0].async_result, Some(AsyncResult::Accepted));
    assert_eq!(log[0].delivered, Some(Ok(200)));
    assert!(log[0].warnings.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn clearing_and_reading_a_profile_post_their_results() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let id = plug(&sim, "DEMO-02");
    send(&sim, Method::PUT, &id, Some(set_body(4000.0, &peer, "set"))).await;
    let url = peer.url("/results/get");
    let answer = send(
        &sim,
        Method::GET,
        &format!("{id}?duration=3600&response_url={url}"),
        None,
    )
    .await;
    assert_eq!(answer["data"]["result"], "ACCEPTED");
    let active = peer.wait_for(|r| r.path == "/results/get").await.body;
    assert_eq!(active["result"], "ACCEPTED");
    let periods = &active["profile"]["charging_profile"]["charging_profile_period"];
    assert_eq!(
        periods,
        &json!([{"start_period": 0, "limit": 4000.0}, {"start_period": 1800, "limit": 3000.0}])
    );
    let url = peer.url("/results/clear");
    let answer = send(
        &sim,
        Method::DELETE,
        &format!("{id}?response_url={url}"),
        None,
    )
    .await;
    assert_eq!(answer["data"]["result"], "ACCEPTED");
    assert_eq!(
        peer.wait_for(|r| r.path == "/results/clear").await.body,
        json!({"result": "ACCEPTED"})
    );
    assert_eq!(sim.current_limit_kw(&id), None);
    let missing = send(&sim, Method::DELETE, &id, None).await;
    assert_eq!(missing["status_code"], 2001, "response_url is required");
    sim.shutdown().await;
}

#[tokio::test]
async fn rejected_mode_answers_rejected_and_posts_nothing() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let id = plug(&sim, "DEMO-01");
    sim.set_profile_mode(ProfileMode::Reject);
    let answer = send(&sim, Method::PUT, &id, Some(set_body(5000.0, &peer, "r"))).await;
    assert_eq!(answer["status_code"], 1000);
    assert_eq!(answer["data"]["result"], "REJECTED");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(peer.received().is_empty());
    assert_eq!(sim.current_limit_kw(&id), None);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_second_put_within_the_minimum_interval_is_too_often() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let id = plug(&sim, "DEMO-01");
    sim.set_min_profile_interval(Some(Duration::from_secs(300)));
    assert_eq!(
        send(&sim, Method::PUT, &id, Some(set_body(5000.0, &peer, "1"))).await["data"]["result"],
        "ACCEPTED"
    );
    sim.advance(Duration::from_secs(120));
    assert_eq!(
        send(&sim, Method::PUT, &id, Some(set_body(6000.0, &peer, "2"))).await["data"]["result"],
        "TOO_OFTEN"
    );
    assert_eq!(
        sim.current_limit_kw(&id),
        Some(5.0),
        "the refused profile is not applied"
    );
    sim.advance(Duration::from_secs(200));
    assert_eq!(
        send(&sim, Method::PUT, &id, Some(set_body(6000.0, &peer, "3"))).await["data"]["result"],
        "ACCEPTED"
    );
    let other = plug(&sim, "DEMO-02");
    sim.set_session_profile_mode(&other, Some(ProfileMode::TooOften));
    assert_eq!(
        send(
            &sim,
            Method::PUT,
            &other,
            Some(set_body(6000.0, &peer, "4"))
        )
        .await["data"]["result"],
        "TOO_OFTEN"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_sessions_and_ports_without_capability_are_answered_by_the_spec() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let uncontrolled = plug(&sim, "DEMO-09");
    let answer = send(
        &sim,
        Method::PUT,
        "NO-SUCH-SESSION",
        Some(set_body(5000.0, &peer, "x")),
    )
    .await;
    assert_eq!(answer["data"]["result"], "UNKNOWN_SESSION");
    let answer = send(
        &sim,
        Method::PUT,
        &uncontrolled,
        Some(set_body(5000.0, &peer, "y")),
    )
    .await;
    assert_eq!(answer["data"]["result"], "NOT_SUPPORTED");
    sim.shutdown().await;
}

#[tokio::test]
async fn accept_then_reject_posts_a_rejected_result_and_keeps_the_port_unlimited() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let id = plug(&sim, "DEMO-01");
    sim.set_profile_mode(ProfileMode::AcceptThenReject);
    assert_eq!(
        send(&sim, Method::PUT, &id, Some(set_body(5000.0, &peer, "ar"))).await["data"]["result"],
        "ACCEPTED"
    );
    assert_eq!(
        peer.wait_for(|r| r.path == "/results/ar").await.body,
        json!({"result": "REJECTED"})
    );
    assert_eq!(sim.current_limit_kw(&id), None);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_profile_change_pushes_the_active_profile_to_the_peer() {
    let peer = Peer::start().await;
    let mut config = SimConfig::new(TOKEN, start_instant()).with_site(Site::demo());
    config.push = PushConfig {
        chargingprofiles_url: Some(peer.url("/ocpi/2.2.1/chargingprofiles/")),
        push_active_profiles: true,
        ..PushConfig::default()
    };
    let sim = start(config).await;
    let id = plug(&sim, "DEMO-01");
    send(&sim, Method::PUT, &id, Some(set_body(5000.0, &peer, "p"))).await;
    let pushed = peer
        .wait_for(|r| {
            r.method == Method::PUT && r.path == format!("/ocpi/2.2.1/chargingprofiles/{id}")
        })
        .await;
    assert_eq!(pushed.body["charging_profile"]["charging_rate_unit"], "W");
    assert_eq!(
        pushed.body["charging_profile"]["charging_profile_period"][0]["limit"],
        5000.0
    );
    assert_eq!(pushed.body["start_date_time"], "2024-05-01T08:00:00Z");
    sim.shutdown().await;
}

#[tokio::test]
async fn limits_with_more_than_one_decimal_are_applied_but_flagged() {
    let sim = start_demo().await;
    let peer = Peer::start().await;
    let id = plug(&sim, "DEMO-01");
    send(&sim, Method::PUT, &id, Some(set_body(5000.25, &peer, "d"))).await;
    assert_eq!(sim.profile_log()[0].warnings.len(), 1);
    assert_eq!(sim.current_limit_kw(&id), Some(5.00025));
    sim.shutdown().await;
}
