//! The research baselines as planners over the optimizer's own problem, so they go through
//! the same plan, worst-case check and profile rules as the optimizer: earliest deadline
//! first, least laxity first, and round-robin (an equal share under every cap). Each slot is
//! filled greedily in priority order (or by equal shares) under every circuit's cap, with the
//! J1772 rule that a session is off or at least its minimum power.

use chargeplan_optimizer as opt;
use chrono::Duration;

/// Float noise, kW or kWh.
const EPS: f64 = 1e-9;

/// Which baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// Equal shares, raised together until a car or a circuit is full.
    RoundRobin,
    /// Earliest departure first.
    Edf,
    /// Least laxity (time left minus the time the remaining need takes at full power) first.
    Llf,
}

/// The circuits of a problem as indices.
struct Tree {
    /// For each circuit, itself and its ancestors.
    up: Vec<Vec<usize>>,
    /// For each session, the ancestors (inclusive) of its circuit.
    of_session: Vec<Vec<usize>>,
}

impl Tree {
    fn new(problem: &opt::Problem) -> Self {
        let index = |id: &str| problem.circuits.iter().position(|c| c.id == id);
        let up: Vec<Vec<usize>> = (0..problem.circuits.len())
            .map(|mut c| {
                let mut chain = vec![c];
                while let Some(parent) = problem.circuits[c].parent.as_deref().and_then(index) {
                    if chain.contains(&parent) {
                        break;
                    }
                    chain.push(parent);
                    c = parent;
                }
                chain
            })
            .collect();
        let of_session = problem
            .sessions
            .iter()
            .map(|s| index(&s.circuit).map(|c| up[c].clone()).unwrap_or_default())
            .collect();
        Self { up, of_session }
    }
}

/// The number of slots planned: the problem's, or up to the latest departure.
fn horizon(problem: &opt::Problem) -> usize {
    problem.horizon_slots.unwrap_or_else(|| {
        let slot_s = i64::from(problem.slot_minutes) * 60;
        let last = problem
            .sessions
            .iter()
            .map(|s| s.departure)
            .max()
            .unwrap_or(problem.start);
        usize::try_from(((last - problem.start).num_seconds() + slot_s - 1) / slot_s)
            .unwrap_or(1)
            .max(1)
    })
}

/// Plans `problem` with `baseline`; the answer has the optimizer's shape.
#[expect(
    clippy::needless_range_loop,
    reason = "the slot index picks a column of every session's row and the slot's start"
)]
pub fn plan(problem: &opt::Problem, baseline: Baseline) -> opt::Plan {
    let slots = horizon(problem);
    let dt_h = f64::from(problem.slot_minutes) / 60.0;
    let slot = Duration::minutes(i64::from(problem.slot_minutes));
    let tree = Tree::new(problem);
    let n = problem.sessions.len();
    let mut power = vec![vec![0.0; slots]; n];
    let mut left: Vec<f64> = problem
        .sessions
        .iter()
        .map(|s| s.energy_kwh.max(0.0))
        .collect();
    for t in 0..slots {
        let begin = problem.start + slot * i32::try_from(t).unwrap_or(i32::MAX);
        let end = begin + slot;
        let mut headroom = headroom(problem, &tree, t);
        let active: Vec<usize> = (0..n)
            .filter(|&i| {
                let s = &problem.sessions[i];
                left[i] > EPS
                    && end <= s.departure
                    && s.arrival.is_none_or(|a| a <= begin)
                    && s.max_kw > EPS
            })
            .collect();
        let give = match baseline {
            Baseline::RoundRobin => equal_shares(problem, &tree, &active, &left, dt_h, &headroom),
            Baseline::Edf | Baseline::Llf => {
                let mut order = active.clone();
                let key = |i: usize| {
                    let s = &problem.sessions[i];
                    let hours_left = (s.departure - begin).num_seconds() as f64 / 3600.0;
                    match baseline {
                        Baseline::Edf => hours_left,
                        _ => hours_left - left[i] / s.max_kw,
                    }
                };
                order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
                greedy(problem, &tree, &order, &left, dt_h, &mut headroom)
            }
        };
        for (i, kw) in give {
            power[i][t] = kw;
            left[i] = (left[i] - kw * dt_h).max(0.0);
        }
    }
    assemble(problem, power, slots, dt_h, &tree)
}

