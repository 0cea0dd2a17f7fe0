//! The staged LP: one HiGHS model, re-solved with a warm start for each lexicographic stage.
//!
//! Stage 1 maximizes energy; stage 2 maximizes the smallest fraction of capped need met;
//! stage 3 minimizes energy cost plus demand charge; stage 4 minimizes energy-weighted delivery
//! time. Each stage keeps the previous optimum as a constraint relaxed by a tiny tolerance;
//! caps are hard rows in every stage and are never relaxed.

use std::time::Instant;

use highs::{Col, HighsModelStatus, Model, RowProblem, Sense, SolvedModel};

use crate::instance::Instance;

/// Relative tolerance when an optimum is carried over as a constraint to the next stage.
const REL_TOL: f64 = 1e-9;
/// Absolute tolerance added to [`REL_TOL`] (kWh, fraction or currency units).
const ABS_TOL: f64 = 1e-9;

/// The continuous plan of the LP.
#[derive(Debug, Clone)]
pub(crate) struct LpPlan {
    /// Power per session per slot of its window (index `t - lo`), kW.
    pub x: Vec<Vec<f64>>,
    /// LP columns.
    pub variables: usize,
    /// LP rows in the last stage.
    pub constraints: usize,
    /// Stages solved.
    pub stages_solved: usize,
    /// Wall time of each solved stage (model build included in the first), ms.
    pub stage_ms: Vec<f64>,
}

/// Tolerance for carrying the optimum `v` into the next stage.
fn tol(v: f64) -> f64 {
    REL_TOL * v.abs().max(1.0) + ABS_TOL
}

/// Below this many power columns stage 1 is solved without presolve: measured faster on the
/// Caltech snapshots (≈ 1.4k columns: 21–24 ms vs 28–31 ms for the whole solve, with fewer
/// pivots in the warm-started stages; with the current model 204 vs 320 million instructions
/// for both snapshots under callgrind) and on 50 synthetic sessions (≈ 3.9k columns), slower
/// at 1000 sessions (≈ 71k). Later stages are warm-started, where HiGHS skips presolve anyway.
const PRESOLVE_MIN_COLUMNS: usize = 10_000;

/// The model of every stage, built once: the rows of all stages are in it from the start
/// (except the carried-over cost row with time-of-use prices), and the stages only change
/// column bounds and costs. HiGHS adds a row to its column-wise matrix by rewriting the whole
/// matrix, which cost about a tenth of the Caltech solve when the fairness and peak rows were
/// added stage by stage; the objectives of stages 1 and 4 are likewise on `energy` and on the
/// site load columns instead of every power column (one cost change each instead of ≈ 1.5k).
struct Built {
    /// The problem, as built (stage-1 objective: maximize `energy`).
    pb: RowProblem,
    /// First column of each session's window.
    offset: Vec<usize>,
    /// All power columns.
    x: Vec<Col>,
    /// Site load column `L_t = Σ p[·,t]` for each slot with a power column (slot, column).
    site: Vec<(usize, Col)>,
    /// The smallest fraction met (stage 2), fixed at 0 until then; its rows
    /// `Σ_t p[i,t]·dt − capped_i·z ≥ 0` are always in the model (slack while `z = 0`).
    z: Col,
    /// Total energy `Σ L·dt`, bounded below by the stage-1 optimum from stage 2 on.
    energy: Col,
    /// Site peak above the billed peak, with rows `L_t − e ≤ billed − fixed_t`; fixed at a value
    /// that leaves these rows slack until stage 3. `None` without a demand charge, or when no
    /// plan can reach the billed peak (then the demand charge is fixed by the fixed load).
    excess: Option<Col>,
}

/// The most by which stage 4 prefers an earlier-leaving session's kWh in the same slot.
const TIE_BREAK: f64 = 0.01;

