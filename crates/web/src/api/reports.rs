//! A site's report for a local day or week (`chargeplan-reports`): the figures as JSON, or the
//! sessions or the summary as a CSV download. The JSON is the crate's `Report` field for field;
//! the view types here describe it in the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chargeplan_core::Site;
use chargeplan_reports::{
    CostSummary, Period, PeriodKind, PeriodSummary, Report, ReportError, RequestKind, SessionRow,
    Summary,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Params, Path};
use super::paths::SitePath;
use super::report_query::{self, QueryError};
use super::report_relay::{ReportRelayView, ReportWaitlistView};
use crate::AppState;
use crate::access::ApiCaller;

/// A site's report for one period. Figures are rounded to 3 decimals (Wh, W, a thousandth of
/// the currency unit); per-session figures are as the vendor reported them.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportView {
    site_id: String,
    /// The site's time zone, which defines the period's days and the local times shown.
    #[schema(example = "America/Los_Angeles")]
    time_zone: String,
    period: ReportPeriodView,
    /// Length of the intervals power is averaged over, in minutes.
    #[schema(example = 5)]
    interval_minutes: i64,
    /// How short of its request a session may be and still count as met, in kWh.
    #[schema(example = 0.1)]
    request_met_tolerance_kwh: f64,
    summary: ReportSummaryView,
    /// Cost figures under the site's tariff; `null` when the site has no tariff.
    cost: Option<ReportCostView>,
    relay: ReportRelayView,
    waitlist: ReportWaitlistView,
    /// One row per session that started in the period, by start time.
    sessions: Vec<ReportSessionView>,
}

/// Day or week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReportPeriodKind {
    /// One local calendar day.
    Day,
    /// Seven local calendar days, Monday to Sunday.
    Week,
}

/// The period a report covers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportPeriodView {
    kind: ReportPeriodKind,
    /// `2026-06-15` for a day, the ISO week `2026-W25` for a week.
    #[schema(example = "2026-06-15")]
    label: String,
    /// First local day.
    first_day: NaiveDate,
    /// Last local day (included).
    last_day: NaiveDate,
    /// First instant of the period.
    from: DateTime<Utc>,
    /// First instant after the period.
    to: DateTime<Utc>,
    /// The period's length in hours: 24 for most days, 23 or 25 on DST change days.
    #[schema(example = 24.0)]
    hours: f64,
}

/// Counts, energy and peaks of the sessions that started in the period.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportSummaryView {
    /// Sessions that started in the period (reservations excluded).
    sessions_count: u64,
    /// Sessions whose driver made no request.
    sessions_without_request: u64,
    /// Sessions whose latest request is "as much as possible".
    sessions_as_much_as_possible: u64,
    /// Sessions whose latest request names an amount of energy.
    sessions_with_kwh_request: u64,
    /// Energy asked for by the sessions with a kWh request.
    requested_kwh: f64,
    /// Energy delivered to the sessions with a kWh request.
    delivered_on_kwh_requests_kwh: f64,
    /// Energy delivered to every session.
    delivered_kwh: f64,
    /// kWh requests fully met (delivered ≥ requested − tolerance).
    requests_met: u64,
    /// kWh requests of cars still charging and not met yet: left out of the share.
    requests_still_charging: u64,
    /// Share of the decided kWh requests fully met, 0 to 100; `null` when none is decided.
    requests_met_pct: Option<f64>,
    /// Highest 5-minute average power of the sessions together, from meter readings.
    measured_peak_kw: f64,
    /// Start of the interval of the measured peak.
    measured_peak_at: Option<DateTime<Utc>>,
    /// The same peak had every car charged at its port's maximum from arrival.
    counterfactual_peak_kw: f64,
    /// Start of the interval of the counterfactual peak.
    counterfactual_peak_at: Option<DateTime<Utc>>,
    /// `counterfactual_peak_kw − measured_peak_kw`.
    peak_reduction_kw: f64,
}

/// Cost figures under the site's tariff, in its currency.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportCostView {
    /// ISO 4217 code of every amount below.
    #[schema(example = "USD")]
    currency: String,
    /// Each interval's energy at the price in force when it starts.
    energy_cost: f64,
    /// The tariff's demand charge rate, per kW.
    demand_charge_per_kw: f64,
    /// `measured_peak_kw × demand_charge_per_kw`: an indication of the period's share of the
    /// bill's demand charge, which is set by the billing period's peak.
    demand_charge: f64,
    /// `counterfactual_peak_kw × demand_charge_per_kw`.
    counterfactual_demand_charge: f64,
    /// `counterfactual_demand_charge − demand_charge`.
    demand_charge_saving: f64,
}

