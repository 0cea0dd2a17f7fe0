//! The naive reference formulation: the same four-stage lexicographic model built the plain way
//! with good_lp, one variable for every session and every slot (bounded to 0 outside the
//! window), every stage a fresh model solved by HiGHS with its default options.

use chargeplan_optimizer::Problem;
use good_lp::solvers::highs::highs;
use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, variable,
};

/// What the naive model achieves, to compare with the fast one.
#[derive(Debug, Clone, Copy)]
pub struct NaiveResult {
    /// Stage 1 optimum, kWh.
    pub energy_kwh: f64,
    /// Stage 2 optimum: smallest fraction of capped need met.
    pub min_fraction: f64,
    /// Stage 3 optimum: energy cost plus demand charge.
    pub cost: f64,
    /// Σ slot index × energy (kWh·slots) of the stage-4 optimum: lower is earlier.
    pub moment: f64,
    /// Relative slack on the stage-3 cost bound with which stage 4 solved (see [`try_solve`]).
    pub cost_slack: f64,
}

/// Relative slacks on the stage-3 cost bound tried in turn by [`solve`] for stage 4.
pub const SLACKS: [f64; 4] = [1e-6, 1e-5, 1e-4, 1e-3];

/// Slot windows, caps and loads derived from the problem.
struct Data {
    /// Slots.
    h: usize,
    /// Slot hours.
    dt: f64,
    /// Per session: circuit path indices, max kW, need kWh, window.
    sessions: Vec<(Vec<usize>, f64, f64, usize, usize)>,
    /// Per circuit: cap minus subtree fixed load per slot.
    room: Vec<Vec<f64>>,
    /// Price per slot, demand charge, billed peak, site fixed load per slot.
    price: Vec<f64>,
    demand: f64,
    billed: f64,
    site_fixed: Vec<f64>,
}

/// Expands the problem (assumes it is valid and has `horizon_slots`).
fn data(p: &Problem) -> Data {
    let h = p.horizon_slots.unwrap_or(288);
    let dt = f64::from(p.slot_minutes) / 60.0;
    let idx = |id: &str| p.circuits.iter().position(|c| c.id == id).unwrap_or(0);
    let parent = |k: usize| p.circuits[k].parent.as_deref().map(idx);
    let path = |mut k: usize| {
        let mut v = vec![k];
        while let Some(q) = parent(k) {
            v.push(q);
            k = q;
        }
        v
    };
    let per_slot =
        |a: Option<&Vec<f64>>, s: f64, t: usize| a.and_then(|a| a.get(t).copied()).unwrap_or(s);
    let mut fixed = vec![vec![0.0; h]; p.circuits.len()];
    for (k, c) in p.circuits.iter().enumerate() {
        for q in path(k) {
            for (t, f) in fixed[q].iter_mut().enumerate() {
                *f += per_slot(
                    c.fixed_load_kw_by_slot.as_ref(),
                    c.fixed_load_kw.unwrap_or(0.0),
                    t,
                );
            }
        }
    }
    let room = p
        .circuits
        .iter()
        .enumerate()
        .map(|(k, c)| {
            (0..h)
                .map(|t| (per_slot(c.cap_kw_by_slot.as_ref(), c.cap_kw, t) - fixed[k][t]).max(0.0))
                .collect()
        })
        .collect();
    let site_fixed = (0..h)
        .map(|t| {
            (0..p.circuits.len())
                .filter(|&k| parent(k).is_none())
                .map(|k| fixed[k][t])
                .sum()
        })
        .collect();
    let len = i64::from(p.slot_minutes) * 60;
    let sessions = p
        .sessions
        .iter()
        .map(|s| {
            let a = s.arrival.map_or(0, |a| (a - p.start).num_seconds());
            let lo = usize::try_from((a + len - 1) / len).unwrap_or(0).min(h);
            let hi = usize::try_from((s.departure - p.start).num_seconds() / len)
                .unwrap_or(0)
                .min(h);
            (
                path(idx(&s.circuit)),
                s.max_kw,
                s.energy_kwh,
                lo,
                hi.max(lo),
            )
        })
        .collect();
    let tariff = p.tariff.as_ref();
    Data {
        h,
        dt,
        sessions,
        room,
        price: (0..h)
            .map(|t| {
                tariff.map_or(0.0, |tf| {
                    per_slot(
                        Some(&tf.energy_price_per_kwh_by_slot),
                        tf.energy_price_per_kwh
                            .or(tf.energy_price_per_kwh_by_slot.last().copied())
                            .unwrap_or(0.0),
                        t,
                    )
                })
            })
            .collect(),
        demand: tariff.map_or(0.0, |tf| tf.demand_charge_per_kw),
        billed: tariff.map_or(0.0, |tf| tf.billed_peak_kw),
        site_fixed,
    }
}

/// Objective of a stage.
#[derive(Clone, Copy)]
enum Stage {
    /// Max energy.
    Energy,
    /// Max min fraction.
    Fair,
    /// Min cost.
    Cost,
    /// Min delivery time.
    Early,
}

