//! The cap editor's handlers: set a circuit's static cap, add a temporary override, end the
//! overrides. Each checks the session's CSRF token, then the operator's access to the site
//! (a site not granted is a 404, like a site that does not exist), validates, changes the
//! store, re-plans the site (waiting at most 10 s) and redirects (303) to the overview,
//! which says once what changed and when the new plan was made (a one-time cookie, so a
//! reload does not say it again). An invalid form changes nothing
//! and comes back (422) with the error at its field.

use std::time::Duration;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use chargeplan_core::{CapOverride, Circuit, Kilowatts, Plan, Site};

use super::cap_input::{
    CapForm, CsrfForm, EditorError, EditorForm, Field, OverrideForm, parse_cap_kw, parse_override,
};
use super::flash;
use super::notice::{Change, ChangeQuery};
use super::overview::{OverviewOptions, overview_page};
use super::{granted_site, internal, not_found, overview_path};
use crate::AppState;
use crate::access::DashboardUser;

/// How long a change waits for the re-plan before redirecting without it.
const REPLAN_WAIT: Duration = Duration::from_secs(10);

/// `POST /dashboard/sites/{site_id}/circuits/{circuit_id}/cap`.
pub(crate) async fn set_static_cap(
    State(state): State<AppState>,
    user: DashboardUser,
    Path((site_id, circuit_id)): Path<(String, String)>,
    Form(form): Form<CapForm>,
) -> Result<Response, Response> {
    user.check_csrf(&form.csrf)
        .map_err(IntoResponse::into_response)?;
    let (site, circuit) = site_circuit(&state, &user, &site_id, &circuit_id).await?;
    let cap_kw = match parse_cap_kw(&form.cap_kw) {
        Ok(cap_kw) => cap_kw,
        Err(message) => {
            let error = EditorError {
                circuit_id: circuit.id.to_string(),
                form: EditorForm::StaticCap,
                field: Field::CapKw,
                message,
                cap_kw: form.cap_kw,
                duration_min: String::new(),
                reason: String::new(),
            };
            return refused(&state, &user, site, error).await;
        }
    };
    let now = state.clock.now();
    state
        .store
        .set_static_cap(&circuit.id, cap_kw, now)
        .await
        .map_err(internal)?;
    tracing::info!(site.id = %site.id, circuit.id = %circuit.id, cap_kw, operator = %user.operator.name, "static cap set from the dashboard");
    let plan = replan(&state, &site).await;
    Ok(changed(
        &state,
        &site,
        &circuit,
        Change::StaticCap,
        plan.as_ref(),
    ))
}

/// `POST /dashboard/sites/{site_id}/circuits/{circuit_id}/overrides`.
pub(crate) async fn add_override(
    State(state): State<AppState>,
    user: DashboardUser,
    Path((site_id, circuit_id)): Path<(String, String)>,
    Form(form): Form<OverrideForm>,
) -> Result<Response, Response> {
    user.check_csrf(&form.csrf)
        .map_err(IntoResponse::into_response)?;
    let (site, circuit) = site_circuit(&state, &user, &site_id, &circuit_id).await?;
    let now = state.clock.now();
    let checked = parse_override(&form, circuit.cap.get()).and_then(|input| {
        let cap = Kilowatts::new(input.cap_kw).map_err(|e| (Field::CapKw, e.to_string()))?;
        let expires = now + chrono::Duration::minutes(input.minutes);
        CapOverride::new(circuit.id.clone(), cap, now, expires, &input.reason)
            .map_err(|e| (Field::DurationMin, e.to_string()))
    });
    let cap = match checked {
        Ok(cap) => cap,
        Err((field, message)) => {
            let error = EditorError {
                circuit_id: circuit.id.to_string(),
                form: EditorForm::Override,
                field,
                message,
                cap_kw: form.cap_kw,
                duration_min: form.duration_min,
                reason: form.reason,
            };
            return refused(&state, &user, site, error).await;
        }
    };
    state
        .store
        .add_cap_override(&cap, now)
        .await
        .map_err(internal)?;
    tracing::info!(site.id = %site.id, circuit.id = %circuit.id, cap_kw = cap.cap.get(), until = %cap.expires_at, operator = %user.operator.name, "cap override added from the dashboard");
    let plan = replan(&state, &site).await;
    Ok(changed(
        &state,
        &site,
        &circuit,
        Change::Override,
        plan.as_ref(),
    ))
}

