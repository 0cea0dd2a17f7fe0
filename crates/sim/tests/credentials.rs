//! The credentials handshake (token A → B → C) and session pushes to the registered peer.

mod common;

use std::time::Duration;

use chargeplan_sim::{ArrivalSpec, PushConfig, SimConfig, SimHandle, Site};
use common::{Peer, b64, client, get, module_url, start, start_instant};
use reqwest::Method;
use serde_json::{Value, json};

const TOKEN_A: &str = "token-a-for-registration";
const TOKEN_B: &str = "token-b-chargeplan";

async fn unregistered(push: PushConfig) -> SimHandle {
    let mut config = SimConfig::new(TOKEN_A, start_instant()).with_site(Site::demo());
    config.registered = false;
    config.push = push;
    start(config).await
}

async fn post_credentials(sim: &SimHandle, token: &str, peer: &Peer) -> reqwest::Response {
    client()
        .post(module_url(sim, "credentials"))
        .header("Authorization", format!("Token {}", b64(token)))
        .json(&json!({
            "token": TOKEN_B,
            "url": peer.versions_url(),
            "roles": [{"role": "SCSP", "party_id": "CHP", "country_code": "NL", "business_details": {"name": "chargeplan"}}],
        }))
        .send()
        .await
        .expect("request")
}

async fn status(url: &str, token: &str) -> u16 {
    get(url, token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_handshake_trades_token_a_for_c_and_refuses_the_old_token_after() {
    let sim = unregistered(PushConfig::default()).await;
    let peer = Peer::start().await;
    let sessions = format!(
        "{}?date_from=2024-01-01T00:00:00Z",
        module_url(&sim, "sessions")
    );
    assert_eq!(
        status(&sim.base_url(), TOKEN_A).await,
        200,
        "token A opens versions"
    );
    assert_eq!(
        status(&sessions, TOKEN_A).await,
        401,
        "but not functional modules"
    );

    let resp = post_credentials(&sim, TOKEN_A, &peer).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("envelope");
    assert_eq!(body["status_code"], 1000);
    let token_c = body["data"]["token"].as_str().expect("token C").to_owned();
    assert_ne!(token_c, TOKEN_A);
    assert_ne!(token_c, TOKEN_B);
    assert_eq!(body["data"]["url"], sim.base_url());
    assert_eq!(body["data"]["roles"][0]["role"], "CPO");
    assert_eq!(sim.current_token().as_deref(), Some(token_c.as_str()));

    let fetched = peer.wait_for(|r| r.path == "/ocpi/2.2.1").await;
    assert_eq!(
        fetched.authorization,
        Some(format!("Token {}", b64(TOKEN_B))),
        "the simulator calls us with B"
    );

    assert_eq!(status(&sessions, &token_c).await, 200);
    assert_eq!(status(&sessions, TOKEN_A).await, 401);
    assert_eq!(status(&sim.base_url(), TOKEN_A).await, 401);
    assert_eq!(
        post_credentials(&sim, &token_c, &peer).await.status(),
        405,
        "already registered"
    );

    let resp = client()
        .delete(module_url(&sim, "credentials"))
        .header("Authorization", format!("Token {}", b64(&token_c)))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    assert_eq!(status(&sessions, &token_c).await, 401, "unregistered");
    sim.shutdown().await;
}

#[tokio::test]
async fn put_and_delete_before_registration_are_405_and_an_unreachable_peer_is_3001() {
    let sim = unregistered(PushConfig::default()).await;
    let resp = client()
        .put(module_url(&sim, "credentials"))
        .header("Authorization", format!("Token {}", b64(TOKEN_A)))
        .json(&json!({"token": TOKEN_B, "url": "http://127.0.0.1:9/ocpi/versions", "roles": []}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 405);
    let resp = client()
        .post(module_url(&sim, "credentials"))
        .header("Authorization", format!("Token {}", b64(TOKEN_A)))
        .json(&json!({"token": TOKEN_B, "url": "http://127.0.0.1:9/ocpi/versions", "roles": []}))
        .send()
        .await
        .expect("request");
    let body: Value = resp.json().await.expect("envelope");
    assert_eq!(body["status_code"], 3001);
    assert_eq!(
        status(&sim.base_url(), TOKEN_A).await,
        200,
        "token A still valid after a failed attempt"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn sessions_are_pushed_to_the_receiver_learnt_in_the_handshake() {
    let sim = unregistered(PushConfig {
        push_sessions: true,
        ..PushConfig::default()
    })
    .await;
    let peer = Peer::start().await;
    assert_eq!(post_credentials(&sim, TOKEN_A, &peer).await.status(), 200);
    let id = sim
        .plug_in(ArrivalSpec {
            evse: "DEMO-01".into(),
            token_uid: "PUSHED".into(),
            arrival: sim.now(),
            departure: Some(sim.now() + chrono::Duration::hours(1)),
            battery_kwh: 20.0,
            soc: 0.75,
            max_kw: 11.0,
        })
        .expect("plug in")
        .expect("started");
    sim.advance(Duration::from_secs(7200));
    let path = format!("/ocpi/2.2.1/sessions/NL/SIM/{id}");
    let first = peer
        .wait_for(|r| r.path == path && r.method == Method::PUT)
        .await;
    assert_eq!(first.body["status"], "ACTIVE");
    assert_eq!(first.authorization, Some(format!("Token {}", b64(TOKEN_B))));
    let patch = peer
        .wait_for(|r| r.path == path && r.method == Method::PATCH)
        .await;
    assert_eq!(
        patch.body["charging_periods"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(patch.body["last_updated"].is_string() && patch.body["kwh"].is_number());
    let last = peer
        .wait_for(|r| r.path == path && r.method == Method::PUT && r.body["status"] == "COMPLETED")
        .await;
    assert_eq!(last.body["end_date_time"], "2024-05-01T09:00:00Z");
    let order: Vec<String> = peer
        .received()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| format!("{} {}", r.method, r.body["status"].as_str().unwrap_or("-")))
        .collect();
    assert_eq!(
        order.first().map(String::as_str),
        Some("PUT ACTIVE"),
        "{order:?}"
    );
    assert_eq!(
        order.last().map(String::as_str),
        Some("PUT COMPLETED"),
        "pushed in order: {order:?}"
    );
    sim.shutdown().await;
}
