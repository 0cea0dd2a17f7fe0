//! The numbers behind one circuit's chart, as pure functions of the site's state: planned
//! power per session stacked over the plan's slots from now on, the circuit's effective cap
//! over the whole chart, and measured power (5-minute averages) over the last hours.

use std::collections::HashMap;

use chargeplan_core::{Circuit, CircuitId, CircuitTree, MeterSample, SessionId, effective_cap};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::load::SiteState;

/// How far back measured power is drawn.
pub(crate) const MEASURED_HOURS: i64 = 3;
/// Measured power is averaged per bucket of this many minutes.
pub(crate) const BUCKET_MINUTES: i64 = 5;
/// A session's last reading stands in for a bucket without readings for at most this long.
const CARRY_MINUTES: i64 = 10;
/// Label of the band of load we do not control.
pub(crate) const UNCONTROLLED_LABEL: &str = "Uncontrolled (at port maximum)";

/// A value over `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Step {
    pub(crate) from: DateTime<Utc>,
    pub(crate) to: DateTime<Utc>,
    pub(crate) kw: f64,
}

/// Who a band of planned power belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BandKind {
    /// A session, with its colour index (stable across the site's charts).
    Session(usize),
    /// Ports we do not control, and sessions the plan leaves out, at their port's maximum.
    Uncontrolled,
}

/// One layer of the stacked planned power: one value per slot of [`CircuitChart::slots`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Band {
    pub(crate) label: String,
    pub(crate) kind: BandKind,
    pub(crate) kw: Vec<f64>,
}

/// Everything one circuit's chart shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CircuitChart {
    pub(crate) circuit_id: CircuitId,
    pub(crate) name: String,
    pub(crate) tz: Tz,
    pub(crate) now: DateTime<Utc>,
    /// Left edge: the start of the measured window.
    pub(crate) from: DateTime<Utc>,
    /// Right edge: the end of the plan (an hour after now without a plan).
    pub(crate) to: DateTime<Utc>,
    /// The plan's slots from now on, the first one starting at now.
    pub(crate) slots: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Stacked bottom to top.
    pub(crate) bands: Vec<Band>,
    /// The effective cap from `from` to `to`, equal neighbours merged.
    pub(crate) cap: Vec<Step>,
    /// Measured power per bucket, buckets without readings left out.
    pub(crate) measured: Vec<Step>,
    /// The effective cap at now.
    pub(crate) cap_now_kw: f64,
}

impl CircuitChart {
    /// Total planned power in slot `i` (every band).
    pub(crate) fn planned_total(&self, i: usize) -> f64 {
        self.bands
            .iter()
            .map(|b| b.kw.get(i).copied().unwrap_or(0.0))
            .sum()
    }

    /// Highest total planned power over the slots (0 without a plan).
    pub(crate) fn planned_peak_kw(&self) -> f64 {
        (0..self.slots.len())
            .map(|i| self.planned_total(i))
            .fold(0.0, f64::max)
    }

    /// Highest and latest measured power, if anything was measured.
    pub(crate) fn measured_peak_kw(&self) -> Option<f64> {
        self.measured.iter().map(|s| s.kw).reduce(f64::max)
    }

    /// Highest cap over the chart.
    pub(crate) fn cap_peak_kw(&self) -> f64 {
        self.cap
            .iter()
            .map(|s| s.kw)
            .fold(self.cap_now_kw, f64::max)
    }

    /// Sessions with a band in this chart.
    pub(crate) fn session_count(&self) -> usize {
        self.bands
            .iter()
            .filter(|b| matches!(b.kind, BandKind::Session(_)))
            .count()
    }

    /// The planned total at `at`, if `at` is within the plan's slots.
    pub(crate) fn planned_at(&self, at: DateTime<Utc>) -> Option<f64> {
        let i = self.slots.iter().position(|(a, b)| *a <= at && at < *b)?;
        Some(self.planned_total(i))
    }

    /// The cap at `at`.
    pub(crate) fn cap_at(&self, at: DateTime<Utc>) -> Option<f64> {
        find_step(&self.cap, at)
    }

    /// The measured power of the bucket holding `at`.
    pub(crate) fn measured_at(&self, at: DateTime<Utc>) -> Option<f64> {
        find_step(&self.measured, at)
    }
}

