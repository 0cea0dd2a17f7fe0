//! The operator dashboard: server-rendered pages behind the dashboard login.
//!
//! - `GET /dashboard`: the operator's sites.
//! - `GET /dashboard/sites/{site_id}`: the overview — per circuit a chart of planned power
//!   per session (stacked), the effective cap and measured power; the open sessions; the cap
//!   editor. `GET …/charts` is the chart block alone, refreshed by the page every 15 s.
//! - `POST …/circuits/{circuit_id}/cap`, `…/overrides`, `…/overrides/end`: the cap editor.
//! - `GET …/reports` and `GET …/reports.csv`: a day's or a week's report.
//! - `GET …/participants`: the registered drivers, by alias and member ID, each linking to
//!   their sticker.
//! - `GET …/sharing`: the sharing settings, the ports whose cable others may unplug and the
//!   relay audit of the last 7 days; `POST …/sharing` and `POST …/sharing/ports/{port_id}`
//!   change them.
//!
//! A site that does not exist and a site not granted to the operator get the same 404 page.

mod cap_editor;
mod cap_input;
mod caps;
mod chart;
mod flash;
mod format;
mod frame;
mod load;
mod notice;
mod overview;
mod participants;
mod report_query;
mod report_view;
mod reports;
mod series;
mod sessions_table;
mod sharing;
mod sharing_form;
mod sharing_view;
mod site_now;
mod sites;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chargeplan_core::{CircuitId, Site, SiteId};
use chargeplan_store::StoreError;
use maud::html;

use crate::AppState;
use crate::access::DashboardUser;

/// The dashboard's routes.
pub(crate) fn routes() -> Router<AppState> {
    const CIRCUIT: &str = "/dashboard/sites/{site_id}/circuits/{circuit_id}";
    Router::new()
        .route("/dashboard", get(sites::show))
        .route("/dashboard/sites/{site_id}", get(overview::show))
        .route("/dashboard/sites/{site_id}/charts", get(overview::charts))
        .route(
            &format!("{CIRCUIT}/cap"),
            get(caps::back_to_overview).post(caps::set_static_cap),
        )
        .route(
            &format!("{CIRCUIT}/overrides"),
            get(caps::back_to_overview).post(caps::add_override),
        )
        .route(
            &format!("{CIRCUIT}/overrides/end"),
            get(caps::back_to_overview).post(caps::end_overrides),
        )
        .route("/dashboard/sites/{site_id}/reports", get(reports::show))
        .route("/dashboard/sites/{site_id}/reports.csv", get(reports::csv))
        .route(
            "/dashboard/sites/{site_id}/participants",
            get(participants::show),
        )
        .route(
            "/dashboard/sites/{site_id}/sharing",
            get(sharing::show).post(sharing::save),
        )
        .route(
            "/dashboard/sites/{site_id}/sharing/ports/{port_id}",
            get(sharing::back_to_page).post(sharing::set_cable),
        )
}

pub(crate) fn overview_path(site: &SiteId) -> String {
    format!("/dashboard/sites/{site}")
}

pub(crate) fn charts_path(site: &SiteId) -> String {
    format!("/dashboard/sites/{site}/charts")
}

pub(crate) fn reports_path(site: &SiteId) -> String {
    format!("/dashboard/sites/{site}/reports")
}

pub(crate) fn participants_path(site: &SiteId) -> String {
    format!("/dashboard/sites/{site}/participants")
}

pub(crate) fn sharing_path(site: &SiteId) -> String {
    format!("/dashboard/sites/{site}/sharing")
}

pub(crate) fn sharing_port_path(site: &SiteId, port: &str) -> String {
    format!("/dashboard/sites/{site}/sharing/ports/{port}")
}

pub(crate) fn circuit_path(site: &SiteId, circuit: &CircuitId) -> String {
    format!("/dashboard/sites/{site}/circuits/{circuit}")
}

/// The site in the path when it exists and the operator may access it; else the 404 page,
/// the same either way so that operators cannot learn other sites' ids.
pub(crate) async fn granted_site(
    state: &AppState,
    user: &DashboardUser,
    site_id: &str,
) -> Result<Site, Response> {
    let Ok(id) = SiteId::parse(site_id) else {
        return Err(not_found(user));
    };
    if !user.may_access(&id) {
        return Err(not_found(user));
    }
    match state.store.get_site(&id).await {
        Ok(site) => Ok(site),
        Err(StoreError::NotFound { .. }) => Err(not_found(user)),
        Err(error) => Err(internal(error)),
    }
}

/// The dashboard's 404 page.
pub(crate) fn not_found(user: &DashboardUser) -> Response {
    let frame = frame::Frame {
        title: "Not found",
        user,
        site: None,
        section: frame::Section::Sites,
    };
    let content = html! {
        h1 { "Not found" }
        p { "There is no such page, or it is not one of your sites." }
        p { a href="/dashboard" { "Back to your sites" } }
    };
    (
        StatusCode::NOT_FOUND,
        Html(frame::page(&frame, content).into_string()),
    )
        .into_response()
}

/// An opaque 500; the reason goes to the log through the trace middleware, never to the page.
pub(crate) fn internal(reason: impl std::fmt::Display) -> Response {
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again in a minute.",
    )
        .into_response();
    response
        .extensions_mut()
        .insert(crate::ErrorReason(reason.to_string()));
    response
}
