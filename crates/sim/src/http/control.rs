//! The simulator's own control surface beside OCPI, for tests and soaks driving a running
//! `chargeplan sim`: fault switches (read and replace), the garage's state, the profile log,
//! and plugging a car in. Every call needs the token the simulator was started with.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use crate::SimError;
use crate::config::{FaultRates, Faults};
use crate::scenario::{ArrivalSpec, ProfileLogEntry, SessionStatus};
use crate::shared::{header_matches, lock};

/// The control routes, each checking the control token.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/sim/faults", get(get_faults).put(put_faults))
        .route("/sim/state", get(get_state))
        .route("/sim/profile-log", get(get_profile_log))
        .route("/sim/arrivals", post(post_arrival))
        .with_state(state)
}

/// The fault switches on the wire; absent fields are zero (no fault).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct FaultSwitches {
    latency_ms: u64,
    server_errors: u32,
    server_error_status: u16,
    timeouts: u32,
    hang_ms: u64,
    malformed: u32,
    resets: u32,
    duplicate_overlap: usize,
    out_of_order_pages: bool,
    rates: RateSwitches,
}

/// [`FaultRates`] on the wire.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RateSwitches {
    server_error: f64,
    hang: f64,
    malformed: f64,
    reset: f64,
    seed: u64,
}

impl FaultSwitches {
    fn from_faults(f: &Faults) -> Self {
        Self {
            latency_ms: millis(f.latency),
            server_errors: f.server_errors,
            server_error_status: f.server_error_status,
            timeouts: f.timeouts,
            hang_ms: millis(f.hang),
            malformed: f.malformed,
            resets: f.resets,
            duplicate_overlap: f.duplicate_overlap,
            out_of_order_pages: f.out_of_order_pages,
            rates: RateSwitches {
                server_error: f.rates.server_error,
                hang: f.rates.hang,
                malformed: f.rates.malformed,
                reset: f.rates.reset,
                seed: f.rates.seed,
            },
        }
    }

    fn into_faults(self) -> Result<Faults, String> {
        if self.server_error_status != 0 && !(500..=599).contains(&self.server_error_status) {
            return Err(format!(
                "server_error_status {} is not a 5xx status",
                self.server_error_status
            ));
        }
        let rates = FaultRates {
            server_error: self.rates.server_error,
            hang: self.rates.hang,
            malformed: self.rates.malformed,
            reset: self.rates.reset,
            seed: self.rates.seed,
        };
        if let Some(problem) = rates.problem() {
            return Err(problem);
        }
        Ok(Faults {
            latency: Duration::from_millis(self.latency_ms),
            server_errors: self.server_errors,
            server_error_status: self.server_error_status,
            timeouts: self.timeouts,
            hang: Duration::from_millis(self.hang_ms),
            malformed: self.malformed,
            resets: self.resets,
            duplicate_overlap: self.duplicate_overlap,
            out_of_order_pages: self.out_of_order_pages,
            rates,
        })
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whether the request carries the control token.
fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|h| header_matches(h, &state.control_token))
}

/// The answer to a request without the control token.
fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "missing or wrong token: use the token the simulator was started with",
    )
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

async fn get_faults(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let faults = lock(&state.faults).clone();
    axum::Json(FaultSwitches::from_faults(&faults)).into_response()
}

async fn put_faults(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let switches: FaultSwitches = match serde_json::from_str(&body) {
        Ok(s) => s,
        Err(e) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("fault switches: {e}"),
            );
        }
    };
    match switches.into_faults() {
        Ok(faults) => {
            let answer = FaultSwitches::from_faults(&faults);
            tracing::info!(faults = ?faults, "simulated cloud fault switches replaced");
            *lock(&state.faults) = faults;
            axum::Json(answer).into_response()
        }
        Err(message) => problem(StatusCode::UNPROCESSABLE_ENTITY, &message),
    }
}

/// One session as the control surface shows it.
#[derive(Debug, Serialize)]
struct SessionState {
    id: String,
    evse_uid: String,
    token_uid: String,
    active: bool,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    kwh: f64,
    soc: f64,
    power_kw: f64,
    /// The profile limit in force now; `null` when none is.
    limit_kw: Option<f64>,
}

