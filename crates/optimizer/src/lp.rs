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
/// pivots in the warm-started stages) and on 50 synthetic sessions (≈ 3.9k columns), slower at
/// 1000 sessions (≈ 71k). Later stages are warm-started, where HiGHS skips presolve anyway.
const PRESOLVE_MIN_COLUMNS: usize = 10_000;

/// Column bookkeeping shared by the stages.
struct Cols {
    /// First column of each session's window.
    offset: Vec<usize>,
    /// All power columns.
    x: Vec<Col>,
    /// Slot index of each power column.
    slot: Vec<usize>,
    /// Site load column per slot (`Σ p = L`), when the model has them: with a single root
    /// circuit (its cap becomes `L`'s bound) or a demand charge. They keep the site-wide rows of
    /// later stages (energy, cost, peak) sparse.
    site: Vec<Option<Col>>,
}

impl Cols {
    /// `Σ p·dt` as row terms: over the site load columns when present, else over all powers.
    fn energy_terms(&self, dt: f64) -> Vec<(Col, f64)> {
        if self.site.iter().any(Option::is_some) {
            self.site.iter().flatten().map(|&c| (c, dt)).collect()
        } else {
            self.x.iter().map(|&c| (c, dt)).collect()
        }
    }
}

/// Solves a model, returning it and the column values when the solve was optimal, and
/// records the time since `since` in `times`.
fn run(model: Model, since: &mut Instant, times: &mut Vec<f64>) -> (SolvedModel, Option<Vec<f64>>) {
    let solved = model.solve();
    let ok = solved.status() == HighsModelStatus::Optimal;
    let cols = ok.then(|| solved.get_solution().columns().to_vec());
    times.push(since.elapsed().as_secs_f64() * 1e3);
    *since = Instant::now();
    (solved, cols)
}

