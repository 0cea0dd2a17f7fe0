//! What CPOs send us over OCPI 2.2.1: sessions they push (`PUT` whole, `PATCH` with
//! `last_updated` and appended `charging_periods`), asynchronous charging-profile results,
//! and the `ActiveChargingProfile` they report. Each peer is known by the token we gave it
//! (the inbound token of its vendor account, also while its registration is under way).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chargeplan_core::{Clock, VendorAccountId};
use chargeplan_store::Store;
use chrono::Utc;
use serde_json::{Value, json};

use super::convert::session_from_ocpi;
use super::types::{ActiveChargingProfile, ProfileResult, Session};
use crate::ingest::ingest_sessions;
use crate::results::{AsyncResult, PendingResults};

/// A CPO allowed to send to us, known by the token we issued it.
#[derive(Clone)]
pub struct Peer {
    pub vendor: VendorAccountId,
    /// The credentials token we gave this CPO (token B); never logged.
    pub token: String,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("vendor", &self.vendor)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

/// What the receiver needs.
#[derive(Debug, Clone)]
pub struct ReceiverState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub results: PendingResults,
    /// Our base URL as CPOs reach it (proxies may rewrite it, so it is a setting).
    pub public_url: String,
}

/// The receiver routes, under `/ocpi/2.2.1/`.
pub fn router(state: ReceiverState) -> Router {
    Router::new()
        .route(
            "/ocpi/2.2.1/sessions/{country_code}/{party_id}/{session_id}",
            put(put_session).patch(patch_session),
        )
        .route("/ocpi/2.2.1/cp-results/{response_id}", post(post_result))
        .route(
            "/ocpi/2.2.1/chargingprofiles/{session_id}",
            put(put_active_profile),
        )
        .route("/ocpi/versions", get(get_versions))
        .route("/ocpi/2.2.1", get(get_version_details))
        .with_state(state)
}

/// How far ahead of our clock a session may say it started (CPOs' clocks drift a little; a
/// start in the year 2999 is an error).
const MAX_START_AHEAD: chrono::Duration = chrono::Duration::hours(1);

/// A request body, or the OCPI envelope with the right status when it cannot be read (too
/// large: `413`; unreadable: `400`) instead of axum's plain-text rejection.
pub(crate) struct OcpiBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for OcpiBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = request.headers().clone();
        match Bytes::from_request(request, state).await {
            Ok(body) => Ok(Self(body)),
            Err(rejection) => Err(answer(
                &headers,
                rejection.status(),
                2000,
                Some(&rejection.body_text()),
            )),
        }
    }
}

/// The path (under our public base URL) where CPOs POST profile results.
pub const RESULTS_PATH: &str = "/ocpi/2.2.1/cp-results";

/// An OCPI answer: the envelope, with the request and correlation ids echoed.
fn answer(headers: &HeaderMap, http: StatusCode, code: u32, message: Option<&str>) -> Response {
    envelope(headers, http, code, message, None)
}

fn envelope(
    headers: &HeaderMap,
    http: StatusCode,
    code: u32,
    message: Option<&str>,
    data: Option<Value>,
) -> Response {
    let mut body = json!({ "status_code": code, "timestamp": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true) });
    if let Some(data) = data {
        body["data"] = data;
    }
    if let Some(message) = message {
        body["status_message"] = Value::String(message.to_owned());
    }
    let mut response = (http, axum::Json(body)).into_response();
    for name in ["x-request-id", "x-correlation-id"] {
        if let Some(value) = headers.get(name) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value.clone());
        }
    }
    response
}

fn answer_with(headers: &HeaderMap, data: Value) -> Response {
    envelope(headers, StatusCode::OK, 1000, None, Some(data))
}

fn client_error(headers: &HeaderMap, message: &str) -> Response {
    answer(headers, StatusCode::BAD_REQUEST, 2001, Some(message))
}