async fn get_state(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let world = lock(&state.world);
    let total: f64 = world.evse_power_kw().iter().map(|(_, p)| p).sum();
    let sessions: Vec<SessionState> = world
        .sessions
        .iter()
        .map(|s| world.view(s))
        .map(|s| SessionState {
            id: s.id,
            evse_uid: s.evse_uid,
            token_uid: s.token_uid,
            active: s.status == SessionStatus::Active,
            start: s.start,
            end: s.end,
            kwh: s.kwh,
            soc: s.soc,
            power_kw: s.power_kw,
            limit_kw: s.limit_kw,
        })
        .collect();
    axum::Json(json!({
        "now": world.now,
        "total_power_kw": total,
        "sessions": sessions,
    }))
    .into_response()
}

/// One charging-profile request as the control surface shows it.
#[derive(Debug, Serialize)]
struct ProfileRequest {
    at: DateTime<Utc>,
    session_id: String,
    kind: &'static str,
    /// The last path segment of the result URL: the peer's own id for the request.
    response_id: String,
    answer: &'static str,
    async_result: Option<&'static str>,
    /// Whether the profile was put in force (a PUT answered ACCEPTED whose result, if any, is
    /// not REJECTED).
    applied: bool,
}

impl ProfileRequest {
    fn new(e: &ProfileLogEntry) -> Self {
        use crate::scenario::{AsyncResult, ProfileAnswer, ProfileRequestKind};
        let kind = match e.kind {
            ProfileRequestKind::Set => "PUT",
            ProfileRequestKind::Clear => "DELETE",
            ProfileRequestKind::Get => "GET",
        };
        let applied = e.kind == ProfileRequestKind::Set
            && e.answer == ProfileAnswer::Accepted
            && e.async_result != Some(AsyncResult::Rejected);
        Self {
            at: e.at,
            session_id: e.session_id.clone(),
            kind,
            response_id: e
                .response_url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            answer: e.answer.as_str(),
            async_result: e.async_result.map(|r| r.as_str()),
            applied,
        }
    }
}

async fn get_profile_log(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let log: Vec<ProfileRequest> = lock(&state.world)
        .profile_log
        .iter()
        .map(ProfileRequest::new)
        .collect();
    axum::Json(log).into_response()
}

/// A car to plug in now.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Arrival {
    evse_uid: String,
    token_uid: String,
    /// Minutes until it leaves; it stays until unplugged when absent.
    stay_minutes: Option<u32>,
    battery_kwh: f64,
    soc: f64,
    max_kw: f64,
}

async fn post_arrival(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let arrival: Arrival = match serde_json::from_str(&body) {
        Ok(a) => a,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("arrival: {e}")),
    };
    let sane = |x: f64, lo: f64, hi: f64| x.is_finite() && (lo..=hi).contains(&x);
    if !sane(arrival.battery_kwh, 1.0, 300.0)
        || !sane(arrival.soc, 0.0, 1.0)
        || !sane(arrival.max_kw, 0.5, 400.0)
    {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "battery_kwh must be 1–300, soc 0–1 and max_kw 0.5–400",
        );
    }
    let started = {
        let mut world = lock(&state.world);
        let now = world.now;
        world.plug_in(ArrivalSpec {
            evse: arrival.evse_uid,
            token_uid: arrival.token_uid,
            arrival: now,
            departure: arrival
                .stay_minutes
                .map(|m| now + chrono::Duration::minutes(i64::from(m))),
            battery_kwh: arrival.battery_kwh,
            soc: arrival.soc,
            max_kw: arrival.max_kw,
        })
    };
    state.flush_changes();
    match started {
        Ok(Some(id)) => {
            (StatusCode::CREATED, axum::Json(json!({ "session_id": id }))).into_response()
        }
        Ok(None) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the car did not plug in at once",
        ),
        Err(e @ SimError::UnknownEvse(_)) => problem(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e @ SimError::EvseOccupied(_)) => problem(StatusCode::CONFLICT, &e.to_string()),
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}
