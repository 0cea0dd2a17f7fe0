//! `GET /dashboard/sites/{site_id}/sharing`: the site's sharing settings, the ports whose
//! cable others may unplug and the relay audit of the last 7 days; `POST …/sharing` saves the
//! settings and `POST …/sharing/ports/{port_id}` sets one port's cable flag. Like the cap
//! editor, each form checks the session's CSRF token (403), then the site (404, the same for
//! a site not granted), then its fields: an invalid form changes nothing and comes back (422)
//! with its errors at their fields; a valid one is saved and redirects (303) to the page,
//! which says once what changed ([`super::flash`]). Nothing here changes the plan, so nothing
//! re-plans.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chargeplan_core::{Site, SiteId};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::flash;
use super::frame::{Frame, Section, page};
use super::sharing_form::{SettingsErrors, SettingsForm, parse_settings};
use super::sharing_view::{SharingView, sharing_content};
use super::{granted_site, internal, not_found, sharing_path};
use crate::AppState;
use crate::access::DashboardUser;
use crate::relay_audit::audit;

/// How far back the page's audit goes.
const AUDIT_DAYS: i64 = 7;
/// Most audit lines on the page.
const AUDIT_LINES: usize = 200;

/// The change just made, as the flash cookie carries it: which one, and for a cable, which
/// port.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
    port: Option<String>,
}

/// `POST …/sharing/ports/{port_id}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CableForm {
    #[serde(default)]
    cable_movable: String,
    #[serde(default)]
    csrf: String,
}

/// What a page shows besides the stored state.
#[derive(Debug, Default)]
struct PageOptions {
    errors: Option<SettingsErrors>,
    port_error: Option<(String, String)>,
    notice: Option<String>,
}

/// `GET /dashboard/sites/{site_id}/sharing`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let site = granted_site(&state, &user, &site_id).await?;
    let saved: Option<SavedQuery> = flash::read(&headers);
    let notice = match &saved {
        Some(saved) => describe(&state, &site.id, saved).await,
        None => None,
    };
    let options = PageOptions {
        notice,
        ..PageOptions::default()
    };
    let page = sharing_page(&state, &user, &site, options).await?;
    if saved.is_some() {
        let shown = flash::shown(state.secure_cookies);
        return Ok(([(SET_COOKIE, shown)], page).into_response());
    }
    Ok(page.into_response())
}