/// Each session's rank by departure, from 1 (leaves first) down to 0 (leaves last); equal
/// departures keep the sessions' order.
fn departure_order(inst: &Instance) -> Vec<f64> {
    let n = inst.sessions.len();
    let mut by_departure: Vec<usize> = (0..n).collect();
    by_departure.sort_by_key(|&i| inst.sessions[i].hi);
    let mut order = vec![0.0; n];
    for (rank, &i) in by_departure.iter().enumerate() {
        order[i] = if n > 1 {
            1.0 - rank as f64 / (n - 1) as f64
        } else {
            1.0
        };
    }
    order
}

/// HiGHS `simplex_strategy`: dual simplex.
const DUAL: i32 = 1;
/// HiGHS `simplex_strategy`: primal simplex.
const PRIMAL: i32 = 4;

/// Solves a model with the given simplex strategy (HiGHS's choice when `None`), returning it
/// and the column values when the solve was optimal, and records the time since `since` in
/// `times`.
///
/// Stages 2 and 4 only change the objective and relax nothing the previous optimum violates, so
/// that optimum stays primal feasible and primal simplex goes on from it (Caltech 150 kW:
/// stage 2 in 7 pivots instead of 249, stage 4 in 53 instead of 191; 50 synthetic sessions:
/// 36 % fewer instructions in all). Stage 3 frees the peak excess `e` from its parking value,
/// where dual simplex was faster (Caltech 150 kW: 283 pivots vs 771).
fn run(
    mut model: Model,
    strategy: Option<i32>,
    since: &mut Instant,
    times: &mut Vec<f64>,
) -> (SolvedModel, Option<Vec<f64>>) {
    if let Some(s) = strategy {
        model.set_option("simplex_strategy", s);
    }
    let solved = model.solve();
    let ok = solved.status() == HighsModelStatus::Optimal;
    let cols = ok.then(|| solved.get_solution().columns().to_vec());
    times.push(since.elapsed().as_secs_f64() * 1e3);
    *since = Instant::now();
    (solved, cols)
}

