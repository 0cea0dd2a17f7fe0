//! A circuit's weekly cap schedule: windows in the site's local time, read or replaced whole.
//!
//! A window covers `[start, end)` on the days named. When `end` is at or before `start` it runs
//! past midnight into the next day (`22:00`–`06:00`) and `days` names the day it STARTS;
//! `end == start` lasts 24 hours. Windows follow the site's clock, also on daylight-saving
//! change days. A window can only lower the circuit's cap, never raise it above the static
//! rating.

use axum::Json;
use axum::extract::State;
use chargeplan_core::{LocalWindow, ScheduledCap};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::circuits::circuit_of;
use super::error::{ApiError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Body, Path, cap, window};
use super::paths::CircuitPath;
use super::site_changed;
use crate::AppState;
use crate::access::ApiCaller;

/// Most windows one circuit's schedule may have.
pub(super) const MAX_WINDOWS: usize = 50;

/// A circuit's schedule.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScheduleView {
    circuit_id: String,
    /// The zone the windows are in (the site's).
    time_zone: String,
    windows: Vec<WindowView>,
}

/// One weekly window and its cap.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WindowView {
    /// The days on which the window starts, in week order (`mon` … `sun`).
    days: Vec<String>,
    /// Local start, `HH:MM`.
    start: String,
    /// Local end, `HH:MM`, exclusive.
    end: String,
    /// Whether the window ends on the next day.
    crosses_midnight: bool,
    /// The cap while the window is active, in kW.
    cap_kw: f64,
}

impl WindowView {
    pub(crate) fn days_and_times(window: &LocalWindow) -> (Vec<String>, String, String, bool) {
        (
            window.days.into(),
            window.start.format("%H:%M").to_string(),
            window.end.format("%H:%M").to_string(),
            window.crosses_midnight(),
        )
    }

    fn new(scheduled: &ScheduledCap) -> Self {
        let (days, start, end, crosses_midnight) = Self::days_and_times(&scheduled.window);
        Self {
            days,
            start,
            end,
            crosses_midnight,
            cap_kw: scheduled.cap.get(),
        }
    }
}

/// The body of a replacement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleBody {
    /// Every window of the circuit (an empty list removes the schedule), at most 50.
    windows: Vec<WindowBody>,
}

/// One window of a replacement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowBody {
    /// Day names on which the window starts: `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`.
    #[schema(example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    days: Vec<String>,
    /// Local start time, `HH:MM`.
    #[schema(example = "17:00")]
    start: String,
    /// Local end time, `HH:MM`; at or before `start` means the next day.
    #[schema(example = "21:00")]
    end: String,
    /// The cap while active, in kW, more than 0.
    #[schema(example = 50)]
    cap_kw: f64,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule",
    operation_id = "get_cap_schedule",
    tag = "caps",
    params(CircuitPath),
    responses(
        (status = 200, description = "the circuit's weekly cap windows", body = ScheduleView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<CircuitPath>,
) -> Result<Json<ScheduleView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let circuit = circuit_of(&state, &site.id, &path.circuit_id).await?;
    let scheduled = state.store.list_scheduled_caps(&site.id).await?;
    Ok(Json(ScheduleView {
        circuit_id: circuit.id.to_string(),
        time_zone: site.time_zone.name().to_owned(),
        windows: scheduled
            .iter()
            .filter(|s| s.circuit_id == circuit.id)
            .map(WindowView::new)
            .collect(),
    }))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule",
    operation_id = "replace_cap_schedule",
    tag = "caps",
    description = "Replaces the circuit's weekly cap windows and re-plans the site at once.",
    params(CircuitPath),
    request_body = ScheduleBody,
    responses(
        (status = 200, description = "the new schedule", body = ScheduleView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn replace(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<CircuitPath>,
    body: Result<Body<ScheduleBody>, ApiError>,
) -> Result<Json<ScheduleView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let circuit = circuit_of(&state, &site.id, &path.circuit_id).await?;
    let Body(body) = body?;
    if body.windows.len() > MAX_WINDOWS {
        return Err(ApiError::invalid(
            "windows",
            format!("windows: at most {MAX_WINDOWS} windows per circuit"),
        ));
    }
    let caps = body
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let at = format!("windows[{i}]");
            Ok(ScheduledCap {
                circuit_id: circuit.id.clone(),
                window: window(&at, &w.days, &w.start, &w.end)?,
                cap: cap(format!("{at}.cap_kw"), w.cap_kw)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    state
        .store
        .replace_scheduled_caps(&circuit.id, &caps, state.clock.now())
        .await?;
    site_changed(&state, &caller, &site.id, "schedule");
    Ok(Json(ScheduleView {
        circuit_id: circuit.id.to_string(),
        time_zone: site.time_zone.name().to_owned(),
        windows: caps.iter().map(WindowView::new).collect(),
    }))
}
