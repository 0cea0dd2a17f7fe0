//! One circuit's chart as inline SVG: planned power stacked per session from now on, the
//! effective cap as a dashed line, measured power before now, and a "now" line; with a
//! legend, a description in words, a data table to fall back on, and machine-readable
//! attributes (`data-cap-kw`, `data-planned-peak-kw`) on the `<svg>`. Pure and deterministic.

use chargeplan_core::format_local_time;
use chrono::{DateTime, Duration, Timelike as _, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};

use super::format::{kw, kw_attr};
use super::series::{BandKind, CircuitChart, Step};
use crate::time_axis::hour_ticks;

/// Drawing size in SVG units; the chart scales to its container's width.
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 300.0;
/// The plot area inside the drawing.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 944.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 262.0;

/// Session band colours, each at least 3:1 against white; a session keeps its colour on
/// every circuit's chart.
pub(crate) const SESSION_COLOURS: [&str; 8] = [
    "#0b5cad", "#c24e00", "#1e7b3a", "#7b3fb0", "#a8005e", "#00727a", "#806300", "#5c4a3d",
];
/// The uncontrolled band.
pub(crate) const UNCONTROLLED_COLOUR: &str = "#767676";
pub(crate) const CAP_COLOUR: &str = "#b00020";
pub(crate) const MEASURED_COLOUR: &str = "#1b1b1b";
const NOW_COLOUR: &str = "#4a4a4a";
const GRID_COLOUR: &str = "#d5d9df";
const TEXT: &str = "#1b1b1b";

/// The fill of a band.
pub(crate) fn band_colour(kind: BandKind) -> &'static str {
    match kind {
        BandKind::Session(i) => SESSION_COLOURS[i % SESSION_COLOURS.len()],
        BandKind::Uncontrolled => UNCONTROLLED_COLOUR,
    }
}

/// The chart's figure: the SVG, its legend and the data table in a `<details>`.
pub(crate) fn circuit_figure(chart: &CircuitChart) -> Markup {
    let key = dom_key(chart.circuit_id.as_str());
    html! {
        figure.chart-figure id=(format!("chart-{key}")) style="margin:0" {
            (svg(chart, &key))
            (legend(chart))
            (data_table(chart, &key))
        }
    }
}

/// The SVG itself.
fn svg(chart: &CircuitChart, key: &str) -> Markup {
    let scale = Scale::new(chart);
    let title_id = format!("chart-{key}-title");
    let desc_id = format!("chart-{key}-desc");
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width="100%" role="img"
            xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13"
            aria-labelledby=(format!("{title_id} {desc_id}"))
            data-circuit-id=(chart.circuit_id.as_str())
            data-cap-kw=(kw_attr(chart.cap_now_kw))
            data-planned-peak-kw=(kw_attr(chart.planned_peak_kw()))
            data-measured-peak-kw=[chart.measured_peak_kw().map(kw_attr)] {
            title id=(title_id) { "Power on circuit " (chart.name) }
            desc id=(desc_id) { (describe(chart)) }
            // Grid and axes.
            @for tick in scale.kw_ticks() {
                line x1=(num(LEFT)) x2=(num(RIGHT)) y1=(num(scale.y(tick))) y2=(num(scale.y(tick)))
                    stroke=(GRID_COLOUR) {}
                text x=(num(LEFT - 6.0)) y=(num(scale.y(tick) + 4.0)) text-anchor="end" fill=(TEXT) { (kw(tick)) }
            }
            text x=(num(LEFT - 6.0)) y=(num(TOP - 14.0)) text-anchor="end" fill=(TEXT) font-size="12" { "kW" }
            line x1=(num(LEFT)) y1=(num(BOTTOM)) x2=(num(RIGHT)) y2=(num(BOTTOM)) stroke=(NOW_COLOUR) {}
            @for (at, label) in hour_labels(chart.from, chart.to, chart.tz) {
                line x1=(num(scale.x(at))) y1=(num(BOTTOM)) x2=(num(scale.x(at))) y2=(num(BOTTOM + 5.0)) stroke=(NOW_COLOUR) {}
                text x=(num(scale.x(at))) y=(num(BOTTOM + 20.0)) text-anchor="middle" fill=(TEXT) { (label) }
            }
            // Planned power, stacked.
            @for (d, colour, label) in stacked_paths(chart, &scale) {
                path.band d=(d) fill=(colour) stroke="#fff" stroke-width="0.75" {
                    title { (label) }
                }
            }
            // Measured power before now.
            @if !chart.measured.is_empty() {
                path.measured d=(step_path(&chart.measured, &scale)) fill="none"
                    stroke=(MEASURED_COLOUR) stroke-width="2.5" stroke-linejoin="round" {}
            }
            // The effective cap.
            path.cap d=(step_path(&chart.cap, &scale)) fill="none" stroke=(CAP_COLOUR)
                stroke-width="2.5" stroke-dasharray="8 4" {}
            // Now.
            line.now x1=(num(scale.x(chart.now))) x2=(num(scale.x(chart.now))) y1=(num(TOP)) y2=(num(BOTTOM))
                stroke=(NOW_COLOUR) stroke-width="1.5" stroke-dasharray="2 3" {}
            text x=(num(scale.x(chart.now) + 4.0)) y=(num(TOP + 12.0)) fill=(TEXT) { "now" }
        }
    }
}

