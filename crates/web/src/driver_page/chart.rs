//! The small inline SVG chart of planned versus measured charging power, with a "now" line
//! between what was measured and what is planned and a labelled power axis, described in
//! words for screen readers. Pure and deterministic: the same data always gives the same
//! markup.

use chargeplan_core::ClockFormat;
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
const GRID: &str = "#d9d9d9";
const NOW_LINE: &str = "#1b1b1b";
const TEXT: &str = "#1b1b1b";

/// The chart for `data`, with hour ticks in the site's time zone `tz` and clock format.
pub fn power_chart(data: &ChartData, tz: Tz, clock: ClockFormat) -> Markup {
    let scale = Scale::new(data);
    let desc = describe(data, tz, clock);
    let now_x = scale.x(data.now);
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
            // Axes and labels: 0, steps between, and the top of the axis.
            text x=(num(LEFT - 4.0)) y="15" text-anchor="end" fill=(TEXT) { "kW" }
            @for level in power_ticks(scale.top_kw) {
                @if level > 0.0 {
                    line.grid x1=(num(LEFT)) y1=(num(scale.y(level))) x2=(num(RIGHT)) y2=(num(scale.y(level))) stroke=(GRID) {}
                }
                text.power-tick x=(num(LEFT - 4.0)) y=(num(scale.y(level) + 4.0)) text-anchor="end" fill=(TEXT) { (tick_label(level)) }
            }
            line x1=(num(LEFT)) y1=(num(TOP)) x2=(num(LEFT)) y2=(num(BOTTOM)) stroke=(AXIS) {}
            line x1=(num(LEFT)) y1=(num(BOTTOM)) x2=(num(RIGHT)) y2=(num(BOTTOM)) stroke=(AXIS) {}
            @for (at, label) in hour_ticks(scale.t0, scale.t1, tz, clock) {
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
            // Now: measured to its left, planned to its right.
            line #chart-now x1=(num(now_x)) y1=(num(TOP - 2.0)) x2=(num(now_x)) y2=(num(BOTTOM)) stroke=(NOW_LINE)
                stroke-width="1.5" stroke-dasharray="4 3" {}
            text x=(num(now_x)) y=(num(TOP - 4.0)) text-anchor=(now_anchor(now_x)) fill=(TEXT) font-weight="600" { "now" }
        }
    }
}

/// The "now" label stays inside the drawing near its edges.
fn now_anchor(x: f64) -> &'static str {
    if x < LEFT + 16.0 {
        "start"
    } else if x > RIGHT - 16.0 {
        "end"
    } else {
        "middle"
    }
}

/// Levels of the power axis: 0, every round step below the top (1, 2 or 5 times a power of
/// ten, at most four steps), and the top itself.
fn power_ticks(top_kw: f64) -> Vec<f64> {
    let rough = top_kw / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(top_kw);
    let mut levels = vec![0.0];
    let mut level = step;
    // Round levels too close to the top would print over its label.
    while level < top_kw - step * 0.5 && levels.len() < 6 {
        levels.push(level);
        level += step;
    }
    levels.push(top_kw);
    levels
}

/// A level of the power axis: "0", "2", "7.2".
fn tick_label(level: f64) -> String {
    let rounded = (level * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
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
        let mut t0 = data.start.min(data.now);
        let mut t1 = plan_end(data).max(data.now);
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

/// The planned power from now on as a filled step area and its outline, if any is left:
/// the part of a slot that has passed is what was measured.
fn planned_paths(data: &ChartData, s: &Scale) -> Option<(String, String)> {
    let mut line = String::new();
    let mut first_x = None;
    for (i, kw) in data.planned_kw.iter().enumerate() {
        let (from, to) = (slot_start(data, i).max(data.now), slot_start(data, i + 1));
        if to <= from {
            continue;
        }
        let (x0, x1, y) = (s.x(from), s.x(to), s.y(*kw));
        let verb = if first_x.is_none() { "M" } else { "L" };
        first_x.get_or_insert(x0);
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
        num(first_x?),
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

/// At most 6 hour ticks, labelled "14:00" or "2 pm" as the site writes times.
fn hour_ticks(
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    tz: Tz,
    clock: ClockFormat,
) -> Vec<(DateTime<Utc>, String)> {
    crate::time_axis::hour_ticks(t0, t1, tz, 6)
        .into_iter()
        .map(|(at, local)| {
            let label = match clock {
                ClockFormat::TwentyFourHour => clock.time(local.time()),
                ClockFormat::TwelveHour => clock.time(local.time()).replace(":00", ""),
            };
            (at, label)
        })
        .collect()
}

/// The chart in words: the planned window and peak, and whether there are measurements.
fn describe(data: &ChartData, tz: Tz, clock: ClockFormat) -> String {
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
                clock.local_time(from, tz, from),
                clock.local_time(slot_start(data, last + 1), tz, from),
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
