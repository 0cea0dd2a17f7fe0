//! Versions, version details and the credentials handshake (token A → B → C).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use reqwest::Method;
use serde_json::{Value, json};

use super::{AppState, now, ok, parse_body, reply};
use crate::shared::{Access, Peer, Shared, lock};
use crate::wire::Credentials;

/// `GET /ocpi/versions`.
pub(super) async fn versions(State(state): State<AppState>) -> Response {
    let url = format!("{}/ocpi/2.2.1", state.origin);
    ok(json!([{"version": "2.2.1", "url": url}]), now(&state))
}

/// `GET /ocpi/2.2.1`: the endpoints of this CPO.
pub(super) async fn details(State(state): State<AppState>) -> Response {
    let base = format!("{}/ocpi/2.2.1", state.origin);
    let endpoints = json!([
        {"identifier": "credentials", "role": "SENDER", "url": format!("{base}/credentials")},
        {"identifier": "credentials", "role": "RECEIVER", "url": format!("{base}/credentials")},
        {"identifier": "locations", "role": "SENDER", "url": format!("{base}/locations")},
        {"identifier": "sessions", "role": "SENDER", "url": format!("{base}/sessions")},
        {"identifier": "chargingprofiles", "role": "RECEIVER", "url": format!("{base}/chargingprofiles/")},
    ]);
    ok(
        json!({"version": "2.2.1", "endpoints": endpoints}),
        now(&state),
    )
}

fn our_credentials(state: &Shared, token: &str) -> Value {
    json!({
        "token": token,
        "url": state.versions_url(),
        "roles": [{
            "role": "CPO",
            "party_id": state.cpo.party_id,
            "country_code": state.cpo.country_code,
            "business_details": {"name": "chargeplan-sim"},
        }],
    })
}

fn not_allowed(state: &Shared, message: &str) -> Response {
    reply(
        StatusCode::METHOD_NOT_ALLOWED,
        2000,
        Some(message),
        None,
        now(state),
    )
}

/// `GET /credentials`: our credentials, with the token the caller uses.
pub(super) async fn get_credentials(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    let token = {
        let auth = lock(&state.auth);
        match access {
            Access::Full => auth.token_c.clone(),
            Access::Registration => auth.token_a.clone(),
        }
    };
    ok(
        our_credentials(&state, &token.unwrap_or_default()),
        now(&state),
    )
}

/// `POST /credentials` with token A: registers the peer and answers token C; 405 when registered.
pub(super) async fn post_credentials(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Bytes,
) -> Response {
    if access == Access::Full || lock(&state.auth).token_c.is_some() {
        return not_allowed(&state, "already registered: use PUT to update");
    }
    register(&state, &body).await
}

/// `PUT /credentials` with token C: new token B and URL from the peer, new token C; 405 when not registered.
pub(super) async fn put_credentials(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Bytes,
) -> Response {
    if access != Access::Full {
        return not_allowed(&state, "not registered: use POST");
    }
    register(&state, &body).await
}

/// `DELETE /credentials` with token C: unregisters; every token is refused afterwards.
pub(super) async fn delete_credentials(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    if access != Access::Full {
        return not_allowed(&state, "not registered");
    }
    *lock(&state.auth) = Default::default();
    reply(StatusCode::OK, 1000, Some("Success"), None, now(&state))
}

async fn register(state: &AppState, body: &[u8]) -> Response {
    let creds: Credentials = match parse_body(body, now(state)) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    if creds.token.trim().is_empty() || creds.url.trim().is_empty() {
        return super::bad_params("token and url are required", now(state));
    }
    let peer = match discover(state, &creds).await {
        Ok(peer) => peer,
        Err(msg) => {
            tracing::warn!(url = %creds.url, error = %msg, "peer versions not reachable during registration");
            return reply(StatusCode::OK, 3001, Some(&msg), None, now(state));
        }
    };
    let token_c = format!("sim-c-{}", uuid::Uuid::new_v4().simple());
    {
        let mut auth = lock(&state.auth);
        auth.token_a = None;
        auth.token_c = Some(token_c.clone());
        auth.peer = peer;
    }
    ok(our_credentials(state, &token_c), now(state))
}

/// Fetches the peer's versions and 2.2.1 endpoints with its token B.
async fn discover(state: &Shared, creds: &Credentials) -> Result<Peer, String> {
    let token = Some(creds.token.as_str());
    let versions = fetch_data(state, &creds.url, token).await?;
    let url = versions
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["version"] == "2.2.1"))
        .and_then(|v| v["url"].as_str())
        .ok_or("the peer offers no version 2.2.1")?
        .to_owned();
    let details = fetch_data(state, &url, token).await?;
    let endpoints = details["endpoints"].as_array().cloned().unwrap_or_default();
    let find = |id: &str, role: Option<&str>| {
        endpoints
            .iter()
            .filter(|e| e["identifier"] == id)
            .find(|e| role.is_none_or(|r| e["role"] == r))
            .and_then(|e| e["url"].as_str())
            .map(str::to_owned)
    };
    Ok(Peer {
        token_b: Some(creds.token.clone()),
        sessions_url: find("sessions", Some("RECEIVER")),
        chargingprofiles_url: find("chargingprofiles", None),
    })
}

async fn fetch_data(state: &Shared, url: &str, token: Option<&str>) -> Result<Value, String> {
    let resp = state
        .request(Method::GET, url, token)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("GET {url}: HTTP {}", resp.status()));
    }
    let body: Value = resp.json().await.map_err(|e| format!("GET {url}: {e}"))?;
    if body["status_code"] != 1000 {
        return Err(format!("GET {url}: OCPI status {}", body["status_code"]));
    }
    Ok(body["data"].clone())
}
