//! The small inline SVG chart of planned versus measured charging power, described in words
//! for screen readers. Pure and deterministic: the same data always gives the same markup.

use chargeplan_core::format_local_time;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};

use super::view::ChartData;

/// Drawing size in SVG units; the chart scales to the page width.
const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 180.0;
/// The plot area inside the drawing, leaving room for the legend and axis labels.
const LEFT: f64 = 34.0;
const RIGHT: f64 = 312.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 150.0;

const PLANNED_FILL: &str = "#cfe0f5";
const PLANNED_LINE: &str = "#0b5cad";
const MEASURED_LINE: &str = "#a33d00";
const AXIS: &str = "#595959";
const TEXT: &str = "#1b1b1b";

/// The chart for `data`, with hour ticks in the site's time zone `tz`.
pub fn power_chart(data: &ChartData, tz: Tz) -> Markup {
    let scale = Scale::new(data);
    let desc = describe(data, tz);
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) width="100%" role="img"
            aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"
            font-family="system-ui, sans-serif" font-size="11" {
            title #chart-title { "Charging power" }
            desc #chart-desc { (desc) }
            // Legend.
            rect x="150" y="6" width="12" height="10" fill=(PLANNED_FILL) stroke=(PLANNED_LINE) {}
            text x="166" y="15" fill=(TEXT) { "Planned" }
            line x1="228" y1="11" x2="244" y2="11" stroke=(MEASURED_LINE) stroke-width="2.5" {}
            text x="248" y="15" fill=(TEXT) { "Measured" }
            // Axes and labels.
            text x=(num(LEFT - 4.0)) y="15" text-anchor="end" fill=(TEXT) { "kW" }
            text x=(num(LEFT - 4.0)) y=(num(TOP + 4.0)) text-anchor="end" fill=(TEXT) { (kw(scale.top_kw)) }
            text x=(num(LEFT - 4.0)) y=(num(BOTTOM + 4.0)) text-anchor="end" fill=(TEXT) { "0" }
            line x1=(num(LEFT)) y1=(num(TOP)) x2=(num(LEFT)) y2=(num(BOTTOM)) stroke=(AXIS) {}
            line x1=(num(LEFT)) y1=(num(BOTTOM)) x2=(num(RIGHT)) y2=(num(BOTTOM)) stroke=(AXIS) {}
            @for (at, label) in hour_ticks(scale.t0, scale.t1, tz) {
                line x1=(num(scale.x(at))) y1=(num(BOTTOM)) x2=(num(scale.x(at))) y2=(num(BOTTOM + 4.0)) stroke=(AXIS) {}
                text x=(num(scale.x(at))) y=(num(BOTTOM + 16.0)) text-anchor="middle" fill=(TEXT) { (label) }
            }
            @if let Some((area, line)) = planned_paths(data, &scale) {
                path d=(area) fill=(PLANNED_FILL) stroke="none" {}
                path d=(line) fill="none" stroke=(PLANNED_LINE) stroke-width="1.5" {}
            }
            @match measured_points(data, &scale).as_slice() {
                [] => {}
                [(x, y)] => { circle cx=(num(*x)) cy=(num(*y)) r="3" fill=(MEASURED_LINE) {} }
                points => {
                    polyline points=(polyline(points)) fill="none" stroke=(MEASURED_LINE)
                        stroke-width="2.5" stroke-linejoin="round" {}
                }
            }
        }
    }
}

/// Maps times and powers to drawing coordinates.
#[derive(Debug, Clone, Copy)]
struct Scale {
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    top_kw: f64,
}

impl Scale {
    fn new(data: &ChartData) -> Scale {
        let mut t0 = data.start;
        let mut t1 = plan_end(data);
        for (at, _) in &data.delivered {
            t0 = t0.min(*at);
            t1 = t1.max(*at);
        }
        if t1 <= t0 {
            t1 = t0 + Duration::hours(1);
        }
        let top_kw = data
            .planned_kw
            .iter()
            .chain(data.delivered.iter().map(|(_, kw)| kw))
            .chain([&data.max_kw])
            .map(|v| power(*v))
            .fold(0.0, f64::max);
        Scale {
            t0,
            t1,
            top_kw: if top_kw > 0.0 { top_kw } else { 1.0 },
        }
    }

