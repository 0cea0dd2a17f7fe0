//! One re-plan of one site: snapshot, optimize off the async runtime, store the plan.

use std::time::Instant;

use chargeplan_core::{Plan, PlanId, SessionPlan, Site, SlotMinutes};
use chargeplan_optimizer as opt;
use chargeplan_store::prelude::*;
use chrono::{DateTime, Utc};
use tracing::instrument;

use crate::feedback::TaperMemory;
use crate::lease::Fence;
use crate::metrics::ControlMetrics;
use crate::snapshot::{self, SiteSnapshot};
use crate::{ControlConfig, ControlError};

/// What a re-plan produced: the stored plan and the snapshot it was made from.
#[derive(Debug, Clone)]
pub struct Replanned {
    pub plan: Plan,
    pub snapshot: SiteSnapshot,
    /// The optimizer's own summary (energy, shortfall, cost, solve time).
    pub summary: opt::Plan,
}

/// Builds the site's snapshot at `now`, optimizes it and stores the plan (only while the
/// site's lease is still held, when there is a `fence`).
pub async fn replan(
    store: &dyn Store,
    site: &Site,
    now: DateTime<Utc>,
    config: &ControlConfig,
    taper: &TaperMemory,
    fence: Option<&Fence>,
) -> Result<Replanned, ControlError> {
    replan_observed(store, site, now, config, taper, fence, None).await
}

/// [`replan`], recording the solve's duration in `metrics` (when given).
#[instrument(name = "replan", skip_all, fields(site.id = %site.id))]
pub(crate) async fn replan_observed(
    store: &dyn Store,
    site: &Site,
    now: DateTime<Utc>,
    config: &ControlConfig,
    taper: &TaperMemory,
    fence: Option<&Fence>,
    metrics: Option<&ControlMetrics>,
) -> Result<Replanned, ControlError> {
    let started = Instant::now();
    let snapshot = snapshot::build(store, site, now, config, taper).await?;
    let problem = snapshot.problem.clone();
    let (solved, solve_time) = tokio::task::spawn_blocking(move || {
        let solving = Instant::now();
        let solved = opt::optimize(&problem);
        (solved, solving.elapsed())
    })
    .await
    .map_err(|error| ControlError::Solver(error.to_string()))?;
    if let Some(metrics) = metrics {
        metrics.observe_solve(solve_time.as_secs_f64());
    }
    let summary = solved?;
    let plan = to_plan(site, &snapshot, &summary, now)?;
    match fence {
        Some(fence) => fence.save_plan(store, &plan).await?,
        None => store.save_plan(&plan).await?,
    }
    tracing::info!(
        plan.id = %plan.id,
        plan.sessions = plan.sessions.len(),
        plan.energy_kwh = summary.energy_kwh,
        plan.shortfall_kwh = summary.shortfall_kwh,
        solve.duration_ms = summary.stats.solve_ms,
        replan.duration_ms = started.elapsed().as_secs_f64() * 1e3,
        "site re-planned"
    );
    Ok(Replanned {
        plan,
        snapshot,
        summary,
    })
}

/// The optimizer's answer for `snapshot` as the plan the control loop stores and dispatches
/// (pure; the replay turns every policy's answer into a plan through this too).
///
/// # Errors
/// When the answer's slot length or horizon does not fit a stored plan.
pub fn to_plan(
    site: &Site,
    snapshot: &SiteSnapshot,
    summary: &opt::Plan,
    now: DateTime<Utc>,
) -> Result<Plan, ControlError> {
    let sessions = snapshot
        .sessions
        .iter()
        .zip(&summary.sessions)
        .map(|(planned, result)| SessionPlan {
            session_id: planned.session.id.clone(),
            power_kw: result.power_kw.clone(),
            energy_kwh: result.energy_kwh,
            shortfall_kwh: result.shortfall_kwh,
            completion: result.completion,
            shortfall_reason: result.shortfall_reason.clone(),
        })
        .collect();
    Ok(Plan {
        id: PlanId::generate(),
        site_id: site.id.clone(),
        created_at: now,
        start: summary.start,
        slot_minutes: SlotMinutes::new(summary.slot_minutes)?,
        horizon_slots: u32::try_from(summary.horizon_slots)
            .map_err(|error| ControlError::Solver(error.to_string()))?,
        sessions,
    })
}