/// Builds the model of all stages (see [`Built`]).
fn build(inst: &Instance) -> Built {
    let dt = inst.dt;
    let mut pb = RowProblem::default();
    let mut offset = Vec::with_capacity(inst.sessions.len());
    let mut x = Vec::new();
    // Members of each (circuit, slot) row and the most they can draw together.
    let nc = inst.circuits.len();
    let h = inst.horizon;
    let mut members: Vec<Vec<(Col, f64)>> = vec![Vec::new(); nc * h];
    let mut reach = vec![0.0; nc * h];
    let mut by_slot: Vec<Vec<(Col, f64)>> = vec![Vec::new(); h];
    let mut site_reach = vec![0.0; h];
    let roots: Vec<usize> = (0..nc)
        .filter(|&k| inst.circuits[k].parent.is_none())
        .collect();
    let single = (roots.len() == 1).then(|| roots[0]);
    for s in &inst.sessions {
        offset.push(x.len());
        let ub = if s.max_kw > 0.0 && s.need > 0.0 {
            s.max_kw
        } else {
            0.0
        };
        for t in s.lo..s.hi {
            let c = pb.add_column(0.0, 0.0..=ub);
            x.push(c);
            by_slot[t].push((c, 1.0));
            site_reach[t] += ub;
            for &k in &s.path {
                members[k * h + t].push((c, 1.0));
                reach[k * h + t] += ub;
            }
        }
    }
    let z = pb.add_column(0.0, 0.0..=0.0);
    for (i, s) in inst.sessions.iter().enumerate() {
        let window = &x[offset[i]..offset[i] + (s.hi - s.lo)];
        if s.need < s.alone_kwh(dt) && !window.is_empty() {
            pb.add_row(..=s.need, window.iter().map(|&c| (c, dt)));
        }
        let capped = s.capped_need(dt);
        if capped > ABS_TOL {
            let row = window.iter().map(|&c| (c, dt)).chain([(z, -capped)]);
            pb.add_row(0.0.., row);
        }
    }
    for (k, c) in inst.circuits.iter().enumerate() {
        if single == Some(k) {
            continue;
        }
        for t in 0..h {
            let rhs = (c.cap[t] - c.fixed_subtree[t]).max(0.0);
            let row = &members[k * h + t];
            if !row.is_empty() && reach[k * h + t] > rhs {
                pb.add_row(..=rhs, row.iter().copied());
            }
        }
    }
    let mut site = Vec::new();
    for (t, row) in by_slot.into_iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        let ub = single.map_or(f64::INFINITY, |k| {
            (inst.circuits[k].cap[t] - inst.circuits[k].fixed_subtree[t]).max(0.0)
        });
        site_reach[t] = site_reach[t].min(ub);
        let l = pb.add_column(0.0, 0.0..=ub);
        pb.add_row(0.0..=0.0, row.into_iter().chain([(l, -1.0)]));
        site.push((t, l));
    }
    // The stage-1 objective: measured 11 % fewer instructions on Caltech than the same
    // objective on the site load columns.
    let energy = pb.add_column(1.0, 0.0..);
    pb.add_row(
        0.0..=0.0,
        site.iter().map(|&(_, l)| (l, dt)).chain([(energy, -1.0)]),
    );
    // The demand charge is fixed when no plan can lift the site load above both the billed
    // peak and the fixed load's own peak; else `e` is parked above the most any slot can need
    // (every peak row slack) until stage 3.
    let base = inst
        .site_fixed
        .iter()
        .copied()
        .fold(inst.billed_peak, f64::max);
    let lift = site
        .iter()
        .map(|&(t, _)| site_reach[t] + inst.site_fixed[t] - inst.billed_peak)
        .fold(0.0, f64::max);
    let excess = (inst.demand_charge > 0.0
        && site
            .iter()
            .any(|&(t, _)| site_reach[t] + inst.site_fixed[t] > base))
    .then(|| {
        let park = lift + 1.0;
        let e = pb.add_column(0.0, park..=park);
        for &(t, l) in &site {
            pb.add_row(
                ..=inst.billed_peak - inst.site_fixed[t],
                [(l, 1.0), (e, -1.0)],
            );
        }
        e
    });
    Built {
        pb,
        offset,
        x,
        site,
        z,
        energy,
        excess,
    }
}