/// The legend under the chart, as a list.
fn legend(chart: &CircuitChart) -> Markup {
    html! {
        ul.legend aria-label=(format!("Legend for {}", chart.name)) {
            @for band in &chart.bands {
                li {
                    span.swatch style=(format!("background:{}", band_colour(band.kind))) {}
                    (band.label)
                }
            }
            li {
                span.swatch.line style=(format!("background:{CAP_COLOUR}")) {}
                "Cap (" (kw(chart.cap_now_kw)) " kW now)"
            }
            li {
                span.swatch.line style=(format!("background:{MEASURED_COLOUR}")) {}
                "Measured (5-minute average)"
            }
        }
    }
}

/// The chart's numbers as a table, in a closed `<details>`.
fn data_table(chart: &CircuitChart, key: &str) -> Markup {
    let rows = table_times(chart);
    html! {
        details id=(format!("chart-{key}-data")) {
            summary { "Chart data for " (chart.name) }
            div.table-wrap {
                table {
                    caption.visually-hidden { "Power on circuit " (chart.name) " over time" }
                    thead {
                        tr {
                            th scope="col" { "Time" }
                            th.num scope="col" { "Measured kW" }
                            th.num scope="col" { "Planned kW" }
                            th.num scope="col" { "Cap kW" }
                        }
                    }
                    tbody {
                        @for at in rows {
                            tr {
                                th scope="row" { (format_local_time(at, chart.tz, chart.now)) }
                                td.num { (or_dash(chart.measured_at(at))) }
                                td.num { (or_dash(chart.planned_at(at))) }
                                td.num { (or_dash(chart.cap_at(at))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Row times for the table: every 5 to 360 minutes from the left edge, at most 48 rows, and
/// now itself.
fn table_times(chart: &CircuitChart) -> Vec<DateTime<Utc>> {
    let minutes = (chart.to - chart.from).num_minutes().max(1);
    let stride = [5, 10, 15, 30, 60, 120, 180, 360]
        .into_iter()
        .find(|s| minutes / s <= 48)
        .unwrap_or(360);
    let mut times: Vec<DateTime<Utc>> = (0..)
        .map(|k| chart.from + Duration::minutes(stride * k))
        .take_while(|at| *at < chart.to)
        .take(60)
        .collect();
    times.push(chart.now);
    times.sort();
    times.dedup();
    times
}

fn or_dash(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), kw)
}

/// The chart in words: the cap now, the planned peak and until when, what was measured.
pub(crate) fn describe(chart: &CircuitChart) -> String {
    let mut out = format!(
        "Circuit {}: effective cap now {} kW.",
        chart.name,
        kw(chart.cap_now_kw)
    );
    match chart.slots.last() {
        Some((_, end)) => out.push_str(&format!(
            " Planned load from now to {}: up to {} kW across {} session{}.",
            format_local_time(*end, chart.tz, chart.now),
            kw(chart.planned_peak_kw()),
            chart.session_count(),
            if chart.session_count() == 1 { "" } else { "s" }
        )),
        None => out.push_str(" No plan yet."),
    }
    match (chart.measured_peak_kw(), chart.measured.last()) {
        (Some(peak), Some(last)) => out.push_str(&format!(
            " Measured over the last {} hours: up to {} kW, {} kW most recently.",
            super::series::MEASURED_HOURS,
            kw(peak),
            kw(last.kw)
        )),
        _ => out.push_str(" Nothing measured in the last hours."),
    }
    out
}

/// An id-safe form of a circuit id (ids may hold `.` and `:`, which CSS selectors dislike).
pub(crate) fn dom_key(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Maps times and powers to drawing coordinates.
#[derive(Debug, Clone, Copy)]
struct Scale {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    top_kw: f64,
}

impl Scale {
    fn new(chart: &CircuitChart) -> Self {
        let highest = chart
            .planned_peak_kw()
            .max(chart.cap_peak_kw())
            .max(chart.measured_peak_kw().unwrap_or(0.0));
        let t1 = if chart.to > chart.from {
            chart.to
        } else {
            chart.from + Duration::hours(1)
        };
        Self {
            t0: chart.from,
            t1,
            top_kw: nice_ceiling(highest * 1.08),
        }
    }

    fn x(&self, at: DateTime<Utc>) -> f64 {
        let span = (self.t1 - self.t0).num_seconds().max(1) as f64;
        let f = (at - self.t0).num_seconds() as f64 / span;
        LEFT + f.clamp(0.0, 1.0) * (RIGHT - LEFT)
    }

    fn y(&self, kw: f64) -> f64 {
        let v = if kw.is_finite() { kw.max(0.0) } else { 0.0 };
        BOTTOM - (v / self.top_kw).clamp(0.0, 1.0) * (BOTTOM - TOP)
    }

    /// Four or five evenly spaced values from 0 to the top.
    fn kw_ticks(&self) -> Vec<f64> {
        let step = self.top_kw / 4.0;
        (0..=4).map(|i| step * f64::from(i)).collect()
    }
}

/// The smallest of 1, 1.2, 1.6, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ at or above `v` (1 for nothing).
fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(v.log10().floor());
    [1.0, 1.2, 1.6, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * magnitude)
}

/// Each band with planned power as (path, fill, label), stacked bottom to top.
fn stacked_paths(chart: &CircuitChart, scale: &Scale) -> Vec<(String, &'static str, String)> {
    let mut lower = vec![0.0; chart.slots.len()];
    let mut paths = Vec::new();
    for band in &chart.bands {
        let upper: Vec<f64> = lower.iter().zip(&band.kw).map(|(l, v)| l + v).collect();
        if band.kw.iter().any(|v| *v > 0.0) {
            let d = band_path(&chart.slots, &lower, &upper, scale);
            paths.push((d, band_colour(band.kind), band.label.clone()));
        }
        lower = upper;
    }
    paths
}

/// A closed area between `lower` and `upper` over contiguous slots.
fn band_path(
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
    lower: &[f64],
    upper: &[f64],
    s: &Scale,
) -> String {
    let mut d = String::new();
    for (i, (a, b)) in slots.iter().enumerate() {
        let verb = if i == 0 { "M" } else { "L" };
        d.push_str(&format!(
            "{verb}{} {}L{} {}",
            num(s.x(*a)),
            num(s.y(at(upper, i))),
            num(s.x(*b)),
            num(s.y(at(upper, i)))
        ));
    }
    for (i, (a, b)) in slots.iter().enumerate().rev() {
        d.push_str(&format!(
            "L{} {}L{} {}",
            num(s.x(*b)),
            num(s.y(at(lower, i))),
            num(s.x(*a)),
            num(s.y(at(lower, i)))
        ));
    }
    d.push('Z');
    d
}

/// `values[i]`, or 0 past the end.
fn at(values: &[f64], i: usize) -> f64 {
    values.get(i).copied().unwrap_or(0.0)
}

/// A step line through `steps`, broken where they are not contiguous.
fn step_path(steps: &[Step], s: &Scale) -> String {
    let mut d = String::new();
    let mut previous_end: Option<DateTime<Utc>> = None;
    for step in steps {
        let verb = if previous_end == Some(step.from) {
            "L"
        } else {
            "M"
        };
        d.push_str(&format!(
            "{verb}{} {}L{} {}",
            num(s.x(step.from)),
            num(s.y(step.kw)),
            num(s.x(step.to)),
            num(s.y(step.kw))
        ));
        previous_end = Some(step.to);
    }
    d
}

/// At most 12 hour ticks, labelled "14:00", or with the weekday at midnight.
fn hour_labels(t0: DateTime<Utc>, t1: DateTime<Utc>, tz: Tz) -> Vec<(DateTime<Utc>, String)> {
    hour_ticks(t0, t1, tz, 12)
        .into_iter()
        .map(|(at, local)| {
            let format = if local.hour() == 0 { "%a" } else { "%H:%M" };
            (at, local.format(format).to_string())
        })
        .collect()
}

/// A coordinate: one decimal, never NaN.
fn num(v: f64) -> String {
    format!("{:.1}", if v.is_finite() { v } else { 0.0 })
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