/// Builds and solves one stage from scratch, given the optima of the stages before it;
/// `None` when HiGHS finds no solution.
fn stage(
    d: &Data,
    stage: Stage,
    energy: f64,
    z_min: f64,
    cost_max: Option<f64>,
) -> Option<(f64, f64, f64, f64)> {
    let mut vars = ProblemVariables::new();
    let p: Vec<Vec<Variable>> = d
        .sessions
        .iter()
        .map(|&(_, max_kw, _, lo, hi)| {
            (0..d.h)
                .map(|t| {
                    vars.add(variable().min(0.0).max(if (lo..hi).contains(&t) {
                        max_kw
                    } else {
                        0.0
                    }))
                })
                .collect()
        })
        .collect();
    let z = vars.add(variable().min(0.0).max(1.0));
    let peak = vars.add(variable().min(0.0));
    let total: Expression = p.iter().flatten().map(|&v| d.dt * v).sum();
    let cost: Expression = p
        .iter()
        .flat_map(|row| row.iter().enumerate().map(|(t, &v)| d.price[t] * d.dt * v))
        .sum::<Expression>()
        + d.demand * peak;
    let early: Expression = p
        .iter()
        .flat_map(|row| {
            row.iter()
                .enumerate()
                .map(|(t, &v)| (t + 1) as f64 * d.dt * v)
        })
        .sum();
    let mut model = match stage {
        Stage::Energy => vars.maximise(total.clone()),
        Stage::Fair => vars.maximise(z),
        Stage::Cost => vars.minimise(cost.clone()),
        Stage::Early => vars.minimise(early),
    }
    .using(highs);
    for (row, &(_, _, need, _, _)) in p.iter().zip(&d.sessions) {
        let e: Expression = row.iter().map(|&v| d.dt * v).sum();
        model = model.with(constraint!(e <= need));
    }
    for (k, room) in d.room.iter().enumerate() {
        for (t, &r) in room.iter().enumerate() {
            let load: Expression = p
                .iter()
                .zip(&d.sessions)
                .filter(|(_, s)| s.0.contains(&k))
                .map(|(row, _)| row[t])
                .sum();
            model = model.with(constraint!(load <= r));
        }
    }
    for t in 0..d.h {
        let load: Expression = p.iter().map(|row| row[t]).sum();
        model = model.with(constraint!(load - peak <= d.billed - d.site_fixed[t]));
    }
    if !matches!(stage, Stage::Energy) {
        model = model.with(constraint!(total.clone() >= energy - 1e-6));
        for (row, &(_, max_kw, need, lo, hi)) in p.iter().zip(&d.sessions) {
            let capped = need.min(max_kw * d.dt * (hi - lo) as f64);
            if capped > 1e-6 {
                let e: Expression = row.iter().map(|&v| d.dt * v).sum();
                model = model.with(constraint!(e >= capped * z));
            }
        }
    }
    if matches!(stage, Stage::Cost | Stage::Early) {
        model = model.with(constraint!(z >= z_min - 1e-7));
    }
    if let (Stage::Early, Some(c)) = (stage, cost_max) {
        model = model.with(constraint!(cost.clone() <= c));
    }
    let sol = model.solve().ok()?;
    let moment = p
        .iter()
        .flat_map(|row| row.iter().enumerate())
        .map(|(t, &v)| t as f64 * d.dt * sol.value(v))
        .sum();
    Some((sol.eval(&total), sol.value(z), sol.eval(&cost), moment))
}

/// Solves all four stages the naive way.
///
/// # Panics
/// When a stage does not solve (see [`try_solve`]).
pub fn solve(p: &Problem) -> NaiveResult {
    try_solve(p, &SLACKS).expect("the naive model solves")
}

/// Solves all four stages the naive way; `None` when a stage finds no solution (fresh models
/// do not start from the previous solution, so a carried-over bound can be infeasible by solver
/// round-off; the stage-4 cost bound is relaxed by each of `slacks` in turn, relative to
/// `max(1, |cost|)`, before giving up).
pub fn try_solve(p: &Problem, slacks: &[f64]) -> Option<NaiveResult> {
    let d = data(p);
    let (energy, ..) = stage(&d, Stage::Energy, 0.0, 0.0, None)?;
    let (_, z, ..) = stage(&d, Stage::Fair, energy, 0.0, None)?;
    let (_, _, cost, _) = stage(&d, Stage::Cost, energy, z, None)?;
    let (moment, cost_slack) = slacks.iter().find_map(|&slack| {
        let bound = cost + slack * cost.abs().max(1.0);
        stage(&d, Stage::Early, energy, z, Some(bound)).map(|(.., moment)| (moment, slack))
    })?;
    Some(NaiveResult {
        energy_kwh: energy,
        min_fraction: z,
        cost,
        moment,
        cost_slack,
    })
}