/// `POST /dashboard/sites/{site_id}/circuits/{circuit_id}/overrides/end`.
pub(crate) async fn end_overrides(
    State(state): State<AppState>,
    user: DashboardUser,
    Path((site_id, circuit_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Response> {
    user.check_csrf(&form.csrf)
        .map_err(IntoResponse::into_response)?;
    let (site, circuit) = site_circuit(&state, &user, &site_id, &circuit_id).await?;
    let ended = state
        .store
        .end_cap_overrides(&circuit.id, state.clock.now())
        .await
        .map_err(internal)?;
    if ended == 0 {
        return Ok(changed(&state, &site, &circuit, Change::NoOverride, None));
    }
    tracing::info!(site.id = %site.id, circuit.id = %circuit.id, ended, operator = %user.operator.name, "cap overrides ended from the dashboard");
    let plan = replan(&state, &site).await;
    Ok(changed(
        &state,
        &site,
        &circuit,
        Change::OverridesEnded,
        plan.as_ref(),
    ))
}

/// `GET` on a form's address (e.g. after logging in again from a posted form): the overview.
pub(crate) async fn back_to_overview(Path(path): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!("/dashboard/sites/{}", path.0))
}

/// The site and its circuit from the path, or the 404 page.
async fn site_circuit(
    state: &AppState,
    user: &DashboardUser,
    site_id: &str,
    circuit_id: &str,
) -> Result<(Site, Circuit), Response> {
    let site = granted_site(state, user, site_id).await?;
    let circuits = state
        .store
        .list_circuits(&site.id)
        .await
        .map_err(internal)?;
    match circuits.into_iter().find(|c| c.id.as_str() == circuit_id) {
        Some(circuit) => Ok((site, circuit)),
        None => Err(not_found(user)),
    }
}

/// The site's new plan, or `None` when it did not come within [`REPLAN_WAIT`] (the change
/// is stored, and its event re-plans the site in any case).
async fn replan(state: &AppState, site: &Site) -> Option<Plan> {
    match tokio::time::timeout(REPLAN_WAIT, state.control.replan_now(&site.id)).await {
        Ok(Ok(plan)) => Some(plan),
        Ok(Err(error)) => {
            tracing::warn!(site.id = %site.id, error = %error, "re-plan after a cap change failed");
            None
        }
        Err(_) => {
            tracing::warn!(site.id = %site.id, "re-plan after a cap change timed out");
            None
        }
    }
}

/// 303 to the overview, with the flash cookie that has it describe `change` once.
fn changed(
    state: &AppState,
    site: &Site,
    circuit: &Circuit,
    change: Change,
    plan: Option<&Plan>,
) -> Response {
    let flash = ChangeQuery {
        changed: Some(change.as_str().to_owned()),
        circuit: Some(circuit.id.to_string()),
        plan: plan.map(|plan| plan.id.to_string()),
    };
    (
        [(SET_COOKIE, flash::leave(&flash, state.secure_cookies))],
        Redirect::to(&overview_path(&site.id)),
    )
        .into_response()
}

/// The overview again, with the form's error, as 422.
async fn refused(
    state: &AppState,
    user: &DashboardUser,
    site: Site,
    error: EditorError,
) -> Result<Response, Response> {
    let options = OverviewOptions {
        error: Some(error),
        ..OverviewOptions::default()
    };
    let page = overview_page(state, user, site, options).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
