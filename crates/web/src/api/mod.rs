//! The operator JSON API, under `/api/v1`, and its OpenAPI document.
//!
//! Every route but the document needs an operator: `Authorization: Bearer <token>` (an API
//! token, or the configured `api.admin_token`), or the dashboard's session cookie (whose
//! changes carry `X-CSRF-Token`); see [`crate::access`]. An **admin** may do everything; a
//! **site operator** reads everything of the sites granted to them and changes their caps,
//! tariff, sharing settings, participants and ports' `controllable` and `cable_movable`
//! flags. A site that is not granted answers
//! exactly like one that does not exist (404), and `GET /api/v1/sites` lists only the
//! caller's sites. Admin-only routes answer 403 to site operators whatever the site, so that
//! answer reveals nothing either.
//!
//! | method | path | who | what |
//! |---|---|---|---|
//! | `GET` | `/api/v1/openapi.json` | anyone | this API's OpenAPI 3.1 document |
//! | `GET` | `/api/v1/docs` | anyone | this API's reference as an HTML page, rendered by the server from the document (no script, nothing fetched) |
//! | `GET` | `/api/v1/sites` | operator | the caller's sites |
//! | `GET` | `/api/v1/sites/{site_id}` | operator | one site, with its clock now |
//! | `PUT` | `/api/v1/sites/{site_id}` | admin | create (201) or update a site: name, time zone, slot length |
//! | `GET` | `/api/v1/sites/{site_id}/circuits` | operator | the circuit tree with each circuit's cap in force now |
//! | `PUT` | `/api/v1/sites/{site_id}/circuits` | admin | replace the whole tree (409 while a removed circuit feeds ports) |
//! | `PUT` | `/api/v1/sites/{site_id}/circuits/{circuit_id}/cap` | operator | a circuit's static cap |
//! | `GET` | `/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule` | operator | a circuit's weekly cap windows (site local time) |
//! | `PUT` | `/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule` | operator | replace them |
//! | `DELETE` | `/api/v1/sites/{site_id}/circuits/{circuit_id}/overrides` | operator | end the circuit's overrides now |
//! | `GET` | `/api/v1/sites/{site_id}/overrides` | operator | overrides active now or starting later |
//! | `POST` | `/api/v1/sites/{site_id}/overrides` | operator | add an override with an expiry (a demand-response event) |
//! | `GET` | `/api/v1/sites/{site_id}/tariff` | operator | the tariff (404 while none is set) |
//! | `PUT` | `/api/v1/sites/{site_id}/tariff` | operator | replace it: time-of-use windows, demand charge, billing day |
//! | `GET` | `/api/v1/sites/{site_id}/ports` | operator | the ports with their vendor mapping |
//! | `PUT` | `/api/v1/sites/{site_id}/ports/{port_id}` | admin | create (201) or replace a port: circuit, vendor account/location/EVSE/connector, power, phases, voltage |
//! | `PATCH` | `/api/v1/sites/{site_id}/ports/{port_id}` | operator | `{"controllable": true}` and/or `{"cable_movable": true}` (others may unplug its cable when its owner says OK) |
//! | `GET` | `/api/v1/sites/{site_id}/sharing` | operator | the sharing settings: relay threads, rate limits, waitlist offers and holds, "done" reminders, the public board |
//! | `PUT` | `/api/v1/sites/{site_id}/sharing` | operator | replace them (every field; ranges in the document) |
//! | `GET` | `/api/v1/sites/{site_id}/relay-log` | operator | the relay audit in `?from&to` (default 7 days), newest first, at most `?limit` (default 500): sender role, time, thread code, outcome, body while kept; never a phone number |
//! | `GET` | `/api/v1/sites/{site_id}/participants` | operator | the site's drivers, phone numbers masked |
//! | `POST` | `/api/v1/sites/{site_id}/participants` | operator | register a driver (201) |
//! | `GET` | `/api/v1/sites/{site_id}/participants/{participant_id}` | operator | one driver |
//! | `PUT` | `/api/v1/sites/{site_id}/participants/{participant_id}` | operator | replace a driver's phone, tokens and Wh/mile |
//! | `DELETE` | `/api/v1/sites/{site_id}/participants/{participant_id}` | operator | delete a driver (204) |
//! | `GET` | `/api/v1/sites/{site_id}/sessions` | operator | `?state=open`: live sessions; else those started in `?from&to` (default 7 days, at most 93), each with its latest request |
//! | `GET` | `/api/v1/sites/{site_id}/sessions/{session_id}` | operator | one session: request revisions, newest setpoint, planned power |
//! | `GET` | `/api/v1/sites/{site_id}/plans` | operator | plans made in `?from&to` (default 24 hours), newest first, at most `?limit` (default 50) |
//! | `GET` | `/api/v1/sites/{site_id}/plans/latest` | operator | the newest plan with per-slot power |
//! | `GET` | `/api/v1/sites/{site_id}/plans/{plan_id}` | operator | one plan |
//! | `GET` | `/api/v1/sites/{site_id}/setpoints` | operator | the setpoint audit since `?since` (default 24 hours ago) |
//! | `GET` | `/api/v1/sites/{site_id}/reports` | operator | the report of `?period=day\|week&date=YYYY-MM-DD` (default today on the site's clock): requests met, peaks, cost, sessions |
//! | `GET` | `/api/v1/sites/{site_id}/reports.csv` | operator | the same as a CSV attachment: the sessions, or `&table=summary` |
//!
//! Every change of caps, schedules, overrides, the tariff, ports' mapping or `controllable`
//! flag, or circuits asks the site's control worker to re-plan at once
//! ([`ControlHandle::trigger`](chargeplan_control::ControlHandle::trigger)); the store also
//! records a `cap_changed` or `tariff_changed` event with the change. Sharing settings and a
//! port's `cable_movable` flag do not enter the plan: they are logged, not re-planned.
//!
//! Answers are JSON with units in the field names (`cap_kw`, `energy_kwh`); times are RFC 3339
//! UTC, with a `*_local` twin on the site's clock where an operator reads them. Phone numbers
//! appear only in the participants routes, masked (`+•••••••••01`) everywhere but the 201 of a
//! create and the `GET` of one participant; sessions never show them.
//!
//! Errors have one shape, `{"error": {"message": "...", "field": "cap_kw"}}` (`field` is `null`
//! when the error is not about one field, and a path such as `windows[1].start` inside a
//! list): 401 without a valid token (or with a revoked one), 403 for a site operator on an
//! admin-only route, 404 for an unknown or not-granted site and for an unknown record of the
//! site (ids that cannot be ids included, except the new id of a `PUT` that creates, which is
//! a 422), 409 when the change collides with what is stored, 422 for an invalid field (nothing
//! is changed), and an opaque 500 whose reason is only logged. What axum refuses before a
//! handler runs answers in the same shape: 400 (a body that is not JSON, a path segment that
//! is not UTF-8), 413 (a body over [`openapi::MAX_BODY_BYTES`]), 415 (not
//! `application/json`), 405 (a method the path does not have; `Allow` lists those it has), 404
//! (a path under `/api/` no route has: [`unknown_path`]).
//!
//! The document carries the server's limits on every validated field and query parameter
//! ([`limits`]), and each operation lists the error answers it can give.
//!
//! The routes are built by one [`OpenApiRouter`] from the handlers' `#[utoipa::path]`
//! annotations, which also make the document ([`openapi`]); tests check the table above, the
//! document and the served routes against each other.

