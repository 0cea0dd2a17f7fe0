//! `--plot`: the site's load against its cap, one panel per policy on one time axis (SVG,
//! no scripts, readable printed or on a phone).

use std::fmt::Write as _;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use crate::report::PolicyReport;

const WIDTH: f64 = 960.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const PANEL: f64 = 150.0;
const TITLE: f64 = 26.0;
const AXIS: f64 = 24.0;

/// Escapes text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Where the time axis gets a tick, and the label of each: every 3 hours for a day or two,
/// local midnights up to two weeks, Mondays beyond.
fn ticks(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Vec<(DateTime<Utc>, String)> {
    let span = to - from;
    let (step, format) = if span <= Duration::hours(48) {
        (Duration::hours(3), "%H:%M")
    } else if span <= Duration::days(14) {
        (Duration::days(1), "%b %d")
    } else {
        (Duration::days(7), "%b %d")
    };
    let local = from.with_timezone(&tz).date_naive();
    let midnight = local.and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut at = tz
        .from_local_datetime(&midnight)
        .earliest()
        .map_or(from, |t| t.with_timezone(&Utc));
    if step == Duration::days(7) {
        while at.with_timezone(&tz).format("%a").to_string() != "Mon" {
            at += Duration::days(1);
        }
    }
    let mut out = Vec::new();
    while at <= to {
        if at >= from {
            out.push((at, at.with_timezone(&tz).format(format).to_string()));
        }
        // Steps in local time keep ticks on local midnight across a change of offset.
        let next = at.with_timezone(&tz).naive_local() + step;
        at = tz
            .from_local_datetime(&next)
            .earliest()
            .map_or(at + step, |t| t.with_timezone(&Utc));
    }
    out
}

/// The SVG of every report's site load (those without a load, none of them here, are left
/// out), each against the report's service cap.
pub fn svg(reports: &[PolicyReport], tz: Tz) -> String {
    let shown: Vec<&PolicyReport> = reports.iter().filter(|r| !r.site_load.is_empty()).collect();
    let from = shown
        .iter()
        .filter_map(|r| r.site_load.first().map(|p| p.0))
        .min()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let to = shown
        .iter()
        .filter_map(|r| r.site_load.last().map(|p| p.0))
        .max()
        .unwrap_or(from)
        .max(from + Duration::hours(1));
    let top = shown
        .iter()
        .map(|r| r.peak_kw.max(r.cap_kw))
        .fold(1.0, f64::max)
        * 1.1;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |at: DateTime<Utc>| {
        LEFT + plot_w * (at - from).num_seconds() as f64 / (to - from).num_seconds() as f64
    };
    let height = shown.len() as f64 * (TITLE + PANEL + AXIS) + 8.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#
    );
    let _ = write!(
        out,
        r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    for (k, report) in shown.iter().enumerate() {
        let y0 = k as f64 * (TITLE + PANEL + AXIS) + TITLE;
        let y = |kw: f64| y0 + PANEL - PANEL * (kw / top).clamp(0.0, 1.0);
        let title = format!(
            "{}: {:.0} kWh ({:.1} % of hindsight), peak {:.1} kW, {} cap violations",
            report.policy,
            report.energy_delivered_kwh,
            100.0 * report.fraction_of_hindsight,
            report.peak_kw,
            report.cap_violations
        );
        let _ = write!(
            out,
            r#"<text x="{LEFT}" y="{:.1}" font-size="14" font-weight="bold">{}</text>"#,
            y0 - 8.0,
            esc(&title)
        );
        let _ = write!(
            out,
            r##"<rect x="{LEFT}" y="{y0:.1}" width="{plot_w}" height="{PANEL}" fill="#f7f7f7" stroke="#bbb"/>"##
        );
        let mut points = format!("{LEFT:.1},{:.1} ", y(0.0));
        for &(at, kw) in &report.site_load {
            let _ = write!(points, "{:.1},{:.1} ", x(at), y(kw));
        }
        if let Some(&(last, _)) = report.site_load.last() {
            let _ = write!(points, "{:.1},{:.1}", x(last), y(0.0));
        }
        let _ = write!(
            out,
            r##"<polygon points="{points}" fill="#9ecae1" stroke="#2171b5" stroke-width="0.8"/>"##
        );
        let cap_y = y(report.cap_kw);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{cap_y:.1}" y2="{cap_y:.1}" stroke="#cb181d" stroke-width="1.5" stroke-dasharray="6 3"/>"##,
            WIDTH - RIGHT
        );
        for (kw, label) in [
            (0.0, "0".to_owned()),
            (report.cap_kw, format!("cap {:.0}", report.cap_kw)),
            (top / 1.1, format!("{:.0} kW", top / 1.1)),
        ] {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 4.0,
                y(kw) + 4.0,
                esc(&label)
            );
        }
        for (at, label) in ticks(from, to, tz) {
            let tx = x(at);
            let _ = write!(
                out,
                r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{y0:.1}" y2="{:.1}" stroke="#ddd"/><text x="{tx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                y0 + PANEL,
                y0 + PANEL + 15.0,
                esc(&label)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(policy: &str, peak: f64, load: Vec<(DateTime<Utc>, f64)>) -> PolicyReport {
        PolicyReport {
            policy: policy.into(),
            cap_kw: 30.0,
            peak_kw: peak,
            site_load: load,
            ..PolicyReport::default()
        }
    }

    #[test]
    fn each_policy_gets_a_panel_with_its_cap_and_a_local_time_axis() {
        let start: DateTime<Utc> = "2019-06-14T07:00:00Z".parse().unwrap();
        let load: Vec<_> = (0..288)
            .map(|k| (start + Duration::minutes(5 * k), f64::from(k as u8 % 40)))
            .collect();
        let svg = svg(
            &[
                report("optimal", 39.0, load.clone()),
                report("llf", 39.0, load),
            ],
            chrono_tz::America::Los_Angeles,
        );
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert!(svg.contains("optimal: 0 kWh"));
        // Local midnight is 07:00 UTC: the first tick is labelled 00:00, then 03:00.
        assert!(svg.contains(">00:00</text>") && svg.contains(">03:00</text>"));
    }

    #[test]
    fn a_report_without_load_is_left_out() {
        let svg = svg(&[report("x", 0.0, Vec::new())], chrono_tz::UTC);
        assert!(!svg.contains("<polygon"));
    }
}