/// Builds the stage-1 model: power columns inside windows, energy rows, circuit cap rows.
fn build(inst: &Instance) -> (RowProblem, Cols) {
    let dt = inst.dt;
    let mut pb = RowProblem::default();
    let mut cols = Cols {
        offset: Vec::with_capacity(inst.sessions.len()),
        x: Vec::new(),
        slot: Vec::new(),
        site: Vec::new(),
    };
    // Members of each (circuit, slot) row and the most they can draw together.
    let nc = inst.circuits.len();
    let h = inst.horizon;
    let mut members: Vec<Vec<(Col, f64)>> = vec![Vec::new(); nc * h];
    let mut reach = vec![0.0; nc * h];
    let mut by_slot: Vec<Vec<(Col, f64)>> = vec![Vec::new(); h];
    let roots: Vec<usize> = (0..nc)
        .filter(|&k| inst.circuits[k].parent.is_none())
        .collect();
    let single = (roots.len() == 1).then(|| roots[0]);
    let use_site = single.is_some() || inst.demand_charge > 0.0;
    for (i, s) in inst.sessions.iter().enumerate() {
        cols.offset.push(cols.x.len());
        let ub = if s.max_kw > 0.0 && s.need > 0.0 {
            s.max_kw
        } else {
            0.0
        };
        for t in s.lo..s.hi {
            let c = pb.add_column(dt, 0.0..=ub);
            cols.x.push(c);
            cols.slot.push(t);
            by_slot[t].push((c, 1.0));
            for &k in &s.path {
                members[k * h + t].push((c, 1.0));
                reach[k * h + t] += ub;
            }
        }
        let window = &cols.x[cols.offset[i]..];
        if s.need < s.alone_kwh(dt) && !window.is_empty() {
            pb.add_row(..=s.need, window.iter().map(|&c| (c, dt)));
        }
    }
    for (k, c) in inst.circuits.iter().enumerate() {
        if use_site && single == Some(k) {
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
    if use_site {
        for (t, row) in by_slot.into_iter().enumerate() {
            if row.is_empty() {
                cols.site.push(None);
                continue;
            }
            let ub = single.map_or(f64::INFINITY, |k| {
                (inst.circuits[k].cap[t] - inst.circuits[k].fixed_subtree[t]).max(0.0)
            });
            let l = pb.add_column(0.0, 0.0..=ub);
            pb.add_row(0.0..=0.0, row.into_iter().chain([(l, -1.0)]));
            cols.site.push(Some(l));
        }
    }
    (pb, cols)
}

/// Solves all stages. Never fails: a stage that does not solve keeps the previous optimum.
pub(crate) fn solve(inst: &Instance) -> LpPlan {
    let dt = inst.dt;
    let mut since = Instant::now();
    let mut times = Vec::with_capacity(4);
    let (mut pb, cols) = build(inst);
    let n = cols.x.len();
    // z: the smallest fraction met (stage 2); e: site peak above the billed peak (stage 3).
    let z = pb.add_column(0.0, 0.0..=0.0);
    let e = pb.add_column(0.0, 0.0..=0.0);
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
    let mut model = pb.optimise(Sense::Maximise);
    model.make_quiet();
    // No `threads` option: HiGHS keeps one global scheduler per process and refuses a run
    // asking for a different thread count than the first one did, which would break other HiGHS
    // users in the process (or this one). Its default is what every caller uses.
    if n <= PRESOLVE_MIN_COLUMNS {
        model.set_option("presolve", "off");
    }
    let mut stages = 1;
    let (solved, sol) = run(model, &mut since, &mut times);
    let Some(mut best) = sol else {
        return empty;
    };
    let mut model = Model::from(solved);
    let energy: f64 = best[..n].iter().sum::<f64>() * dt;
    // Carry the optimum over in the same terms as the row, so it holds at the current basis.
    let terms = cols.energy_terms(dt);
    let carried: f64 = terms.iter().map(|&(c, w)| w * best[c.index()]).sum();
    model.add_row(carried - tol(carried).., terms);

    // Stage 2: max-min fraction of capped need, only when some capped need is not met.
    let capped: Vec<f64> = inst.sessions.iter().map(|s| s.capped_need(dt)).collect();
    let total_capped: f64 = capped.iter().sum();
    if energy < total_capped - tol(total_capped) {
        for (i, s) in inst.sessions.iter().enumerate() {
            if capped[i] > ABS_TOL {
                let w = &cols.x[cols.offset[i]..cols.offset[i] + (s.hi - s.lo)];
                let row = w.iter().map(|&c| (c, dt)).chain([(z, -capped[i])]);
                model.add_row(0.0.., row);
            }
        }
        for &c in &cols.x {
            model.change_column_cost(c, 0.0);
        }
        model.change_column_cost(z, 1.0);
        model.change_column_bounds(z, 0.0..=1.0);
        stages += 1;
        let (solved, sol) = run(model, &mut since, &mut times);
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

    // Stage 3: energy cost plus demand charge, unless cost is fixed by the energy already.
    let flat = inst.price.windows(2).all(|w| w[0] == w[1]);
    model.set_sense(Sense::Minimise);
    let base = inst.site_fixed.iter().copied().fold(0.0, f64::max);
    let e_min = (base - inst.billed_peak).max(0.0);
    if !flat || inst.demand_charge > 0.0 {
        // Cost terms over the site load columns when present (sparse), else over all powers.
        // With flat prices the energy cost is fixed by stage 1, so only the demand charge
        // term is optimized (and carried over as a bound on `e` rather than a row).
        let mut cost: Vec<(Col, f64)> = if flat {
            for &c in &cols.x {
                model.change_column_cost(c, 0.0);
            }
            Vec::new()
        } else if cols.site.iter().any(Option::is_some) {
            for &c in &cols.x {
                model.change_column_cost(c, 0.0);
            }
            (0..inst.horizon)
                .filter_map(|t| cols.site[t].map(|l| (l, inst.price[t] * dt)))
                .collect()
        } else {
            (0..n)
                .map(|j| (cols.x[j], inst.price[cols.slot[j]] * dt))
                .collect()
        };
        if inst.demand_charge > 0.0 {
            // A demand charge implies site load columns (see `build`).
            for (t, l) in cols.site.iter().enumerate() {
                if let Some(l) = *l {
                    let rhs = inst.billed_peak - inst.site_fixed[t];
                    model.add_row(..=rhs, [(l, 1.0), (e, -1.0)]);
                }
            }
            model.change_column_bounds(e, e_min..);
            cost.push((e, inst.demand_charge));
        }
        for &(c, w) in &cost {
            model.change_column_cost(c, w);
        }
        stages += 1;
        let (solved, sol) = run(model, &mut since, &mut times);
        model = Model::from(solved);
        if let Some(v) = sol {
            let c3: f64 = cost.iter().map(|&(c, w)| w * v[c.index()]).sum();
            if flat {
                let top = v[e.index()];
                model.change_column_bounds(e, e_min..=(top + tol(top)).max(e_min));
            } else {
                model.add_row(..=c3 + tol(c3), cost.iter().copied());
            }
            best = v;
        }
        for &(c, _) in &cost {
            model.change_column_cost(c, 0.0);
        }
    }

    // Stage 4: earliest delivery. Every kWh is rewarded, earlier ones more (weight `t - T`,
    // negative), so this stage never trades energy of earlier stages away within tolerance.
    for j in 0..n {
        let w = (cols.slot[j] as f64 - inst.horizon as f64) * dt;
        model.change_column_cost(cols.x[j], w);
    }
    stages += 1;
    let constraints = model.num_rows();
    let (_, sol) = run(model, &mut since, &mut times);
    if let Some(v) = sol {
        best = v;
    }
    let x = inst
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| best[cols.offset[i]..cols.offset[i] + (s.hi - s.lo)].to_vec())
        .collect();
    LpPlan {
        x,
        variables: n + 2 + cols.site.iter().flatten().count(),
        constraints,
        stages_solved: stages,
        stage_ms: times,
    }
}
