//! ChargingProfiles, CPO Receiver interface: PUT / DELETE / GET with asynchronous results.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use reqwest::Method;
use serde_json::{Value, json};

use super::{AppState, bad_params, now, ok, parse_body};
use crate::profile::composite_w;
use crate::scenario::{AsyncResult, ProfileAnswer, ProfileRequestKind};
use crate::shared::{Outbound, Shared, join, lock};
use crate::wire::{ActiveChargingProfile, SetChargingProfile};
use crate::world_profiles::ProfileDecision;

/// Length of the `ActiveChargingProfile` the CPO reports, seconds.
const ACTIVE_PROFILE_S: i64 = 3600;

/// `PUT /chargingprofiles/{session_id}` with `SetChargingProfile`.
pub(super) async fn put_profile(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    body: Bytes,
) -> Response {
    let set: SetChargingProfile = match parse_body(&body, now(&state)) {
        Ok(s) => s,
        Err(resp) => return *resp,
    };
    if set.response_url.trim().is_empty() {
        return bad_params("response_url is required", now(&state));
    }
    let url = set.response_url.clone();
    handle(
        &state,
        ProfileRequestKind::Set,
        &session_id,
        Some(set),
        &url,
        None,
    )
}

/// `DELETE /chargingprofiles/{session_id}?response_url=`.
pub(super) async fn delete_profile(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(url) = q.get("response_url").filter(|u| !u.trim().is_empty()) else {
        return bad_params("response_url is required", now(&state));
    };
    handle(
        &state,
        ProfileRequestKind::Clear,
        &session_id,
        None,
        url,
        None,
    )
}

/// `GET /chargingprofiles/{session_id}?duration=&response_url=` (both required).
pub(super) async fn get_active(
    State(state): State<AppState>,
    Path(session_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(url) = q.get("response_url").filter(|u| !u.trim().is_empty()) else {
        return bad_params("response_url is required", now(&state));
    };
    let Some(duration) = q
        .get("duration")
        .and_then(|d| d.trim().parse::<i64>().ok())
        .filter(|d| *d > 0)
    else {
        return bad_params("duration (positive seconds) is required", now(&state));
    };
    handle(
        &state,
        ProfileRequestKind::Get,
        &session_id,
        None,
        url,
        Some(duration),
    )
}

fn handle(
    state: &AppState,
    kind: ProfileRequestKind,
    session_id: &str,
    set: Option<SetChargingProfile>,
    response_url: &str,
    duration: Option<i64>,
) -> Response {
    let behaviour = lock(&state.profiles).clone();
    let (decision, at, active) = {
        let mut world = lock(&state.world);
        let decision = world.profile_request(
            kind,
            session_id,
            set.map(|s| s.charging_profile),
            response_url,
            &behaviour,
        );
        let at = world.now;
        let active = world.session(session_id).map(|s| {
            let span = duration.unwrap_or(ACTIVE_PROFILE_S);
            ActiveChargingProfile {
                start_date_time: at,
                charging_profile: composite_w(s.profile.as_ref(), &s.evse, at, span),
            }
        });
        (decision, at, active)
    };
    let ProfileDecision {
        answer,
        async_result,
        log_index,
        profile_changed,
    } = decision;
    if answer == ProfileAnswer::Accepted
        && let Some(result) = async_result
    {
        let mut body = json!({"result": result.as_str()});
        if kind == ProfileRequestKind::Get && result == AsyncResult::Accepted {
            body["profile"] = json!(active);
        }
        let out = Outbound {
            method: Method::POST,
            url: response_url.to_owned(),
            body,
        };
        state.send_later(behaviour.result_delay, out, move |shared, outcome| {
            if let Some(entry) = lock(&shared.world).profile_log.get_mut(log_index) {
                entry.delivered = Some(outcome);
            }
        });
    }
    if profile_changed && let Some(active) = active {
        push_active(state, session_id, &active, behaviour.result_delay);
    }
    ok(
        json!({"result": answer.as_str(), "timeout": behaviour.timeout_s}),
        at,
    )
}

/// PUTs the session's `ActiveChargingProfile` to the peer, when enabled and its endpoint is known.
fn push_active(
    state: &Arc<Shared>,
    session_id: &str,
    active: &ActiveChargingProfile,
    delay: std::time::Duration,
) {
    if !state.push.push_active_profiles {
        return;
    }
    let base = state
        .push
        .chargingprofiles_url
        .clone()
        .or_else(|| lock(&state.auth).peer.chargingprofiles_url.clone());
    let Some(base) = base else { return };
    let out = Outbound {
        method: Method::PUT,
        url: join(&base, session_id),
        body: serde_json::to_value(active).unwrap_or(Value::Null),
    };
    // After the result, so the peer learns the outcome before the effect.
    state.send_later(delay * 2, out, |_, _| {});
}