/// What the driver's latest request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReportRequestKind {
    /// No request (not a participant, or never opened the link).
    None,
    /// A number of kWh (typed as kWh or as miles).
    Kwh,
    /// As much as possible before departure: there is no amount to meet.
    AsMuchAsPossible,
}

/// One session of the report. Never a phone number.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportSessionView {
    session_id: String,
    /// Who charged, as the dashboard names them: "Driver 3F2A" (a registered driver, never
    /// their phone number) or "Guest on p1".
    #[schema(example = "Driver 3F2A")]
    driver: String,
    /// The port it charged on, once matched.
    port_id: Option<String>,
    started_at: DateTime<Utc>,
    /// `started_at` on the site's clock.
    started_at_local: String,
    /// `null` while charging.
    ended_at: Option<DateTime<Utc>>,
    /// `ended_at` on the site's clock.
    ended_at_local: Option<String>,
    request: ReportRequestKind,
    /// The kWh asked for (kWh requests only).
    requested_kwh: Option<f64>,
    /// Energy delivered, as the vendor last reported it.
    delivered_kwh: f64,
    /// Whether the kWh request was fully met (kWh requests only).
    met: Option<bool>,
    /// The departure time of the latest request.
    departure_requested: Option<DateTime<Utc>>,
    /// `departure_requested` on the site's clock.
    departure_requested_local: Option<String>,
}