/// The vendor account whose inbound token the request carries (base64 as 2.2.1 says, or raw
/// as older peers send it).
async fn authenticate(state: &ReceiverState, headers: &HeaderMap) -> Option<VendorAccountId> {
    let presented = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Token ")?
        .trim()
        .to_owned();
    let decoded = BASE64
        .decode(&presented)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let accounts = match state.store.list_vendor_accounts().await {
        Ok(accounts) => accounts,
        Err(error) => {
            tracing::error!(error = %error, "cannot read vendor accounts to authenticate a CPO");
            return None;
        }
    };
    accounts.into_iter().find_map(|account| {
        let matches = |candidate: &str| {
            constant_time_eq(candidate.as_bytes(), account.inbound_token.as_bytes())
        };
        (decoded.as_deref().is_some_and(matches) || matches(&presented)).then_some(account.id)
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A store failure while reading, logged, as OCPI's generic server error.
fn store_failure(
    headers: &HeaderMap,
    vendor: &VendorAccountId,
    error: &chargeplan_store::StoreError,
) -> Response {
    tracing::error!(vendor = %vendor, error = %error, "cannot read the store for a pushed session");
    answer(
        headers,
        StatusCode::INTERNAL_SERVER_ERROR,
        3000,
        Some("cannot read the session"),
    )
}

fn unauthorized(headers: &HeaderMap) -> Response {
    answer(
        headers,
        StatusCode::UNAUTHORIZED,
        2000,
        Some("missing or unknown token"),
    )
}

async fn put_session(
    State(state): State<ReceiverState>,
    Path((country_code, party_id, session_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    OcpiBody(body): OcpiBody,
) -> Response {
    let Some(vendor) = authenticate(&state, &headers).await else {
        return unauthorized(&headers);
    };
    let session: Session = match serde_json::from_slice(&body) {
        Ok(session) => session,
        Err(error) => return client_error(&headers, &format!("invalid Session: {error}")),
    };
    if !session.country_code.eq_ignore_ascii_case(&country_code)
        || !session.party_id.eq_ignore_ascii_case(&party_id)
        || session.id != session_id
    {
        return client_error(
            &headers,
            "country_code, party_id and id in the URL must equal those in the body",
        );
    }
    if session.start_date_time > state.clock.now() + MAX_START_AHEAD {
        return client_error(
            &headers,
            "start_date_time is in the future; send sessions as they start",
        );
    }
    let vendor_session = match session_from_ocpi(&session) {
        Ok(session) => session,
        Err(rejected) => return client_error(&headers, &rejected.to_string()),
    };
    let known = match state
        .store
        .find_session_by_vendor(&vendor, &session_id)
        .await
    {
        Ok(known) => known,
        Err(error) => return store_failure(&headers, &vendor, &error),
    };
    if let Some(known) = &known {
        match state.store.session_party(&known.id).await {
            Ok(Some(party)) if !party.is(&country_code, &party_id) => {
                return client_error(
                    &headers,
                    "this session id is already used by another party of this platform",
                );
            }
            Ok(_) => {}
            Err(error) => return store_failure(&headers, &vendor, &error),
        }
    }
    let known = known.is_some();
    match ingest_sessions(
        state.store.as_ref(),
        &vendor,
        &[vendor_session],
        session.start_date_time,
    )
    .await
    {
        Ok(report) if report.unmapped > 0 => answer(
            &headers,
            StatusCode::NOT_FOUND,
            2003,
            Some("unknown location or EVSE: no port is mapped to this connector"),
        ),
        Ok(report) if !report.invalid.is_empty() => {
            client_error(&headers, &report.invalid.join("; "))
        }
        Ok(_) => answer(
            &headers,
            if known {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            1000,
            None,
        ),
        Err(error) => {
            tracing::error!(vendor = %vendor, error = %error, "cannot store pushed session");
            answer(
                &headers,
                StatusCode::INTERNAL_SERVER_ERROR,
                3000,
                Some("cannot store the session"),
            )
        }
    }
}

async fn patch_session(
    State(state): State<ReceiverState>,
    Path((country_code, party_id, session_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    OcpiBody(body): OcpiBody,
) -> Response {
    let Some(vendor) = authenticate(&state, &headers).await else {
        return unauthorized(&headers);
    };
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(patch)) => Value::Object(patch),
        _ => return client_error(&headers, "a PATCH body must be a JSON object"),
    };
    let stored = match state
        .store
        .find_session_by_vendor(&vendor, &session_id)
        .await
    {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            return answer(
                &headers,
                StatusCode::NOT_FOUND,
                2001,
                Some("unknown session; PUT it first"),
            );
        }
        Err(error) => {
            tracing::error!(vendor = %vendor, error = %error, "cannot read session for PATCH");
            return answer(
                &headers,
                StatusCode::INTERNAL_SERVER_ERROR,
                3000,
                Some("cannot read the session"),
            );
        }
    };
    // A session another party reported is, for this party, a session that does not exist.
    match state.store.session_party(&stored.id).await {
        Ok(Some(party)) if !party.is(&country_code, &party_id) => {
            return answer(
                &headers,
                StatusCode::NOT_FOUND,
                2001,
                Some("unknown session; PUT it first"),
            );
        }
        Ok(_) => {}
        Err(error) => return store_failure(&headers, &vendor, &error),
    }
    let Some(ports) = state.store.list_ports(&stored.site_id).await.ok() else {
        return answer(
            &headers,
            StatusCode::INTERNAL_SERVER_ERROR,
            3000,
            Some("cannot read ports"),
        );
    };
    let Some(port) = ports
        .into_iter()
        .find(|port| Some(&port.id) == stored.port_id.as_ref())
    else {
        return client_error(&headers, "the session's connector is not mapped to a port");
    };
    let vendor_session = match super::patch::apply(&stored, &port.vendor, &patch) {
        Ok(session) => session,
        Err(message) => return client_error(&headers, &message),
    };
    let since = vendor_session
        .samples
        .first()
        .map_or(vendor_session.last_updated, |sample| sample.at);
    match ingest_sessions(state.store.as_ref(), &vendor, &[vendor_session], since).await {
        Ok(_) => answer(&headers, StatusCode::OK, 1000, None),
        Err(error) => {
            tracing::error!(vendor = %vendor, error = %error, "cannot store patched session");
            answer(
                &headers,
                StatusCode::INTERNAL_SERVER_ERROR,
                3000,
                Some("cannot store the session"),
            )
        }
    }
}

async fn post_result(
    State(state): State<ReceiverState>,
    Path(response_id): Path<String>,
    headers: HeaderMap,
    OcpiBody(body): OcpiBody,
) -> Response {
    let Some(vendor) = authenticate(&state, &headers).await else {
        return unauthorized(&headers);
    };
    let result: ProfileResult = match serde_json::from_slice(&body) {
        Ok(result) => result,
        Err(error) => return client_error(&headers, &format!("invalid result: {error}")),
    };
    let Some(result) = AsyncResult::parse(&result.result) else {
        return client_error(&headers, "result must be ACCEPTED, REJECTED or UNKNOWN");
    };
    if state.results.complete(&response_id, result) {
        return answer(&headers, StatusCode::OK, 1000, None);
    }
    match super::late_result::settle(&state, &vendor, &response_id, result).await {
        Ok(true) => answer(&headers, StatusCode::OK, 1000, None),
        Ok(false) => answer(
            &headers,
            StatusCode::NOT_FOUND,
            2001,
            Some("no request is waiting for this result (unknown or timed out)"),
        ),
        Err(_) => answer(
            &headers,
            StatusCode::INTERNAL_SERVER_ERROR,
            3000,
            Some("cannot record the result"),
        ),
    }
}

async fn put_active_profile(
    State(state): State<ReceiverState>,
    Path(session_id): Path<String>,
    headers: HeaderMap,
    OcpiBody(body): OcpiBody,
) -> Response {
    let Some(vendor) = authenticate(&state, &headers).await else {
        return unauthorized(&headers);
    };
    let active: ActiveChargingProfile = match serde_json::from_slice(&body) {
        Ok(active) => active,
        Err(error) => {
            return client_error(&headers, &format!("invalid ActiveChargingProfile: {error}"));
        }
    };
    match state
        .store
        .find_session_by_vendor(&vendor, &session_id)
        .await
    {
        Ok(Some(session)) => {
            let event = chargeplan_store::NewEvent {
                site_id: session.site_id.clone(),
                at: state.clock.now(),
                kind: chargeplan_store::EventKind::SetpointChanged,
                payload: json!({ "session_id": session.id.as_str(), "active_profile": serde_json::to_value(&active).unwrap_or_default() }),
            };
            match state.store.append_event(&event).await {
                Ok(_) => answer(&headers, StatusCode::OK, 1000, None),
                Err(_) => answer(
                    &headers,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    3000,
                    Some("cannot record the profile"),
                ),
            }
        }
        Ok(None) => answer(
            &headers,
            StatusCode::NOT_FOUND,
            2001,
            Some("unknown session"),
        ),
        Err(_) => answer(
            &headers,
            StatusCode::INTERNAL_SERVER_ERROR,
            3000,
            Some("cannot read the session"),
        ),
    }
}

async fn get_versions(State(state): State<ReceiverState>, headers: HeaderMap) -> Response {
    if authenticate(&state, &headers).await.is_none() {
        return unauthorized(&headers);
    }
    let base = state.public_url.trim_end_matches('/');
    answer_with(
        &headers,
        json!([{ "version": "2.2.1", "url": format!("{base}/ocpi/2.2.1") }]),
    )
}

async fn get_version_details(State(state): State<ReceiverState>, headers: HeaderMap) -> Response {
    if authenticate(&state, &headers).await.is_none() {
        return unauthorized(&headers);
    }
    let base = format!("{}/ocpi/2.2.1", state.public_url.trim_end_matches('/'));
    answer_with(
        &headers,
        json!({
            "version": "2.2.1",
            "endpoints": [
                { "identifier": "sessions", "role": "RECEIVER", "url": format!("{base}/sessions") },
                { "identifier": "chargingprofiles", "role": "SENDER", "url": format!("{base}/chargingprofiles") },
            ]
        }),
    )
}
