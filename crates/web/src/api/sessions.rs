//! A site's charging sessions: live ones or a history range, each with the driver's latest
//! request; and one session with every request revision, its newest setpoint and its part
//! of the latest plan. Never a phone number.

use axum::Json;
use axum::extract::State;
use chargeplan_core::{ChargingRequest, RequestedEnergy, Session, SessionId, Site, SiteId};
use chargeplan_store::StoreError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Params, Path, range};
use super::local_time::local;
use super::paths::{SessionPath, SitePath};
use super::plans::SessionPlanView;
use super::setpoints::SetpointView;
use crate::AppState;
use crate::access::ApiCaller;

/// Default history range, in days.
const DEFAULT_DAYS: i64 = 7;
/// Longest history range, in days.
const MAX_RANGE_DAYS: i64 = 93;

/// A session as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionView {
    id: String,
    /// The port, when the vendor's connector is mapped to one.
    port_id: Option<String>,
    vendor_account: String,
    /// The vendor cloud's id of the session.
    vendor_session_id: String,
    /// OCPI status: `PENDING`, `ACTIVE`, `COMPLETED`, `INVALID` or `RESERVATION`.
    #[schema(example = "ACTIVE")]
    status: String,
    /// The charging card or app token uid, when the vendor sent one.
    token_uid: Option<String>,
    started_at: DateTime<Utc>,
    /// `started_at` on the site's clock.
    started_at_local: String,
    /// `null` while charging.
    ended_at: Option<DateTime<Utc>>,
    /// `ended_at` on the site's clock.
    ended_at_local: Option<String>,
    /// Energy delivered so far, in kWh.
    energy_kwh: f64,
    /// Power at the last reading, in kW.
    power_kw: f64,
    /// The driver's latest request, if any.
    request: Option<RequestView>,
}

impl SessionView {
    fn new(session: &Session, request: Option<&ChargingRequest>, site: &Site) -> Self {
        Self {
            id: session.id.to_string(),
            port_id: session.port_id.as_ref().map(ToString::to_string),
            vendor_account: session.vendor_account.to_string(),
            vendor_session_id: session.vendor_session_id.clone(),
            status: session.status.as_str().to_owned(),
            token_uid: session.token_uid.as_ref().map(|t| t.as_str().to_owned()),
            started_at: session.started_at,
            started_at_local: local(site.time_zone, session.started_at),
            ended_at: session.ended_at,
            ended_at_local: session.ended_at.map(|at| local(site.time_zone, at)),
            energy_kwh: session.energy.get(),
            power_kw: session.power.get(),
            request: request.map(|r| RequestView::new(r, site)),
        }
    }
}

/// One revision of a driver's request.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RequestView {
    /// 1 for the first, one more for each change.
    revision: u32,
    /// When the driver leaves.
    departure: DateTime<Utc>,
    /// `departure` on the site's clock.
    departure_local: String,
    /// Energy asked for, in kWh; `null` for "as much as possible".
    energy_kwh: Option<f64>,
    /// Whether the driver asked for as much as possible.
    as_much_as_possible: bool,
    /// The miles the driver typed, when they gave miles.
    stated_miles: Option<f64>,
    submitted_at: DateTime<Utc>,
}

impl RequestView {
    fn new(request: &ChargingRequest, site: &Site) -> Self {
        Self {
            revision: request.revision,
            departure: request.departure,
            departure_local: local(site.time_zone, request.departure),
            energy_kwh: request.energy.kwh(),
            as_much_as_possible: matches!(request.energy, RequestedEnergy::AsMuchAsPossible),
            stated_miles: request.stated_miles,
            submitted_at: request.submitted_at,
        }
    }
}

/// Sessions, live or in a range.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionList {
    /// The range listed (sessions that started in `[from, to)`); `null` for live sessions.
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    sessions: Vec<SessionView>,
}

/// One session in detail.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionDetail {
    session: SessionView,
    /// Every revision of the driver's request, oldest first.
    requests: Vec<RequestView>,
    /// The newest power limit sent for the session.
    latest_setpoint: Option<SetpointView>,
    /// The session's part of the site's latest plan, if it is in it.
    planned: Option<SessionPlanView>,
}

/// The query of a list: `state=open` for live sessions, else a history range.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SessionsQuery {
    /// `open`: the sessions that have not ended (no range then).
    #[param(example = "open")]
    state: Option<String>,
    /// RFC 3339, inclusive; default 7 days before `to`.
    from: Option<String>,
    /// RFC 3339, exclusive; default now. At most 93 days after `from`.
    to: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    params(SitePath, SessionsQuery),
    responses(
        (status = 200, description = "live sessions, or the sessions that started in the range, each with its latest request", body = SessionList),
        UnauthorizedError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    query: Result<Params<SessionsQuery>, ApiError>,
) -> Result<Json<SessionList>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Params(query) = query?;
    let (sessions, from, to) = match query.state.as_deref() {
        Some("open") => {
            if query.from.is_some() || query.to.is_some() {
                return Err(ApiError::invalid(
                    "state",
                    "state: open lists the live sessions; leave out from and to",
                ));
            }
            (state.store.list_open_sessions(&site.id).await?, None, None)
        }
        Some(other) => {
            return Err(ApiError::invalid(
                "state",
                format!("state: must be 'open' (or left out for a history range), got '{other}'"),
            ));
        }
        None => {
            let (from, to) = range(
                query.from.as_deref(),
                query.to.as_deref(),
                state.clock.now(),
                Duration::days(DEFAULT_DAYS),
                MAX_RANGE_DAYS,
            )?;
            let sessions = state
                .store
                .list_sessions_started(&site.id, from, to)
                .await?;
            (sessions, Some(from), Some(to))
        }
    };
    let mut views = Vec::with_capacity(sessions.len());
    for session in &sessions {
        let request = state.store.latest_request(&session.id).await?;
        views.push(SessionView::new(session, request.as_ref(), &site));
    }
    Ok(Json(SessionList {
        from,
        to,
        sessions: views,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/sessions/{session_id}",
    operation_id = "get_session",
    tag = "sessions",
    params(SessionPath),
    responses(
        (status = 200, description = "the session with its request revisions, newest setpoint and planned power", body = SessionDetail),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SessionPath>,
) -> Result<Json<SessionDetail>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let session = session_of(&state, &site.id, &path.session_id).await?;
    let requests = state.store.request_history(&session.id).await?;
    let setpoint = state.store.latest_setpoint(&session.id).await?;
    let plan = state.store.latest_plan(&site.id).await?;
    Ok(Json(SessionDetail {
        session: SessionView::new(&session, requests.last(), &site),
        requests: requests
            .iter()
            .map(|r| RequestView::new(r, &site))
            .collect(),
        latest_setpoint: setpoint.map(|s| SetpointView::new(&s, &site)),
        planned: plan
            .as_ref()
            .and_then(|plan| plan.session(&session.id))
            .map(|planned| SessionPlanView::new(planned, &site)),
    }))
}

/// The session with this id when it is one of `site`'s, else 404.
async fn session_of(
    state: &AppState,
    site: &SiteId,
    session_id: &str,
) -> Result<Session, ApiError> {
    let not_found = || ApiError::NotFound(format!("session '{session_id}' not found"));
    let id = SessionId::parse(session_id).map_err(|_| not_found())?;
    match state.store.get_session(&id).await {
        Ok(session) if &session.site_id == site => Ok(session),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
}
