//! Test helpers: a started simulator, an OCPI client request builder, and a local peer receiver.

#![expect(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::IntoResponse;
use chargeplan_sim::{SimCloud, SimConfig, SimHandle, Site};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

pub const TOKEN: &str = "sim-test-token";

pub fn start_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
        .single()
        .expect("valid instant")
}

pub fn b64(token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(token)
}

pub async fn start(config: SimConfig) -> SimHandle {
    SimCloud::start(config).await.expect("simulator starts")
}

pub async fn start_demo() -> SimHandle {
    start(SimConfig::new(TOKEN, start_instant()).with_site(Site::demo())).await
}

/// `http://127.0.0.1:<port>/ocpi/2.2.1` for a handle.
pub fn module_url(sim: &SimHandle, module: &str) -> String {
    format!("http://{}/ocpi/2.2.1/{module}", sim.addr())
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A GET with `Authorization: Token <base64(token)>`.
pub fn get(url: &str, token: &str) -> reqwest::RequestBuilder {
    client()
        .get(url)
        .header("Authorization", format!("Token {}", b64(token)))
}

/// One request the peer received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// A tiny OCPI peer on port 0: serves versions and endpoints (sessions RECEIVER, chargingprofiles
/// SENDER) and records every other request.
#[derive(Debug, Clone)]
pub struct Peer {
    pub origin: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Peer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind peer");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let state = (origin.clone(), Arc::clone(&received));
        let app = Router::new().fallback(record).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await.expect("peer serves") });
        Self { origin, received }
    }

    pub fn versions_url(&self) -> String {
        format!("{}/ocpi/versions", self.origin)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits (real time) until a request matching `pred` arrives.
    pub async fn wait_for(&self, pred: impl Fn(&Received) -> bool) -> Received {
        for _ in 0..500 {
            if let Some(r) = self.received().into_iter().find(|r| pred(r)) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "the peer never received the expected request; got {:#?}",
            self.received()
        );
    }
}

async fn record(
    State((origin, received)): State<(String, Arc<Mutex<Vec<Received>>>)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let path = uri.path().to_owned();
    let data = match path.as_str() {
        "/ocpi/versions" => {
            Some(json!([{"version": "2.2.1", "url": format!("{origin}/ocpi/2.2.1")}]))
        }
        "/ocpi/2.2.1" => Some(json!({"version": "2.2.1", "endpoints": [
            {"identifier": "sessions", "role": "RECEIVER", "url": format!("{origin}/ocpi/2.2.1/sessions")},
            {"identifier": "chargingprofiles", "role": "SENDER", "url": format!("{origin}/ocpi/2.2.1/chargingprofiles")},
        ]})),
        _ => None,
    };
    received.lock().expect("lock").push(Received {
        method,
        path: uri.to_string(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let mut env = json!({"status_code": 1000, "timestamp": "2024-05-01T08:00:00Z"});
    if let Some(d) = data {
        env["data"] = d;
    }
    axum::Json(env)
}