/// `POST /dashboard/sites/{site_id}/sharing`.
pub(crate) async fn save(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let form = SettingsForm::from_pairs(pairs);
    user.check_csrf(&form.csrf)
        .map_err(IntoResponse::into_response)?;
    let site = granted_site(&state, &user, &site_id).await?;
    let settings = match parse_settings(&form) {
        Ok(settings) => settings,
        Err(errors) => {
            let options = PageOptions {
                errors: Some(errors),
                ..PageOptions::default()
            };
            let page = sharing_page(&state, &user, &site, options).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let before = state
        .store
        .get_sharing_settings(&site.id)
        .await
        .map_err(internal)?;
    state
        .store
        .set_sharing_settings(&site.id, &settings, state.clock.now())
        .await
        .map_err(internal)?;
    let fields = crate::api::sharing_changed_fields(&before, &settings);
    // No re-plan: the optimizer does not read these settings.
    tracing::info!(site.id = %site.id, fields, operator = %user.operator.name, "sharing settings saved from the dashboard");
    let saved = SavedQuery {
        saved: Some("settings".to_owned()),
        port: None,
    };
    Ok(saved_redirect(&state, &site, &saved))
}

/// `POST /dashboard/sites/{site_id}/sharing/ports/{port_id}`.
pub(crate) async fn set_cable(
    State(state): State<AppState>,
    user: DashboardUser,
    Path((site_id, port_id)): Path<(String, String)>,
    Form(form): Form<CableForm>,
) -> Result<Response, Response> {
    user.check_csrf(&form.csrf)
        .map_err(IntoResponse::into_response)?;
    let site = granted_site(&state, &user, &site_id).await?;
    let ports = state.store.list_ports(&site.id).await.map_err(internal)?;
    let Some(port) = ports.into_iter().find(|p| p.id.as_str() == port_id) else {
        return Err(not_found(&user));
    };
    let movable = match form.cable_movable.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let options = PageOptions {
                port_error: Some((
                    port.id.to_string(),
                    format!("Choose whether others may unplug the cable of {}.", port.id),
                )),
                ..PageOptions::default()
            };
            let page = sharing_page(&state, &user, &site, options).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    state
        .store
        .set_port_cable_movable(&port.id, movable)
        .await
        .map_err(internal)?;
    // No re-plan: whether a cable may be moved does not change the plan.
    tracing::info!(site.id = %site.id, port.id = %port.id, cable_movable = movable, operator = %user.operator.name, "port cable flag set from the dashboard");
    let saved = SavedQuery {
        saved: Some("cable".to_owned()),
        port: Some(port.id.to_string()),
    };
    Ok(saved_redirect(&state, &site, &saved))
}

/// 303 to the page, with the flash cookie that has it say once what was saved.
fn saved_redirect(state: &AppState, site: &Site, saved: &SavedQuery) -> Response {
    (
        [(SET_COOKIE, flash::leave(saved, state.secure_cookies))],
        Redirect::to(&sharing_path(&site.id)),
    )
        .into_response()
}

/// `GET` on a port form's address: the page.
pub(crate) async fn back_to_page(Path(path): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!("/dashboard/sites/{}/sharing", path.0))
}

/// The whole page.
async fn sharing_page(
    state: &AppState,
    user: &DashboardUser,
    site: &Site,
    options: PageOptions,
) -> Result<Html<String>, Response> {
    let settings = state
        .store
        .get_sharing_settings(&site.id)
        .await
        .map_err(internal)?;
    let ports = state.store.list_ports(&site.id).await.map_err(internal)?;
    let now = state.clock.now();
    let mut lines = audit(
        state.store.as_ref(),
        &site.id,
        now - Duration::days(AUDIT_DAYS),
        now + Duration::seconds(1),
        AUDIT_LINES + 1,
    )
    .await
    .map_err(internal)?;
    let audit_truncated = lines.len() > AUDIT_LINES;
    lines.truncate(AUDIT_LINES);
    let failed = options.errors.is_some() || options.port_error.is_some();
    let title = if failed {
        format!("Error: Sharing — {}", site.name)
    } else {
        format!("Sharing — {}", site.name)
    };
    let view = SharingView {
        site,
        settings: &settings,
        ports: &ports,
        audit: &lines,
        audit_truncated,
        csrf: &user.csrf_token,
        errors: options.errors.as_ref(),
        port_error: options
            .port_error
            .as_ref()
            .map(|(port, message)| (port.as_str(), message.as_str())),
        notice: options.notice.as_deref(),
    };
    let frame = Frame {
        title: &title,
        user,
        site: Some(site),
        section: Section::Sharing,
    };
    Ok(Html(page(&frame, sharing_content(&view)).into_string()))
}

/// The sentence for a change just made, rebuilt from the store (a crafted cookie cannot put
/// words on the page).
async fn describe(state: &AppState, site: &SiteId, query: &SavedQuery) -> Option<String> {
    match query.saved.as_deref()? {
        "settings" => Some("Sharing settings saved.".to_owned()),
        "cable" => {
            let port_id = query.port.as_deref()?;
            let ports = state.store.list_ports(site).await.ok()?;
            let port = ports.iter().find(|p| p.id.as_str() == port_id)?;
            Some(if port.cable_movable {
                format!(
                    "Others may now unplug the cable of {} once its owner says OK.",
                    port.id
                )
            } else {
                format!("The cable of {} now stays locked.", port.id)
            })
        }
        _ => None,
    }
}
