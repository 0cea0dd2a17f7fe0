//! Cap overrides: immediate, temporary caps with an expiry (e.g. a utility's demand-response
//! event). List the site's current and future ones, add one, or end a circuit's now.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chargeplan_core::{CapOverride, MAX_OVERRIDE_DAYS, Site};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::circuits::circuit_of;
use super::error::{ApiError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Body, Path, cap, relabel, time};
use super::local_time::local;
use super::paths::{CircuitPath, SitePath};
use super::site_changed;
use crate::AppState;
use crate::access::ApiCaller;

/// Most minutes `duration_minutes` may give: the longest an override may last.
#[expect(
    clippy::cast_possible_truncation,
    reason = "MAX_OVERRIDE_DAYS is a small positive constant"
)]
pub(super) const MAX_DURATION_MINUTES: u32 = (MAX_OVERRIDE_DAYS * 24 * 60) as u32;

/// An override as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OverrideView {
    circuit_id: String,
    /// The cap while active, in kW.
    cap_kw: f64,
    /// First instant it applies.
    starts_at: DateTime<Utc>,
    /// `starts_at` on the site's clock.
    starts_at_local: String,
    /// First instant it no longer applies.
    expires_at: DateTime<Utc>,
    /// `expires_at` on the site's clock.
    expires_at_local: String,
    /// Whether it applies now.
    active: bool,
    /// Why, for the operators' log.
    reason: String,
}

impl OverrideView {
    fn new(cap: &CapOverride, site: &Site, now: DateTime<Utc>) -> Self {
        Self {
            circuit_id: cap.circuit_id.to_string(),
            cap_kw: cap.cap.get(),
            starts_at: cap.starts_at,
            starts_at_local: local(site.time_zone, cap.starts_at),
            expires_at: cap.expires_at,
            expires_at_local: local(site.time_zone, cap.expires_at),
            active: cap.is_active(now),
            reason: cap.reason.clone(),
        }
    }
}

/// The site's overrides that have not expired.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OverrideList {
    overrides: Vec<OverrideView>,
}

/// The body of a new override: give `expires_at` or `duration_minutes`, not both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OverrideBody {
    /// The circuit it limits (a circuit of this site).
    #[schema(example = "main")]
    circuit_id: String,
    /// The cap while active, in kW, more than 0.
    #[schema(example = 30)]
    cap_kw: f64,
    /// RFC 3339; default now.
    #[serde(default)]
    starts_at: Option<String>,
    /// RFC 3339, after `starts_at` and in the future, at most 7 days after `starts_at`.
    #[serde(default)]
    expires_at: Option<String>,
    /// Minutes from `starts_at`, instead of `expires_at`.
    #[serde(default)]
    #[schema(example = 120)]
    duration_minutes: Option<u32>,
    /// Why, for the operators' log, at most 200 characters.
    #[serde(default)]
    #[schema(example = "utility demand-response event")]
    reason: Option<String>,
}

/// What ending a circuit's overrides did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OverridesEnded {
    circuit_id: String,
    /// Overrides ended (active ones) or removed (future ones).
    ended: u64,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/overrides",
    operation_id = "list_cap_overrides",
    tag = "caps",
    params(SitePath),
    responses(
        (status = 200, description = "the overrides active now or starting later", body = OverrideList),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<OverrideList>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let now = state.clock.now();
    let overrides = state.store.list_cap_overrides(&site.id, now).await?;
    Ok(Json(OverrideList {
        overrides: overrides
            .iter()
            .map(|o| OverrideView::new(o, &site, now))
            .collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site_id}/overrides",
    operation_id = "create_cap_override",
    tag = "caps",
    description = "Adds an override (a cap with an expiry) and re-plans the site at once.",
    params(SitePath),
    request_body = OverrideBody,
    responses(
        (status = 201, description = "the override", body = OverrideView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn create(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    body: Result<Body<OverrideBody>, ApiError>,
) -> Result<(StatusCode, Json<OverrideView>), ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Body(body) = body?;
    let now = state.clock.now();
    let circuit = circuit_of(&state, &site.id, &body.circuit_id)
        .await
        .map_err(|error| match error {
            ApiError::NotFound(_) => ApiError::invalid(
                "circuit_id",
                format!(
                    "circuit_id: '{}' is not a circuit of this site",
                    body.circuit_id
                ),
            ),
            other => other,
        })?;
    let limit = cap("cap_kw".into(), body.cap_kw)?;
    let starts_at = match &body.starts_at {
        Some(text) => time("starts_at", text)?,
        None => now,
    };
    let (expires_at, field) = match (&body.expires_at, body.duration_minutes) {
        (Some(text), None) => (time("expires_at", text)?, "expires_at"),
        (None, Some(minutes)) => {
            if !(1..=MAX_DURATION_MINUTES).contains(&minutes) {
                return Err(ApiError::invalid(
                    "duration_minutes",
                    format!(
                        "duration_minutes: must be 1 to {MAX_DURATION_MINUTES} minutes \
                         ({MAX_OVERRIDE_DAYS} days)"
                    ),
                ));
            }
            (
                starts_at + Duration::minutes(i64::from(minutes)),
                "duration_minutes",
            )
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "duration_minutes",
                "duration_minutes: give expires_at or duration_minutes, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "expires_at",
                "expires_at: required (or duration_minutes), e.g. 2026-06-15T21:00:00Z",
            ));
        }
    };
    if expires_at <= now {
        return Err(ApiError::invalid(
            field,
            format!("{field}: ends in the past"),
        ));
    }
    let reason = body.reason.as_deref().unwrap_or_default();
    let created =
        CapOverride::new(circuit.id, limit, starts_at, expires_at, reason).map_err(|error| {
            match error.field() {
                "expires_at" => relabel(field.into(), &error),
                _ => error.into(),
            }
        })?;
    state.store.add_cap_override(&created, now).await?;
    site_changed(&state, &caller, &site.id, "override");
    Ok((
        StatusCode::CREATED,
        Json(OverrideView::new(&created, &site, now)),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site_id}/circuits/{circuit_id}/overrides",
    operation_id = "end_cap_overrides",
    tag = "caps",
    description = "Ends the circuit's overrides now: active ones expire now, future ones are \
                   removed. Re-plans the site at once when any changed.",
    params(CircuitPath),
    responses(
        (status = 200, description = "how many overrides ended", body = OverridesEnded),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
    ),
)]
pub(crate) async fn end(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<CircuitPath>,
) -> Result<Json<OverridesEnded>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let circuit = circuit_of(&state, &site.id, &path.circuit_id).await?;
    let ended = state
        .store
        .end_cap_overrides(&circuit.id, state.clock.now())
        .await?;
    if ended > 0 {
        site_changed(&state, &caller, &site.id, "overrides_ended");
    }
    Ok(Json(OverridesEnded {
        circuit_id: circuit.id.to_string(),
        ended,
    }))
}
