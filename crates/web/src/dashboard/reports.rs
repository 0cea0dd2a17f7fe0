//! `GET /dashboard/sites/{site_id}/reports` (the page) and `…/reports.csv` (a download) for a
//! day or a week: the figures come from `chargeplan-reports`, computed from the store.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::Site;
use chargeplan_reports::{Period, Report};

use super::frame::{Frame, Section, page};
use super::report_query::{QueryError, ReportQuery};
use super::report_view::{ReportView, report_content};
use super::{granted_site, internal};
use crate::AppState;
use crate::access::DashboardUser;
use crate::api::report_query::csv_attachment;

/// `GET /dashboard/sites/{site_id}/reports`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, Response> {
    let site = granted_site(&state, &user, &site_id).await?;
    let today = state
        .clock
        .now()
        .with_timezone(&site.time_zone)
        .date_naive();
    let (report, error, status) = match query.period(today) {
        Ok(period) => {
            let report = compute(&state, &site, period).await?;
            (Some((period, report)), None, StatusCode::OK)
        }
        Err(error) => (None, Some(error), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let view = ReportView {
        site: &site,
        query: &query,
        today,
        report: report.as_ref().map(|(p, r)| (p, r)),
        error: error.as_ref(),
        now: state.clock.now(),
    };
    let title = match &error {
        Some(_) => format!("Error: Reports — {}", site.name),
        None => format!("Reports — {}", site.name),
    };
    let frame = Frame {
        title: &title,
        user: &user,
        site: Some(&site),
        section: Section::Reports,
    };
    let body = page(&frame, report_content(&view)).into_string();
    Ok((status, Html(body)).into_response())
}

/// `GET /dashboard/sites/{site_id}/reports.csv`: the sessions (default) or the summary of the
/// period as an RFC 4180 CSV attachment.
pub(crate) async fn csv(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, Response> {
    let site = granted_site(&state, &user, &site_id).await?;
    let today = state
        .clock
        .now()
        .with_timezone(&site.time_zone)
        .date_naive();
    let (period, table) = match query.period(today).and_then(|p| Ok((p, query.table()?))) {
        Ok(found) => found,
        Err(QueryError { message, .. }) => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, message).into_response());
        }
    };
    let report = compute(&state, &site, period).await?;
    Ok(csv_attachment(&report, &site.id, period, table))
}

async fn compute(state: &AppState, site: &Site, period: Period) -> Result<Report, Response> {
    chargeplan_reports::load(state.store.as_ref(), &site.id, period)
        .await
        .map_err(internal)
}
