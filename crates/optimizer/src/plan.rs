//! Assembly of the [`Plan`]: full-horizon power arrays, loads, totals, costs, shortfall reasons.

use chrono::{DateTime, Duration, Utc};

use crate::instance::Instance;
use crate::problem::{CircuitLoad, Plan, Problem, SessionPlan, Stats};
use crate::repair::Powers;

/// Shortfall below this is reported as none, kWh.
const SHORTFALL_KWH: f64 = 1e-6;
/// A circuit within this of its cap counts as full, kW.
const FULL_KW: f64 = 1e-6;

/// Everything the assembly needs besides the problem and the powers.
#[derive(Debug)]
pub(crate) struct Assembly<'a> {
    /// The validated problem.
    pub inst: &'a Instance,
    /// The problem as given (ids, start).
    pub problem: &'a Problem,
    /// Final powers per session window.
    pub x: &'a Powers,
    /// Whether the min-current / step repair changed the LP plan.
    pub repaired: bool,
    /// Statistics so far (`solve_ms` filled by the caller).
    pub stats: Stats,
}

/// Time of the start of slot `t`.
fn at(start: DateTime<Utc>, slot_minutes: u32, t: usize) -> DateTime<Utc> {
    let t = i64::try_from(t).unwrap_or(i64::MAX / 2);
    start + Duration::minutes(i64::from(slot_minutes) * t)
}

impl Assembly<'_> {
    /// Builds the plan.
    pub fn plan(self) -> Plan {
        let Self {
            inst,
            problem,
            x,
            repaired,
            stats,
        } = self;
        let (h, dt) = (inst.horizon, inst.dt);
        let mut load: Vec<Vec<f64>> = inst
            .circuits
            .iter()
            .map(|c| c.fixed_subtree.clone())
            .collect();
        let mut site = inst.site_fixed.clone();
        let mut energy_cost = 0.0;
        for (s, xs) in inst.sessions.iter().zip(x) {
            for (j, &v) in xs.iter().enumerate() {
                let t = s.lo + j;
                for &k in &s.path {
                    load[k][t] += v;
                }
                site[t] += v;
                energy_cost += inst.price[t] * v * dt;
            }
        }
        let mut sessions = Vec::with_capacity(inst.sessions.len());
        let mut min_fraction: f64 = 1.0;
        let (mut total, mut short) = (0.0, 0.0);
        for (i, (s, xs)) in inst.sessions.iter().zip(x).enumerate() {
            let mut power = vec![0.0; h];
            power[s.lo..s.hi].copy_from_slice(xs);
            let energy: f64 = xs.iter().sum::<f64>() * dt;
            let shortfall = (s.need - energy).max(0.0);
            let capped = s.capped_need(dt);
            if capped > SHORTFALL_KWH {
                min_fraction = min_fraction.min((energy / capped).min(1.0));
            }
            let last = xs.iter().rposition(|&v| v > 0.0);
            let completion = last.map(|j| at(problem.start, problem.slot_minutes, s.lo + j + 1));
            let reason = (shortfall > SHORTFALL_KWH).then(|| self_reason(inst, &load, problem, i));
            total += energy;
            short += shortfall;
            sessions.push(SessionPlan {
                id: problem.sessions[i].id.clone(),
                power_kw: power,
                energy_kwh: energy,
                shortfall_kwh: shortfall,
                completion,
                shortfall_reason: reason,
            });
        }
        let peak = site.iter().copied().fold(0.0, f64::max);
        Plan {
            status: if repaired { "repaired" } else { "optimal" }.to_owned(),
            start: problem.start,
            slot_minutes: problem.slot_minutes,
            horizon_slots: h,
            sessions,
            circuits: problem
                .circuits
                .iter()
                .zip(load)
                .map(|(c, l)| CircuitLoad {
                    id: c.id.clone(),
                    load_kw: l,
                })
                .collect(),
            energy_kwh: total,
            shortfall_kwh: short,
            min_fraction_met: min_fraction,
            energy_cost,
            demand_charge: inst.demand_charge * (peak - inst.billed_peak).max(0.0),
            peak_kw: peak,
            stats,
        }
    }
}

/// Why session `i` falls short: its window is too short for its max power, or the circuit on
/// its path that is full in most of its window (with when), or its power steps / min current.
fn self_reason(inst: &Instance, load: &[Vec<f64>], problem: &Problem, i: usize) -> String {
    let s = &inst.sessions[i];
    let dt = inst.dt;
    if s.alone_kwh(dt) < s.need - SHORTFALL_KWH {
        return format!(
            "window too short for max power: at most {:.3} kWh at {} kW over {} slots",
            s.alone_kwh(dt),
            s.max_kw,
            s.hi - s.lo
        );
    }
    let mut best: Option<(usize, usize, usize, usize)> = None;
    for &k in &s.path {
        let c = &inst.circuits[k];
        let full: Vec<usize> = (s.lo..s.hi)
            .filter(|&t| load[k][t] >= c.cap[t] - FULL_KW)
            .collect();
        if let (Some(&first), Some(&last)) = (full.first(), full.last())
            && best.is_none_or(|b| full.len() > b.1)
        {
            best = Some((k, full.len(), first, last));
        }
    }
    match best {
        Some((k, n, first, last)) => format!(
            "circuit {} full from {} to {} ({n} of {} slots in the window)",
            problem.circuits[k].id,
            at(problem.start, problem.slot_minutes, first).to_rfc3339(),
            at(problem.start, problem.slot_minutes, last + 1).to_rfc3339(),
            s.hi - s.lo
        ),
        None if !s.steps.is_empty() || s.min_kw > 0.0 => {
            "minimum current or power steps leave the remaining headroom unusable".to_owned()
        }
        None => "site peak kept at the plan's peak to avoid demand charges".to_owned(),
    }
}
