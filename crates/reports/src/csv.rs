//! CSV exports of a report (RFC 4180: CRLF line ends, fields quoted when needed).

use std::fmt::Display;

use chrono::{DateTime, Utc};

use crate::report::Report;
use crate::rows::local_time;

const SESSION_COLUMNS: [&str; 10] = [
    "session_id",
    "driver",
    "port_id",
    "started_local",
    "ended_local",
    "request",
    "requested_kwh",
    "delivered_kwh",
    "met",
    "departure_requested_local",
];

/// One field, quoted when it holds a comma, a double quote or a line break (quotes doubled).
fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn line(fields: &[String]) -> String {
    let fields: Vec<String> = fields.iter().map(|f| field(f)).collect();
    format!("{}\r\n", fields.join(","))
}

fn or_empty<T: Display>(value: Option<T>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// The sessions of the report: a header line, then one line per session. Times are the
/// site's local time with the offset; `requested_kwh` and `met` are empty unless the
/// session has a kWh request; `met` is `yes` or `no`.
pub fn to_csv(report: &Report) -> String {
    let mut out = line(&SESSION_COLUMNS.map(str::to_owned));
    for row in &report.sessions {
        out.push_str(&line(&[
            row.session_id.to_string(),
            row.driver.clone(),
            or_empty(row.port_id.as_ref()),
            row.started_at_local.clone(),
            row.ended_at_local.clone().unwrap_or_default(),
            row.request.as_str().to_owned(),
            or_empty(row.requested_kwh),
            row.delivered_kwh.to_string(),
            or_empty(row.met.map(|met| if met { "yes" } else { "no" })),
            row.departure_requested_local.clone().unwrap_or_default(),
        ]));
    }
    out
}

/// The report's figures as `metric,value` lines. Every metric is always listed; cost
/// metrics are empty when the site has no tariff, the median reply time when no thread was
/// answered.
pub fn summary_csv(report: &Report) -> String {
    let tz = report.time_zone;
    let local = |at: Option<DateTime<Utc>>| or_empty(at.map(|at| local_time(tz, at)));
    let s = &report.summary;
    let c = report.cost.as_ref();
    let r = &report.relay;
    let w = &report.waitlist;
    let metrics: Vec<(&str, String)> = vec![
        ("site_id", report.site_id.to_string()),
        ("time_zone", tz.name().to_owned()),
        ("period", report.period.label.clone()),
        ("period_from_local", local(Some(report.period.from))),
        ("period_to_local", local(Some(report.period.to))),
        ("interval_minutes", report.interval_minutes.to_string()),
        (
            "request_met_tolerance_kwh",
            report.request_met_tolerance_kwh.to_string(),
        ),
        ("sessions_count", s.sessions_count.to_string()),
        (
            "sessions_without_request",
            s.sessions_without_request.to_string(),
        ),
        (
            "sessions_as_much_as_possible",
            s.sessions_as_much_as_possible.to_string(),
        ),
        (
            "sessions_with_kwh_request",
            s.sessions_with_kwh_request.to_string(),
        ),
        ("requested_kwh", s.requested_kwh.to_string()),
        (
            "delivered_on_kwh_requests_kwh",
            s.delivered_on_kwh_requests_kwh.to_string(),
        ),
        ("delivered_kwh", s.delivered_kwh.to_string()),
        ("requests_met", s.requests_met.to_string()),
        (
            "requests_still_charging",
            s.requests_still_charging.to_string(),
        ),
        ("requests_met_pct", or_empty(s.requests_met_pct)),
        ("measured_peak_kw", s.measured_peak_kw.to_string()),
        ("measured_peak_at_local", local(s.measured_peak_at)),
        (
            "counterfactual_peak_kw",
            s.counterfactual_peak_kw.to_string(),
        ),
        (
            "counterfactual_peak_at_local",
            local(s.counterfactual_peak_at),
        ),
        ("peak_reduction_kw", s.peak_reduction_kw.to_string()),
        ("currency", or_empty(c.map(|c| &c.currency))),
        ("energy_cost", or_empty(c.map(|c| c.energy_cost))),
        (
            "demand_charge_per_kw",
            or_empty(c.map(|c| c.demand_charge_per_kw)),
        ),
        ("demand_charge", or_empty(c.map(|c| c.demand_charge))),
        (
            "counterfactual_demand_charge",
            or_empty(c.map(|c| c.counterfactual_demand_charge)),
        ),
        (
            "demand_charge_saving",
            or_empty(c.map(|c| c.demand_charge_saving)),
        ),
        ("relay_threads_opened", r.threads_opened.to_string()),
        ("relay_threads_answered", r.threads_answered.to_string()),
        ("relay_replies_relayed", r.replies_relayed.to_string()),
        (
            "relay_median_first_reply_min",
            or_empty(r.median_first_reply_min),
        ),
        ("waitlist_joins", w.joins.to_string()),
        ("waitlist_offers_made", w.offers_made.to_string()),
        ("waitlist_offers_taken", w.offers_taken.to_string()),
        ("waitlist_offers_skipped", w.offers_skipped.to_string()),
        ("waitlist_offers_expired", w.offers_expired.to_string()),
        ("waitlist_served", w.served.to_string()),
        ("waitlist_median_wait_min", or_empty(w.median_wait_min)),
        (
            "sessions_measured_after_done",
            w.sessions_measured_after_done.to_string(),
        ),
        ("median_min_after_done", or_empty(w.median_min_after_done)),
    ];
    let mut out = line(&["metric".to_owned(), "value".to_owned()]);
    for (metric, value) in metrics {
        out.push_str(&line(&[metric.to_owned(), value]));
    }
    out
}

#[cfg(test)]
#[path = "csv_tests.rs"]
mod tests;
