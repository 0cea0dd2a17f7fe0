//! The setpoint audit: every power-limit schedule sent (or being sent) to a vendor cloud for a
//! site's ports, with its delivery state.

use axum::Json;
use axum::extract::State;
use chargeplan_core::{Setpoint, Site};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Params, Path, time};
use super::local_time::local;
use super::paths::SitePath;
use crate::AppState;
use crate::access::ApiCaller;

/// How far back `since` may reach, in days.
const MAX_DAYS_BACK: i64 = 93;

/// A setpoint as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SetpointView {
    id: String,
    /// The plan it comes from; `null` for a manual or fallback limit.
    plan_id: Option<String>,
    port_id: String,
    session_id: String,
    /// When the periods' offsets count from.
    starts_at: DateTime<Utc>,
    /// `starts_at` on the site's clock.
    starts_at_local: String,
    /// The schedule: from each period's start until the next, at most `limit_kw`.
    periods: Vec<PeriodView>,
    /// `pending`, `accepted`, `rejected` or `failed`.
    #[schema(example = "accepted")]
    state: String,
    created_at: DateTime<Utc>,
    /// When `state` last changed.
    updated_at: DateTime<Utc>,
}

/// One period of a setpoint.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PeriodView {
    /// Seconds after the setpoint's `starts_at`.
    start_offset_s: u32,
    /// The same instant.
    starts_at: DateTime<Utc>,
    /// The power limit, in kW.
    limit_kw: f64,
}

impl SetpointView {
    pub(crate) fn new(setpoint: &Setpoint, site: &Site) -> Self {
        Self {
            id: setpoint.id.to_string(),
            plan_id: setpoint.plan_id.as_ref().map(ToString::to_string),
            port_id: setpoint.port_id.to_string(),
            session_id: setpoint.session_id.to_string(),
            starts_at: setpoint.starts_at,
            starts_at_local: local(site.time_zone, setpoint.starts_at),
            periods: setpoint
                .periods
                .iter()
                .map(|p| PeriodView {
                    start_offset_s: p.start_offset_s,
                    starts_at: setpoint.starts_at + Duration::seconds(i64::from(p.start_offset_s)),
                    limit_kw: p.limit_kw,
                })
                .collect(),
            state: setpoint.state.as_str().to_owned(),
            created_at: setpoint.created_at,
            updated_at: setpoint.updated_at,
        }
    }
}

/// Setpoints made since an instant, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SetpointList {
    since: DateTime<Utc>,
    setpoints: Vec<SetpointView>,
}

/// The query of the audit.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SetpointsQuery {
    /// RFC 3339; default 24 hours ago, at most 93 days ago.
    since: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/setpoints",
    operation_id = "list_setpoints",
    tag = "setpoints",
    params(SitePath, SetpointsQuery),
    responses(
        (status = 200, description = "setpoints made since `since`, oldest first", body = SetpointList),
        UnauthorizedError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    query: Result<Params<SetpointsQuery>, ApiError>,
) -> Result<Json<SetpointList>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Params(query) = query?;
    let now = state.clock.now();
    let since = match query.since.as_deref() {
        Some(text) => time("since", text)?,
        None => now - Duration::hours(24),
    };
    if since < now - Duration::days(MAX_DAYS_BACK) {
        return Err(ApiError::invalid(
            "since",
            format!("since: may reach back at most {MAX_DAYS_BACK} days"),
        ));
    }
    let setpoints = state.store.list_setpoints(&site.id, since).await?;
    Ok(Json(SetpointList {
        since,
        setpoints: setpoints
            .iter()
            .map(|s| SetpointView::new(s, &site))
            .collect(),
    }))
}