fn find_step(steps: &[Step], at: DateTime<Utc>) -> Option<f64> {
    steps
        .iter()
        .find(|s| s.from <= at && at < s.to)
        .map(|s| s.kw)
}

/// The chart of every circuit of the site, root first (as stored).
pub(crate) fn site_charts(state: &SiteState) -> Vec<CircuitChart> {
    let Some(tree) = &state.tree else {
        return Vec::new();
    };
    tree.circuits()
        .iter()
        .map(|circuit| circuit_chart(state, tree, circuit))
        .collect()
}

/// Whether a port on `port_circuit` draws through `circuit` (it is that circuit or below it).
fn feeds(tree: &CircuitTree, port_circuit: &CircuitId, circuit: &CircuitId) -> bool {
    tree.ancestors_inclusive(port_circuit).contains(&circuit)
}

/// The chart of one circuit.
pub(crate) fn circuit_chart(
    state: &SiteState,
    tree: &CircuitTree,
    circuit: &Circuit,
) -> CircuitChart {
    let now = state.now;
    let from = state.measured_from();
    let port_circuit: HashMap<_, _> = state
        .ports
        .iter()
        .map(|p| (p.id.clone(), p.circuit_id.clone()))
        .collect();
    let on_circuit = |port: Option<&chargeplan_core::PortId>| {
        port.and_then(|p| port_circuit.get(p))
            .is_some_and(|c| feeds(tree, c, &circuit.id))
    };

    let (slots, bands) = planned_bands(state, tree, circuit, &on_circuit);
    let to = slots
        .last()
        .map_or(now + Duration::hours(1), |(_, end)| *end);
    let cap = cap_steps(state, circuit, from, to, &slots);
    let cap_now_kw = effective_cap(
        circuit,
        &state.scheduled,
        &state.overrides,
        state.site.time_zone,
        now,
    )
    .get();
    let measured = measured_steps(state, from, now, |session| {
        state
            .sampled
            .get(session)
            .is_some_and(|s| on_circuit(s.port_id.as_ref()))
    });
    CircuitChart {
        circuit_id: circuit.id.clone(),
        name: circuit.name.clone(),
        tz: state.site.time_zone,
        now,
        from,
        to: to.max(now + Duration::minutes(BUCKET_MINUTES)),
        slots,
        bands,
        cap,
        measured,
        cap_now_kw,
    }
}

type Slots = Vec<(DateTime<Utc>, DateTime<Utc>)>;

/// The plan's slots from now on and one band per session on the circuit, plus the
/// uncontrolled band when there is uncontrolled load.
fn planned_bands(
    state: &SiteState,
    tree: &CircuitTree,
    circuit: &Circuit,
    on_circuit: &dyn Fn(Option<&chargeplan_core::PortId>) -> bool,
) -> (Slots, Vec<Band>) {
    let Some(plan) = &state.plan else {
        return (Vec::new(), Vec::new());
    };
    let now = state.now;
    let shown: Vec<u32> = (0..plan.horizon_slots)
        .filter(|&i| plan.slot_start(i + 1) > now)
        .collect();
    let slots: Slots = shown
        .iter()
        .map(|&i| (plan.slot_start(i).max(now), plan.slot_start(i + 1)))
        .collect();
    let mut bands = Vec::new();
    let mut uncontrolled_kw = 0.0;
    for open in &state.sessions {
        if !on_circuit(open.session.port_id.as_ref()) {
            continue;
        }
        match plan.session(&open.session.id) {
            Some(planned) => bands.push(Band {
                label: open.alias.clone(),
                kind: BandKind::Session(open.colour),
                kw: shown
                    .iter()
                    .map(|&i| power(planned.power_kw.get(i as usize).copied().unwrap_or(0.0)))
                    .collect(),
            }),
            None => {
                // Not planned (its port is not controlled, its limits were refused, or it
                // arrived after the plan): it may draw its port's maximum.
                let port = state
                    .ports
                    .iter()
                    .find(|p| Some(&p.id) == open.session.port_id.as_ref());
                if port.is_some_and(|p| p.controllable) {
                    uncontrolled_kw += port.map_or(0.0, |p| p.max_power.get());
                }
            }
        }
    }
    // Ports we do not control count at their maximum, plugged in or not.
    uncontrolled_kw += state
        .ports
        .iter()
        .filter(|p| !p.controllable && feeds(tree, &p.circuit_id, &circuit.id))
        .map(|p| p.max_power.get())
        .sum::<f64>();
    if uncontrolled_kw > 0.0 {
        bands.push(Band {
            label: UNCONTROLLED_LABEL.to_owned(),
            kind: BandKind::Uncontrolled,
            kw: vec![uncontrolled_kw; slots.len()],
        });
    }
    (slots, bands)
}