mod caps;
mod circuits;
mod docs;
mod docs_schema;
mod error;
mod input;
mod limits;
mod local_time;
mod openapi;
mod overrides;
mod participants;
mod paths;
mod plans;
mod ports;
mod relay_log;
pub(crate) mod report_query;
mod report_relay;
mod reports;
mod schedule;
mod sessions;
mod setpoints;
mod sharing;
mod sites;
mod tariff;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) use docs::DOCS_PATH;
pub(crate) use error::ApiError;
pub(crate) use sharing::changed_fields as sharing_changed_fields;

/// The API's routes with their OpenAPI entries. One `routes!` per path: handlers of one path
/// only, as `OpenApiRouter` mounts every handler of a `routes!` on each of its paths.
fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(openapi::serve))
        .routes(routes!(docs::serve))
        .routes(routes!(sites::list))
        .routes(routes!(sites::show, sites::put))
        .routes(routes!(circuits::show, circuits::replace))
        .routes(routes!(caps::set))
        .routes(routes!(schedule::show, schedule::replace))
        .routes(routes!(overrides::end))
        .routes(routes!(overrides::list, overrides::create))
        .routes(routes!(tariff::show, tariff::replace))
        .routes(routes!(ports::list))
        .routes(routes!(ports::put, ports::patch))
        .routes(routes!(sharing::show, sharing::replace))
        .routes(routes!(relay_log::list))
        .routes(routes!(participants::list, participants::create))
        .routes(routes!(
            participants::show,
            participants::replace,
            participants::remove
        ))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::show))
        .routes(routes!(plans::list))
        .routes(routes!(plans::latest))
        .routes(routes!(plans::show))
        .routes(routes!(setpoints::list))
        .routes(routes!(reports::show))
        .routes(routes!(reports::csv))
}

/// After a change to a site's layout, caps or tariff: logs who changed what and asks the
/// site's control worker to re-plan at once.
pub(crate) fn site_changed(
    state: &AppState,
    caller: &crate::access::ApiCaller,
    site: &chargeplan_core::SiteId,
    change: &'static str,
) {
    log_change(caller, site, change, "");
    state.control.trigger(site);
}

/// Logs who changed what at a site (`fields`: the names of the fields changed, when known).
pub(crate) fn log_change(
    caller: &crate::access::ApiCaller,
    site: &chargeplan_core::SiteId,
    change: &'static str,
    fields: &str,
) {
    tracing::info!(
        site.id = %site,
        change,
        fields,
        operator = %caller.operator.name,
        "site changed through the API"
    );
}

/// The answer to a path no route has: under `/api/` a 404 in the API's error shape, elsewhere
/// axum's plain 404. (For [`crate::router`]'s fallback: a router has one, for every path.)
pub(crate) async fn unknown_path(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    if uri.path().starts_with("/api/") {
        ApiError::NotFound("no such route; the routes are listed in /api/v1/openapi.json".into())
            .into_response()
    } else {
        axum::http::StatusCode::NOT_FOUND.into_response()
    }
}

/// The API's routes, for [`crate::router`].
pub(crate) fn routes() -> Router<AppState> {
    openapi_router()
        .split_for_parts()
        .0
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(openapi::MAX_BODY_BYTES))
}

#[cfg(test)]
mod tests;
