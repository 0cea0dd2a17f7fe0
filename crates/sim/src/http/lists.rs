//! Locations and Sessions, CPO Sender interfaces: paginated lists and single objects.

use std::collections::HashMap;

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{AppState, ListQuery, bad_params, ok, page, reply};
use crate::objects::{connector_json, evse_json, location_json, location_updated, session_json};
use crate::shared::lock;
use crate::site::LocationSpec;

fn unknown_location(at: chrono::DateTime<chrono::Utc>) -> Response {
    reply(
        StatusCode::NOT_FOUND,
        2003,
        Some("unknown location"),
        None,
        at,
    )
}

/// `GET /locations?date_from=&date_to=&offset=&limit=` (`date_from` optional here).
pub(super) async fn locations(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let world = lock(&state.world);
    let q = match ListQuery::parse(&q, state.page_limit) {
        Ok(q) => q,
        Err(msg) => return bad_params(&msg, world.now),
    };
    let mut found: Vec<_> = world
        .site
        .locations
        .iter()
        .map(|l| (location_updated(&world, l), l))
        .filter(|(t, _)| q.admits(*t))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let to_json = |(_, l): &(_, &LocationSpec)| location_json(&world, &state.cpo, l);
    page(&state, uri.path(), &q, &found, to_json, world.now)
}

/// `GET /locations/{location_id}`.
pub(super) async fn location(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let world = lock(&state.world);
    match world.site.locations.iter().find(|l| l.id == id) {
        Some(l) => ok(location_json(&world, &state.cpo, l), world.now),
        None => unknown_location(world.now),
    }
}

/// `GET /locations/{location_id}/{evse_uid}`.
pub(super) async fn evse(
    State(state): State<AppState>,
    Path((id, uid)): Path<(String, String)>,
) -> Response {
    let world = lock(&state.world);
    let found = world
        .site
        .locations
        .iter()
        .find(|l| l.id == id)
        .and_then(|l| l.evses.iter().find(|e| e.uid == uid));
    match found {
        Some(e) => ok(evse_json(&world, e), world.now),
        None => unknown_location(world.now),
    }
}

/// `GET /locations/{location_id}/{evse_uid}/{connector_id}` (every EVSE has connector `"1"`).
pub(super) async fn connector(
    State(state): State<AppState>,
    Path((id, uid, connector)): Path<(String, String, String)>,
) -> Response {
    let world = lock(&state.world);
    let found = world
        .site
        .locations
        .iter()
        .find(|l| l.id == id)
        .and_then(|l| l.evses.iter().find(|e| e.uid == uid))
        .filter(|_| connector == "1");
    match found {
        Some(e) => ok(connector_json(&world, e), world.now),
        None => unknown_location(world.now),
    }
}

/// `GET /sessions?date_from=` (required) `&date_to=&offset=&limit=`, oldest `last_updated` first.
pub(super) async fn sessions(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let world = lock(&state.world);
    let q = match ListQuery::parse(&q, state.page_limit) {
        Ok(q) => q,
        Err(msg) => return bad_params(&msg, world.now),
    };
    if q.date_from.is_none() {
        return bad_params("date_from is required", world.now);
    }
    let mut found: Vec<_> = world
        .sessions
        .iter()
        .filter(|s| q.admits(s.last_updated))
        .collect();
    found.sort_by(|a, b| {
        a.last_updated
            .cmp(&b.last_updated)
            .then_with(|| a.id.cmp(&b.id))
    });
    let to_json = |s: &&crate::world::SessionState| json!(session_json(s, &state.cpo, world.now));
    page(&state, uri.path(), &q, &found, to_json, world.now)
}