/// The effective cap from `from` to `to`, evaluated at every bucket boundary, at now and at
/// every slot start; equal neighbours are merged.
fn cap_steps(
    state: &SiteState,
    circuit: &Circuit,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    slots: &Slots,
) -> Vec<Step> {
    let mut breaks: Vec<DateTime<Utc>> = vec![from, state.now, to];
    let bucket = Duration::minutes(BUCKET_MINUTES);
    let mut at = from + bucket;
    while at < to {
        breaks.push(at);
        at += bucket;
    }
    breaks.extend(slots.iter().map(|(start, _)| *start));
    breaks.retain(|t| *t >= from && *t <= to);
    breaks.sort();
    breaks.dedup();
    let mut steps: Vec<Step> = Vec::new();
    for pair in breaks.windows(2) {
        let kw = effective_cap(
            circuit,
            &state.scheduled,
            &state.overrides,
            state.site.time_zone,
            pair[0],
        )
        .get();
        match steps.last_mut() {
            Some(last) if last.kw == kw => last.to = pair[1],
            _ => steps.push(Step {
                from: pair[0],
                to: pair[1],
                kw,
            }),
        }
    }
    steps
}

/// Measured power of the sessions `counts` accepts, per bucket from `from` to `now`: the sum
/// over sessions of each session's average reading in the bucket. A session without a
/// reading in a bucket counts with its last reading when that is at most 10 minutes old and
/// the session had not ended.
pub(crate) fn measured_steps(
    state: &SiteState,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    counts: impl Fn(&SessionId) -> bool,
) -> Vec<Step> {
    let mut by_session: HashMap<&SessionId, Vec<&MeterSample>> = HashMap::new();
    for sample in state.samples.iter().filter(|s| counts(&s.session_id)) {
        by_session
            .entry(&sample.session_id)
            .or_default()
            .push(sample);
    }
    let bucket = Duration::minutes(BUCKET_MINUTES);
    let mut steps = Vec::new();
    let mut start = from;
    while start < now {
        let end = (start + bucket).min(now);
        let mut total = None;
        for (session, samples) in &by_session {
            let ended = state.sampled.get(*session).and_then(|s| s.ended_at);
            if let Some(kw) = session_bucket_kw(samples, start, start + bucket, ended) {
                total = Some(total.unwrap_or(0.0) + kw);
            }
        }
        if let Some(kw) = total {
            steps.push(Step {
                from: start,
                to: end,
                kw,
            });
        }
        start += bucket;
    }
    steps
}

/// One session's power in `[start, end)`: the mean of its readings there, else its last
/// earlier reading if recent enough and the session was still running.
fn session_bucket_kw(
    samples: &[&MeterSample],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
) -> Option<f64> {
    let inside: Vec<f64> = samples
        .iter()
        .filter(|s| s.at >= start && s.at < end)
        .map(|s| power(s.power.get()))
        .collect();
    if !inside.is_empty() {
        return Some(inside.iter().sum::<f64>() / inside.len() as f64);
    }
    if ended.is_some_and(|ended| ended <= start) {
        return None;
    }
    samples
        .iter()
        .rev()
        .find(|s| s.at < start)
        .filter(|s| start - s.at <= Duration::minutes(CARRY_MINUTES))
        .map(|s| power(s.power.get()))
}

/// A power fit to draw and add: finite and not negative.
pub(crate) fn power(kw: f64) -> f64 {
    if kw.is_finite() && kw > 0.0 { kw } else { 0.0 }
}

#[cfg(test)]
#[path = "series_tests.rs"]
pub(crate) mod tests;