/// Each circuit's room in slot `t`: its cap minus the fixed load of its whole subtree.
fn headroom(problem: &opt::Problem, tree: &Tree, t: usize) -> Vec<f64> {
    let mut room: Vec<f64> = problem
        .circuits
        .iter()
        .map(|c| {
            c.cap_kw_by_slot
                .as_ref()
                .and_then(|caps| caps.get(t).copied())
                .unwrap_or(c.cap_kw)
        })
        .collect();
    for (c, circuit) in problem.circuits.iter().enumerate() {
        let fixed = circuit
            .fixed_load_kw_by_slot
            .as_ref()
            .and_then(|l| l.get(t).copied())
            .or(circuit.fixed_load_kw)
            .unwrap_or(0.0);
        for &a in &tree.up[c] {
            room[a] -= fixed;
        }
    }
    room
}

/// The most session `i` may be given now: its maximum, what it still needs, and the room left
/// on every circuit above it; below its minimum power it gets nothing.
fn room_for(problem: &opt::Problem, tree: &Tree, i: usize, want_kw: f64, headroom: &[f64]) -> f64 {
    let s = &problem.sessions[i];
    let room = tree.of_session[i]
        .iter()
        .map(|&c| headroom[c])
        .fold(f64::INFINITY, f64::min);
    let mut kw = s.max_kw.min(want_kw).min(room).max(0.0);
    if let Some(min) = s.min_kw
        && kw < min - EPS
    {
        // Off or at least the minimum: the last bit of a need is charged at the minimum.
        kw = if room + EPS >= min && s.max_kw + EPS >= min {
            min
        } else {
            0.0
        };
    }
    kw
}

fn greedy(
    problem: &opt::Problem,
    tree: &Tree,
    order: &[usize],
    left: &[f64],
    dt_h: f64,
    headroom: &mut [f64],
) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for &i in order {
        let kw = room_for(problem, tree, i, left[i] / dt_h, headroom);
        if kw > EPS {
            for &c in &tree.of_session[i] {
                headroom[c] -= kw;
            }
            out.push((i, kw));
        }
    }
    out
}

/// Progressive filling: every active session's share rises together until it reaches what it
/// can take or a circuit above it is full. A share below a session's minimum cannot be given
/// (J1772: off or at least 6 A), so while some share is, the session that leaves latest sits
/// this slot out and the others share again — the turn it waits is the round-robin.
fn equal_shares(
    problem: &opt::Problem,
    tree: &Tree,
    active: &[usize],
    left: &[f64],
    dt_h: f64,
    headroom: &[f64],
) -> Vec<(usize, f64)> {
    let mut sharing = active.to_vec();
    loop {
        let shares = fill(problem, tree, &sharing, left, dt_h, headroom);
        let below: Vec<usize> = sharing
            .iter()
            .zip(&shares)
            .filter(|(i, kw)| {
                let min = problem.sessions[**i].min_kw.unwrap_or(0.0);
                **kw > EPS && **kw + EPS < min
            })
            .map(|(i, _)| *i)
            .collect();
        let Some(&out) = below.iter().max_by(|a, b| {
            let (da, db) = (
                problem.sessions[**a].departure,
                problem.sessions[**b].departure,
            );
            da.cmp(&db).then(a.cmp(b))
        }) else {
            return sharing
                .into_iter()
                .zip(shares)
                .filter(|(_, kw)| *kw > EPS)
                .collect();
        };
        sharing.retain(|i| *i != out);
    }
}

