//! A site's plans: the latest, one by id, and the ones made in a time range.

use axum::Json;
use axum::extract::State;
use chargeplan_core::{Plan, PlanId, SessionPlan, Site, SiteId};
use chargeplan_store::StoreError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Params, Path, range};
use super::local_time::local;
use super::paths::{PlanPath, SitePath};
use crate::AppState;
use crate::access::ApiCaller;

/// Plans listed when `limit` is not given.
const DEFAULT_LIMIT: u32 = 50;
/// Most plans one list answer holds.
pub(super) const MAX_LIMIT: u32 = 500;
/// Longest range of one list, in days.
const MAX_RANGE_DAYS: i64 = 93;

/// A plan with its per-slot power.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanView {
    #[serde(flatten)]
    summary: PlanSummary,
    /// The planned power of the whole site in each slot (the sum over sessions), in kW.
    site_power_kw: Vec<f64>,
    /// What the plan does for each controlled session.
    sessions: Vec<SessionPlanView>,
}

/// A plan without its per-slot power.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanSummary {
    id: String,
    site_id: String,
    /// When the plan was made.
    created_at: DateTime<Utc>,
    /// Start of slot 0.
    start: DateTime<Utc>,
    /// `start` on the site's clock.
    start_local: String,
    /// End of the horizon.
    end: DateTime<Utc>,
    /// Length of every slot, in minutes.
    slot_minutes: u32,
    /// Number of slots.
    horizon_slots: u32,
    /// Sessions planned.
    session_count: usize,
    /// Energy the plan delivers over the horizon, all sessions, in kWh.
    energy_kwh: f64,
    /// Energy asked for that the plan cannot deliver, all sessions, in kWh.
    shortfall_kwh: f64,
    /// The highest planned site power of any slot, in kW.
    peak_kw: f64,
}

/// What a plan does for one session.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionPlanView {
    session_id: String,
    /// Planned power per slot, in kW.
    power_kw: Vec<f64>,
    /// Energy planned over the horizon, in kWh.
    energy_kwh: f64,
    /// Energy asked for that the plan cannot deliver before departure, in kWh.
    shortfall_kwh: f64,
    /// When the requested energy will have been delivered, if it will be.
    completion: Option<DateTime<Utc>>,
    /// `completion` on the site's clock.
    completion_local: Option<String>,
    /// Why there is a shortfall, in the driver's words.
    shortfall_reason: Option<String>,
}

impl SessionPlanView {
    pub(crate) fn new(planned: &SessionPlan, site: &Site) -> Self {
        Self {
            session_id: planned.session_id.to_string(),
            power_kw: planned.power_kw.clone(),
            energy_kwh: planned.energy_kwh,
            shortfall_kwh: planned.shortfall_kwh,
            completion: planned.completion,
            completion_local: planned.completion.map(|at| local(site.time_zone, at)),
            shortfall_reason: planned.shortfall_reason.clone(),
        }
    }
}

/// The planned power of the whole site per slot.
fn site_power(plan: &Plan) -> Vec<f64> {
    let slots = usize::try_from(plan.horizon_slots).unwrap_or(usize::MAX);
    let mut total = vec![0.0; slots];
    for session in &plan.sessions {
        for (sum, kw) in total.iter_mut().zip(&session.power_kw) {
            *sum += kw;
        }
    }
    total
}

impl PlanSummary {
    fn new(plan: &Plan, site: &Site, site_power: &[f64]) -> Self {
        Self {
            id: plan.id.to_string(),
            site_id: plan.site_id.to_string(),
            created_at: plan.created_at,
            start: plan.start,
            start_local: local(site.time_zone, plan.start),
            end: plan.end(),
            slot_minutes: plan.slot_minutes.get(),
            horizon_slots: plan.horizon_slots,
            session_count: plan.sessions.len(),
            energy_kwh: plan.sessions.iter().map(|s| s.energy_kwh).sum(),
            shortfall_kwh: plan.sessions.iter().map(|s| s.shortfall_kwh).sum(),
            peak_kw: site_power.iter().copied().fold(0.0, f64::max),
        }
    }
}

impl PlanView {
    pub(crate) fn new(plan: &Plan, site: &Site) -> Self {
        let site_power_kw = site_power(plan);
        Self {
            summary: PlanSummary::new(plan, site, &site_power_kw),
            site_power_kw,
            sessions: plan
                .sessions
                .iter()
                .map(|s| SessionPlanView::new(s, site))
                .collect(),
        }
    }
}

/// Plans made in a range, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanList {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    plans: Vec<PlanSummary>,
}

/// The query of a list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct PlansQuery {
    /// RFC 3339, inclusive; default 24 hours before `to`.
    from: Option<String>,
    /// RFC 3339, exclusive; default now. At most 93 days after `from`.
    to: Option<String>,
    /// Most plans to list, 1 to 500; default 50.
    limit: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/plans",
    operation_id = "list_plans",
    tag = "plans",
    params(SitePath, PlansQuery),
    responses(
        (status = 200, description = "plans made in the range, newest first", body = PlanList),
        UnauthorizedError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    query: Result<Params<PlansQuery>, ApiError>,
) -> Result<Json<PlanList>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Params(query) = query?;
    let (from, to) = range(
        query.from.as_deref(),
        query.to.as_deref(),
        state.clock.now(),
        Duration::hours(24),
        MAX_RANGE_DAYS,
    )?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "limit",
                    format!("limit: must be a whole number from 1 to {MAX_LIMIT}, got '{text}'"),
                )
            })?,
    };
    let plans = state.store.list_plans(&site.id, from, to, limit).await?;
    Ok(Json(PlanList {
        from,
        to,
        plans: plans
            .iter()
            .map(|plan| PlanSummary::new(plan, &site, &site_power(plan)))
            .collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/plans/latest",
    operation_id = "get_latest_plan",
    tag = "plans",
    params(SitePath),
    responses(
        (status = 200, description = "the site's newest plan", body = PlanView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn latest(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<PlanView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let plan = state
        .store
        .latest_plan(&site.id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("site '{}' has no plan yet", site.id)))?;
    Ok(Json(PlanView::new(&plan, &site)))
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/plans/{plan_id}",
    operation_id = "get_plan",
    tag = "plans",
    params(PlanPath),
    responses(
        (status = 200, description = "the plan", body = PlanView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<PlanPath>,
) -> Result<Json<PlanView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let plan = plan_of(&state, &site.id, &path.plan_id).await?;
    Ok(Json(PlanView::new(&plan, &site)))
}

/// The plan with this id when it is one of `site`'s, else 404.
async fn plan_of(state: &AppState, site: &SiteId, plan_id: &str) -> Result<Plan, ApiError> {
    let not_found = || ApiError::NotFound(format!("plan '{plan_id}' not found"));
    let id = PlanId::parse(plan_id).map_err(|_| not_found())?;
    match state.store.get_plan(&id).await {
        Ok(plan) if &plan.site_id == site => Ok(plan),
        Ok(_) | Err(StoreError::NotFound { .. }) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
}