/// Solves all stages. Never fails: a stage that does not solve keeps the previous optimum.
pub(crate) fn solve(inst: &Instance) -> LpPlan {
    let dt = inst.dt;
    let mut since = Instant::now();
    let mut times = Vec::with_capacity(4);
    let flat = inst.price.windows(2).all(|w| w[0] == w[1]);
    let Built {
        pb,
        offset,
        x,
        site,
        z,
        energy,
        excess,
    } = build(inst);
    let n = x.len();
    let empty = LpPlan {
        x: inst
            .sessions
            .iter()
            .map(|s| vec![0.0; s.hi - s.lo])
            .collect(),
        variables: pb.num_cols(),
        constraints: pb.num_rows(),
        stages_solved: 0,
        stage_ms: Vec::new(),
    };
    if n == 0 {
        return empty;
    }
    let variables = pb.num_cols();
    let mut model = pb.optimise(Sense::Maximise);
    model.make_quiet();
    // No `threads` option: HiGHS keeps one global scheduler per process and refuses a run
    // asking for a different thread count than the first one did, which would break other HiGHS
    // users in the process (or this one). Its default is what every caller uses.
    if n <= PRESOLVE_MIN_COLUMNS {
        model.set_option("presolve", "off");
    }
    let mut stages = 1;
    let (solved, sol) = run(model, None, &mut since, &mut times);
    let Some(mut best) = sol else {
        return empty;
    };
    let mut model = Model::from(solved);
    let delivered: f64 = best[..n].iter().sum::<f64>() * dt;
    // Carry the optimum over as the column's value, so it holds at the current basis.
    let e1 = best[energy.index()];
    model.change_column_bounds(energy, e1 - tol(e1)..);
    model.change_column_cost(energy, 0.0);

    // Stage 2: max-min fraction of capped need, only when some capped need is not met.
    let total_capped: f64 = inst.sessions.iter().map(|s| s.capped_need(dt)).sum();
    if delivered < total_capped - tol(total_capped) {
        model.change_column_cost(z, 1.0);
        model.change_column_bounds(z, 0.0..=1.0);
        stages += 1;
        let (solved, sol) = run(model, Some(PRIMAL), &mut since, &mut times);
        model = Model::from(solved);
        let zs = match sol {
            Some(v) => {
                let zs = v[z.index()];
                best = v;
                zs
            }
            None => 0.0,
        };
        model.change_column_cost(z, 0.0);
        model.change_column_bounds(z, (zs - tol(zs)).max(0.0)..=1.0);
    }

    // Stage 3: energy cost plus demand charge, unless both are fixed already: flat prices
    // (the energy cost is then fixed by stage 1) and no plan reaching the billed peak.
    model.set_sense(Sense::Minimise);
    let e_min = (inst.site_fixed.iter().copied().fold(0.0, f64::max) - inst.billed_peak).max(0.0);
    if let Some(e) = excess {
        model.change_column_bounds(e, e_min..);
    }
    // The objective: with flat prices the demand charge term alone (the energy cost is then
    // fixed by stage 1), else energy cost and demand charge, on the site load columns and `e`.
    let terms: Vec<(Col, f64)> = if flat {
        excess
            .map(|e| (e, inst.demand_charge))
            .into_iter()
            .collect()
    } else {
        site.iter()
            .map(|&(t, l)| (l, inst.price[t] * dt))
            .chain(excess.map(|e| (e, inst.demand_charge)))
            .collect()
    };
    if !terms.is_empty() {
        for &(c, w) in &terms {
            model.change_column_cost(c, w);
        }
        stages += 1;
        let (solved, sol) = run(model, Some(DUAL), &mut since, &mut times);
        model = Model::from(solved);
        if let Some(v) = sol {
            // Carried over as a bound on `e` with flat prices, else as one row. (A cost column
            // defined by a row from the start, bounded here, made stage 3 several times slower
            // on the synthetic instances: 4.6 s vs 1.3 s at n = 1000.)
            let top: f64 = terms.iter().map(|&(c, w)| w * v[c.index()]).sum();
            match excess.filter(|_| flat) {
                Some(e) => {
                    let top = v[e.index()];
                    model.change_column_bounds(e, e_min..=(top + tol(top)).max(e_min));
                }
                None => {
                    model.add_row(..=top + tol(top), terms.iter().copied());
                }
            }
            best = v;
        }
        for &(c, _) in &terms {
            model.change_column_cost(c, 0.0);
        }
    }

    // Stage 4: earliest delivery. Every kWh is rewarded, earlier ones more (weight `t - T`,
    // negative), so this stage never trades energy of earlier stages away within tolerance.
    // Between sessions that could take the same slot the LP's choice is otherwise arbitrary
    // (a vertex), and consecutive re-plans chose differently: a car was promised power "from
    // +7 min" plan after plan and never got it. A session leaving earlier is preferred by a
    // little (up to `TIE_BREAK`), so every plan breaks the tie the same way.
    let order = departure_order(inst);
    for (i, s) in inst.sessions.iter().enumerate() {
        let weight = 1.0 + TIE_BREAK * order[i];
        for (k, t) in (s.lo..s.hi).enumerate() {
            let c = x[offset[i] + k];
            model.change_column_cost(c, (t as f64 - inst.horizon as f64) * dt * weight);
        }
    }
    stages += 1;
    let constraints = model.num_rows();
    let (_, sol) = run(model, Some(PRIMAL), &mut since, &mut times);
    if let Some(v) = sol {
        best = v;
    }
    let x = inst
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| best[offset[i]..offset[i] + (s.hi - s.lo)].to_vec())
        .collect();
    LpPlan {
        x,
        variables,
        constraints,
        stages_solved: stages,
        stage_ms: times,
    }
}