impl From<Report> for ReportView {
    fn from(report: Report) -> Self {
        Self {
            site_id: report.site_id.to_string(),
            time_zone: report.time_zone.name().to_owned(),
            period: report.period.into(),
            interval_minutes: report.interval_minutes,
            request_met_tolerance_kwh: report.request_met_tolerance_kwh,
            summary: report.summary.into(),
            cost: report.cost.map(Into::into),
            relay: report.relay.into(),
            waitlist: report.waitlist.into(),
            sessions: report.sessions.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<PeriodSummary> for ReportPeriodView {
    fn from(period: PeriodSummary) -> Self {
        Self {
            kind: match period.kind {
                PeriodKind::Day => ReportPeriodKind::Day,
                PeriodKind::Week => ReportPeriodKind::Week,
            },
            label: period.label,
            first_day: period.first_day,
            last_day: period.last_day,
            from: period.from,
            to: period.to,
            hours: period.hours,
        }
    }
}

impl From<Summary> for ReportSummaryView {
    fn from(s: Summary) -> Self {
        Self {
            sessions_count: s.sessions_count,
            sessions_without_request: s.sessions_without_request,
            sessions_as_much_as_possible: s.sessions_as_much_as_possible,
            sessions_with_kwh_request: s.sessions_with_kwh_request,
            requested_kwh: s.requested_kwh,
            delivered_on_kwh_requests_kwh: s.delivered_on_kwh_requests_kwh,
            delivered_kwh: s.delivered_kwh,
            requests_met: s.requests_met,
            requests_still_charging: s.requests_still_charging,
            requests_met_pct: s.requests_met_pct,
            measured_peak_kw: s.measured_peak_kw,
            measured_peak_at: s.measured_peak_at,
            counterfactual_peak_kw: s.counterfactual_peak_kw,
            counterfactual_peak_at: s.counterfactual_peak_at,
            peak_reduction_kw: s.peak_reduction_kw,
        }
    }
}

impl From<CostSummary> for ReportCostView {
    fn from(c: CostSummary) -> Self {
        Self {
            currency: c.currency,
            energy_cost: c.energy_cost,
            demand_charge_per_kw: c.demand_charge_per_kw,
            demand_charge: c.demand_charge,
            counterfactual_demand_charge: c.counterfactual_demand_charge,
            demand_charge_saving: c.demand_charge_saving,
        }
    }
}

impl From<SessionRow> for ReportSessionView {
    fn from(row: SessionRow) -> Self {
        Self {
            session_id: row.session_id.to_string(),
            driver: row.driver,
            port_id: row.port_id.as_ref().map(ToString::to_string),
            started_at: row.started_at,
            started_at_local: row.started_at_local,
            ended_at: row.ended_at,
            ended_at_local: row.ended_at_local,
            request: match row.request {
                RequestKind::None => ReportRequestKind::None,
                RequestKind::Kwh => ReportRequestKind::Kwh,
                RequestKind::AsMuchAsPossible => ReportRequestKind::AsMuchAsPossible,
            },
            requested_kwh: row.requested_kwh,
            delivered_kwh: row.delivered_kwh,
            met: row.met,
            departure_requested: row.departure_requested,
            departure_requested_local: row.departure_requested_local,
        }
    }
}

/// The query of the JSON report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// `day` (default) or `week` (Monday to Sunday, the week containing `date`).
    #[param(example = "day")]
    period: Option<String>,
    /// A local date, `YYYY-MM-DD`; default the site's today.
    #[param(example = "2026-06-15")]
    date: Option<String>,
}

/// The query of the CSV download.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportCsvQuery {
    /// `day` (default) or `week` (Monday to Sunday, the week containing `date`).
    #[param(example = "day")]
    period: Option<String>,
    /// A local date, `YYYY-MM-DD`; default the site's today.
    #[param(example = "2026-06-15")]
    date: Option<String>,
    /// `sessions` (default: one row per session) or `summary` (`metric,value` rows).
    #[param(example = "sessions")]
    table: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/reports",
    operation_id = "get_report",
    tag = "reports",
    params(SitePath, ReportQuery),
    responses(
        (status = 200, description = "the report of the day or week", body = ReportView),
        UnauthorizedError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    query: Result<Params<ReportQuery>, ApiError>,
) -> Result<Json<ReportView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Params(query) = query?;
    let period = period(
        &state,
        &site,
        query.period.as_deref(),
        query.date.as_deref(),
    )?;
    Ok(Json(load(&state, &site, period).await?.into()))
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/reports.csv",
    operation_id = "get_report_csv",
    tag = "reports",
    params(SitePath, ReportCsvQuery),
    responses(
        (
            status = 200,
            description = "the sessions or the summary as an RFC 4180 CSV attachment \
                           (`Content-Disposition: attachment; filename=\"chargeplan-s1-2026-06-15-sessions.csv\"`)",
            content_type = "text/csv; charset=utf-8",
            body = String,
            headers(("Content-Disposition" = String, description = "`attachment` with the file name")),
        ),
        UnauthorizedError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn csv(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    query: Result<Params<ReportCsvQuery>, ApiError>,
) -> Result<Response, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Params(query) = query?;
    let period = period(
        &state,
        &site,
        query.period.as_deref(),
        query.date.as_deref(),
    )?;
    let table = report_query::table(query.table.as_deref())
        .map_err(|error| invalid(error, query.table.as_deref()))?;
    let report = load(&state, &site, period).await?;
    Ok(report_query::csv_attachment(
        &report, &site.id, period, table,
    ))
}

/// The period asked for, by default the day that is today on the site's clock.
fn period(
    state: &AppState,
    site: &Site,
    period: Option<&str>,
    date: Option<&str>,
) -> Result<Period, ApiError> {
    let today = state
        .clock
        .now()
        .with_timezone(&site.time_zone)
        .date_naive();
    report_query::period(period, date, today).map_err(|error| {
        let given = if error.field == "period" {
            period
        } else {
            date
        };
        invalid(error, given)
    })
}

/// A 422 at the field of a query error, in the API's words.
fn invalid(error: QueryError, given: Option<&str>) -> ApiError {
    let given = given.unwrap_or_default();
    let reason = match error.field {
        "period" => format!("'{given}' is not a period; use day or week"),
        "date" => format!("'{given}' is not a date as YYYY-MM-DD, e.g. 2026-06-15"),
        "table" => format!("'{given}' is not a table; use sessions or summary"),
        _ => error.message,
    };
    ApiError::invalid(error.field, format!("{}: {reason}", error.field))
}

async fn load(state: &AppState, site: &Site, period: Period) -> Result<Report, ApiError> {
    chargeplan_reports::load(state.store.as_ref(), &site.id, period)
        .await
        .map_err(|error| match error {
            ReportError::Store(error) => error.into(),
        })
}

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