    fn x(&self, at: DateTime<Utc>) -> f64 {
        let span = (self.t1 - self.t0).num_seconds() as f64;
        let f = (at - self.t0).num_seconds() as f64 / span;
        LEFT + f.clamp(0.0, 1.0) * (RIGHT - LEFT)
    }

    fn y(&self, kw: f64) -> f64 {
        BOTTOM - (power(kw) / self.top_kw).clamp(0.0, 1.0) * (BOTTOM - TOP)
    }
}

/// Length of one planned slot (1 minute to 1 day).
fn slot(data: &ChartData) -> Duration {
    Duration::minutes(i64::from(data.slot_minutes.clamp(1, 24 * 60)))
}

/// Start of planned slot `i`.
fn slot_start(data: &ChartData, i: usize) -> DateTime<Utc> {
    data.start + slot(data) * i32::try_from(i).unwrap_or(i32::MAX)
}

/// End of the last planned slot.
fn plan_end(data: &ChartData) -> DateTime<Utc> {
    slot_start(data, data.planned_kw.len())
}

/// A power fit to draw: finite and not negative.
fn power(kw: f64) -> f64 {
    if kw.is_finite() && kw > 0.0 { kw } else { 0.0 }
}

/// The planned power as a filled step area and its outline, if there is a plan.
fn planned_paths(data: &ChartData, s: &Scale) -> Option<(String, String)> {
    if data.planned_kw.is_empty() {
        return None;
    }
    let mut line = String::new();
    for (i, kw) in data.planned_kw.iter().enumerate() {
        let (x0, x1, y) = (
            s.x(slot_start(data, i)),
            s.x(slot_start(data, i + 1)),
            s.y(*kw),
        );
        let verb = if i == 0 { "M" } else { "L" };
        line.push_str(&format!(
            "{verb}{} {}L{} {}",
            num(x0),
            num(y),
            num(x1),
            num(y)
        ));
    }
    let area = format!(
        "M{} {}{}L{} {}Z",
        num(s.x(data.start)),
        num(BOTTOM),
        line.replacen('M', "L", 1),
        num(s.x(plan_end(data))),
        num(BOTTOM)
    );
    Some((area, line))
}

/// Measured samples in time order, in drawing coordinates.
fn measured_points(data: &ChartData, s: &Scale) -> Vec<(f64, f64)> {
    let mut samples = data.delivered.clone();
    samples.sort_by_key(|(at, _)| *at);
    samples
        .into_iter()
        .map(|(at, kw)| (s.x(at), s.y(kw)))
        .collect()
}

fn polyline(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most 6 hour ticks, labelled "14:00".
fn hour_ticks(t0: DateTime<Utc>, t1: DateTime<Utc>, tz: Tz) -> Vec<(DateTime<Utc>, String)> {
    crate::time_axis::hour_ticks(t0, t1, tz, 6)
        .into_iter()
        .map(|(at, local)| (at, local.format("%H:%M").to_string()))
        .collect()
}

/// The chart in words: the planned window and peak, and whether there are measurements.
fn describe(data: &ChartData, tz: Tz) -> String {
    let first = data.planned_kw.iter().position(|kw| power(*kw) > 0.0);
    let last = data.planned_kw.iter().rposition(|kw| power(*kw) > 0.0);
    let planned = match (first, last) {
        (Some(first), Some(last)) => {
            let peak = data
                .planned_kw
                .iter()
                .map(|v| power(*v))
                .fold(0.0, f64::max);
            let from = slot_start(data, first);
            format!(
                "Planned charging power from {} to {}, up to {} kW",
                format_local_time(from, tz, from),
                format_local_time(slot_start(data, last + 1), tz, from),
                kw(peak)
            )
        }
        _ => "No charging is planned".to_owned(),
    };
    let latest = data.delivered.iter().max_by_key(|(at, _)| *at);
    match latest {
        Some((_, now_kw)) => format!(
            "{planned}; measured power so far, most recently {} kW.",
            kw(power(*now_kw))
        ),
        None => format!("{planned}; no power measured yet."),
    }
}

/// A power for people: one decimal.
fn kw(v: f64) -> String {
    format!("{:.1}", power(v))
}

/// A coordinate: one decimal, never NaN.
fn num(v: f64) -> String {
    format!("{:.1}", if v.is_finite() { v } else { 0.0 })
}

#[cfg(test)]
mod tests;
