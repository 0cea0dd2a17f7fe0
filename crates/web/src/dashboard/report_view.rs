//! The reports page's HTML: the period picker, the summary (energy requested and delivered,
//! requests fully met, measured peak against the uncontrolled counterfactual, cost under the
//! tariff), the relay's and the waitlist's figures, the CSV downloads and one row per session.

use chargeplan_core::Site;
use chargeplan_reports::{Period, PeriodKind, Report, RequestKind, SessionRow};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};

use super::format::kw;
use super::report_query::{QueryError, ReportQuery, neighbours, period_query};
use super::sessions_table::session_id;

/// What the page shows.
#[derive(Debug)]
pub(crate) struct ReportView<'a> {
    pub(crate) site: &'a Site,
    pub(crate) query: &'a ReportQuery,
    /// The site's local date now.
    pub(crate) today: NaiveDate,
    /// The period and its report; `None` when the query was invalid.
    pub(crate) report: Option<(&'a Period, &'a Report)>,
    pub(crate) error: Option<&'a QueryError>,
    pub(crate) now: DateTime<Utc>,
}

/// The page's content (inside the frame).
pub(crate) fn report_content(view: &ReportView<'_>) -> Markup {
    let base = super::reports_path(&view.site.id);
    html! {
        h1 { "Reports" }
        (picker(view))
        @if let Some((period, report)) = view.report {
            (period_heading(&base, period, view.site.time_zone))
            p {
                a href=(format!("{base}.csv?{}", period_query(period))) download { "Download sessions (CSV)" }
                " · "
                a href=(format!("{base}.csv?{}&table=summary", period_query(period))) download { "Download summary (CSV)" }
            }
            (summary(report))
            (relay(report))
            (waitlist(report))
            (sessions(report, view.now))
        }
    }
}

/// The GET form choosing a day or week.
fn picker(view: &ReportView<'_>) -> Markup {
    let period = view.query.period.as_deref().unwrap_or("day");
    let date = view
        .query
        .date
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| view.today.format("%Y-%m-%d").to_string());
    let error_for = |field: &str| {
        view.error
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    };
    html! {
        @if let Some(error) = view.error {
            div.error-summary role="alert" {
                p.field-error { a href=(format!("#report-{}", error.field)) { (error.message) } }
            }
        }
        form.filters method="get" action=(super::reports_path(&view.site.id)) {
            div.field {
                label for="report-period" { "Period" }
                @if let Some(message) = error_for("period") { p.field-error #report-period-error { (message) } }
                select #report-period name="period" aria-invalid=[error_for("period").map(|_| "true")] {
                    option value="day" selected[period != "week"] { "Day" }
                    option value="week" selected[period == "week"] { "Week (Monday to Sunday)" }
                }
            }
            div.field {
                label for="report-date" { "Date" }
                @if let Some(message) = error_for("date") { p.field-error #report-date-error { (message) } }
                input #report-date type="date" name="date" value=(date)
                    aria-describedby=[error_for("date").map(|_| "report-date-error")]
                    aria-invalid=[error_for("date").map(|_| "true")];
            }
            button type="submit" { "Show" }
        }
    }
}

/// "Monday 15 June 2026" or "Week 2026-W25: 15 – 21 June 2026", with previous and next links.
fn period_heading(base: &str, period: &Period, tz: Tz) -> Markup {
    let name = match period.kind() {
        PeriodKind::Day => period.first_day().format("%A %-d %B %Y").to_string(),
        PeriodKind::Week => format!(
            "Week {}: {} – {}",
            period.label(),
            period.first_day().format("%-d %B"),
            period.last_day().format("%-d %B %Y")
        ),
    };
    let (before, after) = neighbours(period);
    html! {
        h2 #report-heading { (name) }
        p.muted { "Times in " (tz.name()) "." }
        nav aria-label="Other periods" {
            @if let Some(before) = before {
                a href=(format!("{base}?{}", period_query(&before))) { "← Previous" }
            }
            " "
            @if let Some(after) = after {
                a href=(format!("{base}?{}", period_query(&after))) { "Next →" }
            }
        }
    }
}

/// The report's figures.
fn summary(report: &Report) -> Markup {
    let s = &report.summary;
    let decided = s.sessions_with_kwh_request - s.requests_still_charging;
    let mut met = match s.requests_met_pct {
        Some(pct) => format!("{pct:.0} % ({} of {decided})", s.requests_met),
        None if s.sessions_with_kwh_request == 0 => "no kWh requests".to_owned(),
        None => "none decided yet".to_owned(),
    };
    if s.requests_still_charging > 0 {
        met.push_str(&format!("; {} still charging", s.requests_still_charging));
    }
    html! {
        section aria-labelledby="summary-heading" {
            h3 #summary-heading { "Summary" }
            div.card {
                dl.facts #report-summary {
                    div { dt { "Sessions" } dd { (s.sessions_count) } }
                    div { dt { "Energy requested" } dd { (kw(s.requested_kwh)) " kWh" } }
                    div { dt { "Delivered on those requests" } dd { (kw(s.delivered_on_kwh_requests_kwh)) " kWh" } }
                    div { dt { "Delivered in all" } dd { (kw(s.delivered_kwh)) " kWh" } }
                    div { dt { "Requests fully met" } dd { (met) } }
                    div { dt { "Measured peak" } dd { (kw(s.measured_peak_kw)) " kW" } }
                    div { dt { "Uncontrolled peak (counterfactual)" } dd { (kw(s.counterfactual_peak_kw)) " kW" } }
                    div { dt { "Peak reduction" } dd { (kw(s.peak_reduction_kw)) " kW" } }
                    @match &report.cost {
                        Some(cost) => {
                            div { dt { "Energy cost" } dd { (money(cost.energy_cost, &cost.currency)) } }
                            div { dt { "Demand charge" } dd { (money(cost.demand_charge, &cost.currency)) } }
                            div { dt { "Uncontrolled demand charge" } dd { (money(cost.counterfactual_demand_charge, &cost.currency)) } }
                            div { dt { "Demand charge saved" } dd { (money(cost.demand_charge_saving, &cost.currency)) } }
                        }
                        None => {
                            div { dt { "Cost" } dd { "no tariff set" } }
                        }
                    }
                }
                p.muted {
                    "A request counts as fully met when the car received at least what was asked, less "
                    (report.request_met_tolerance_kwh) " kWh. Peaks are " (report.interval_minutes)
                    "-minute averages; the counterfactual charges every car at its port's maximum from arrival."
                }
            }
        }
    }
}