/// Equal shares of `sharing` under every circuit's room, each at most what it can take.
fn fill(
    problem: &opt::Problem,
    tree: &Tree,
    sharing: &[usize],
    left: &[f64],
    dt_h: f64,
    headroom: &[f64],
) -> Vec<f64> {
    let ub: Vec<f64> = sharing
        .iter()
        .map(|&i| problem.sessions[i].max_kw.min(left[i] / dt_h))
        .collect();
    let mut kw = vec![0.0; sharing.len()];
    let mut room = headroom.to_vec();
    let mut frozen: Vec<bool> = ub.iter().map(|u| *u <= EPS).collect();
    while frozen.iter().any(|f| !f) {
        let mut under = vec![0_usize; room.len()];
        for (k, &i) in sharing.iter().enumerate() {
            if !frozen[k] {
                for &c in &tree.of_session[i] {
                    under[c] += 1;
                }
            }
        }
        let mut step = f64::INFINITY;
        for (k, u) in ub.iter().enumerate() {
            if !frozen[k] {
                step = step.min(u - kw[k]);
            }
        }
        for (c, &count) in under.iter().enumerate() {
            if count > 0 {
                step = step.min(room[c].max(0.0) / count as f64);
            }
        }
        if !step.is_finite() {
            break;
        }
        for (k, &i) in sharing.iter().enumerate() {
            if !frozen[k] {
                kw[k] += step;
                for &c in &tree.of_session[i] {
                    room[c] -= step;
                }
            }
        }
        for (k, &i) in sharing.iter().enumerate() {
            let full = tree.of_session[i].iter().any(|&c| room[c] <= EPS);
            if kw[k] >= ub[k] - EPS || full {
                frozen[k] = true;
            }
        }
    }
    kw
}

/// The plan in the optimizer's shape, from the powers chosen.
fn assemble(
    problem: &opt::Problem,
    power: Vec<Vec<f64>>,
    slots: usize,
    dt_h: f64,
    tree: &Tree,
) -> opt::Plan {
    let slot = Duration::minutes(i64::from(problem.slot_minutes));
    let mut load = vec![vec![0.0; slots]; problem.circuits.len()];
    for (t, room) in (0..slots).map(|t| (t, headroom(problem, tree, t))) {
        for (c, circuit) in problem.circuits.iter().enumerate() {
            let cap = circuit
                .cap_kw_by_slot
                .as_ref()
                .and_then(|caps| caps.get(t).copied())
                .unwrap_or(circuit.cap_kw);
            load[c][t] = cap - room[c];
        }
    }
    let sessions: Vec<opt::SessionPlan> = problem
        .sessions
        .iter()
        .zip(power)
        .enumerate()
        .map(|(i, (s, power_kw))| {
            for (t, kw) in power_kw.iter().enumerate() {
                for &c in &tree.of_session[i] {
                    load[c][t] += kw;
                }
            }
            let energy_kwh: f64 = power_kw.iter().sum::<f64>() * dt_h;
            let completion = power_kw
                .iter()
                .rposition(|kw| *kw > EPS)
                .map(|t| problem.start + slot * i32::try_from(t + 1).unwrap_or(i32::MAX));
            opt::SessionPlan {
                id: s.id.clone(),
                power_kw,
                energy_kwh,
                shortfall_kwh: (s.energy_kwh - energy_kwh).max(0.0),
                completion,
                shortfall_reason: None,
            }
        })
        .collect();
    let energy_kwh = sessions.iter().map(|s| s.energy_kwh).sum();
    let shortfall_kwh = sessions.iter().map(|s| s.shortfall_kwh).sum();
    let peak_kw = problem
        .circuits
        .iter()
        .zip(&load)
        .filter(|(c, _)| c.parent.is_none())
        .map(|(_, l)| l.iter().copied().fold(0.0, f64::max))
        .sum();
    opt::Plan {
        status: "baseline".to_owned(),
        start: problem.start,
        slot_minutes: problem.slot_minutes,
        horizon_slots: slots,
        circuits: problem
            .circuits
            .iter()
            .zip(load)
            .map(|(c, load_kw)| opt::CircuitLoad {
                id: c.id.clone(),
                load_kw,
            })
            .collect(),
        sessions,
        energy_kwh,
        shortfall_kwh,
        min_fraction_met: 0.0,
        energy_cost: 0.0,
        demand_charge: 0.0,
        peak_kw,
        stats: opt::Stats {
            solve_ms: 0.0,
            variables: 0,
            constraints: 0,
            stages_solved: 0,
            stage_ms: Vec::new(),
            continuous_energy_kwh: energy_kwh,
            continuous_min_fraction_met: 0.0,
        },
    }
}

#[cfg(test)]
#[path = "baselines_tests.rs"]
mod tests;