/// The relay's figures, apart from the charging ones.
fn relay(report: &Report) -> Markup {
    let r = &report.relay;
    let median = match r.median_first_reply_min {
        Some(minutes) => format!("{minutes:.1} min"),
        None => "no replies".to_owned(),
    };
    html! {
        section aria-labelledby="relay-heading" {
            h3 #relay-heading { "Relay between drivers" }
            div.card {
                dl.facts #report-relay {
                    div { dt { "Threads opened" } dd { (r.threads_opened) } }
                    div { dt { "Threads the owner answered" } dd { (r.threads_answered) } }
                    div { dt { "Replies relayed (owner to waiting driver)" } dd { (r.replies_relayed) } }
                    div { dt { "Median time to the owner's first reply" } dd { (median) } }
                }
                p.muted {
                    "Threads opened in this period, each counted as a whole (replies after its end included); texts to unknown or blocking IDs are not counted."
                }
            }
        }
    }
}

/// The waitlist's figures and how long cars stayed after they were done.
fn waitlist(report: &Report) -> Markup {
    let w = &report.waitlist;
    let minutes = |value: Option<f64>, none: &'static str| match value {
        Some(minutes) => format!("{minutes:.1} min"),
        None => none.to_owned(),
    };
    html! {
        section aria-labelledby="waitlist-heading" {
            h3 #waitlist-heading { "Waitlist and bay use" }
            div.card {
                dl.facts #report-waitlist {
                    div { dt { "Drivers who joined the waitlist" } dd { (w.joins) } }
                    div { dt { "Ports offered" } dd { (w.offers_made) } }
                    div { dt { "Offers taken" } dd { (w.offers_taken) } }
                    div { dt { "Offers skipped" } dd { (w.offers_skipped) } }
                    div { dt { "Offers that expired unanswered" } dd { (w.offers_expired) } }
                    div { dt { "Drivers who plugged in on a held port" } dd { (w.served) } }
                    div { dt { "Median wait for a port" } dd { (minutes(w.median_wait_min, "no port taken")) } }
                    div { dt { "Median time cars stayed after they were done" } dd { (minutes(w.median_min_after_done, "no finished session measured")) } }
                }
                p.muted {
                    "The wait runs from joining to the offer the driver took. A car is done when it has what its driver asked for or draws no more power for the rest of its session; "
                    (w.sessions_measured_after_done) " finished sessions were measured."
                }
            }
        }
    }
}

/// One row per session that started in the period.
fn sessions(report: &Report, now: DateTime<Utc>) -> Markup {
    let tz = report.time_zone;
    html! {
        section aria-labelledby="report-sessions-heading" {
            h3 #report-sessions-heading { "Sessions" }
            @if report.sessions.is_empty() {
                p.muted { "No session started in this period." }
            } @else {
                div.table-wrap {
                    table #report-sessions {
                        thead {
                            tr {
                                th scope="col" { "Driver" }
                                th scope="col" { "Port" }
                                th scope="col" { "Started" }
                                th scope="col" { "Ended" }
                                th scope="col" { "Request" }
                                th.num scope="col" { "Requested kWh" }
                                th.num scope="col" { "Delivered kWh" }
                                th scope="col" { "Met" }
                                th scope="col" { "Departure" }
                            }
                        }
                        tbody {
                            @for row in &report.sessions {
                                (session_row(row, tz, now))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn session_row(row: &SessionRow, tz: Tz, now: DateTime<Utc>) -> Markup {
    let request = match row.request {
        RequestKind::None => "none",
        RequestKind::Kwh => "kWh",
        RequestKind::AsMuchAsPossible => "as much as possible",
    };
    html! {
        tr {
            th scope="row" { (row.driver) br; (session_id(&row.session_id)) }
            td { (row.port_id.as_ref().map_or("—", |p| p.as_str())) }
            td { (local(row.started_at, tz)) }
            td { @match row.ended_at { Some(at) => { (local(at, tz)) } None => { @if row.started_at <= now { "charging" } } } }
            td { (request) }
            td.num { (row.requested_kwh.map_or_else(|| "—".to_owned(), kw)) }
            td.num { (kw(row.delivered_kwh)) }
            td {
                @match row.met {
                    Some(true) => { span.status-ok { "yes" } }
                    Some(false) => { span.status-bad { "no" } }
                    None if row.request == RequestKind::Kwh => { "not yet" }
                    None => { "—" }
                }
            }
            td { (row.departure_requested.map_or_else(|| "—".to_owned(), |at| local(at, tz))) }
        }
    }
}

/// "Mon 15 Jun 14:05" in the site's time zone.
fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}

/// "12.34 USD".
fn money(amount: f64, currency: &str) -> String {
    let amount = if amount.is_finite() { amount } else { 0.0 };
    format!("{amount:.2} {currency}")
}
