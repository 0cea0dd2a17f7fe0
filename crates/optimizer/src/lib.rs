//! Crate root: the public entry points; the crate documentation is README.md, included below.
#![doc = include_str!("../README.md")]

mod error;
mod instance;
mod lp;
mod plan;
mod problem;
mod repair;
mod steady;
pub mod synth;

use std::time::Instant;

pub use error::ProblemError;
pub use problem::{Circuit, CircuitLoad, Plan, Problem, Session, SessionPlan, Stats, Tariff};

use instance::Instance;

/// Plans `problem`: staged LP, steadier split among sessions on the same circuit path, exact
/// cap-safety pass, min-current / step repair.
///
/// # Errors
/// [`ProblemError`] naming the offending field when the problem is invalid.
pub fn optimize(problem: &Problem) -> Result<Plan, ProblemError> {
    let started = Instant::now();
    let inst = Instance::new(problem)?;
    let lp = lp::solve(&inst);
    let mut x = lp.x;
    steady::steady(&inst, &mut x);
    repair::make_safe(&inst, &mut x);
    let continuous: f64 = x.iter().flatten().sum::<f64>() * inst.dt;
    let continuous_fraction = inst
        .sessions
        .iter()
        .zip(&x)
        .filter(|(s, _)| s.capped_need(inst.dt) > 1e-6)
        .map(|(s, xs)| (xs.iter().sum::<f64>() * inst.dt / s.capped_need(inst.dt)).min(1.0))
        .fold(1.0, f64::min);
    let repaired = repair::repair(&inst, &mut x);
    let stats = Stats {
        solve_ms: 0.0,
        variables: lp.variables,
        constraints: lp.constraints,
        stages_solved: lp.stages_solved,
        stage_ms: lp.stage_ms,
        continuous_energy_kwh: continuous,
        continuous_min_fraction_met: continuous_fraction,
    };
    let mut plan = plan::Assembly {
        inst: &inst,
        problem,
        x: &x,
        repaired,
        stats,
    }
    .plan();
    plan.stats.solve_ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(plan)
}

/// The hindsight optimum: the same model over the whole horizon to the latest departure (at
/// most 24 h) with every session's arrival known, so no power is planned before `arrival`.
/// The yardstick for replays.
///
/// # Errors
/// As [`optimize`].
pub fn hindsight(problem: &Problem) -> Result<Plan, ProblemError> {
    let mut p = problem.clone();
    p.horizon_slots = None;
    optimize(&p)
}

/// Parses a problem from JSON, plans it and returns the plan as pretty JSON.
///
/// # Errors
/// [`ProblemError`] naming the offending field when the JSON or the problem is invalid.
pub fn run_optimize_json(input: &str) -> Result<String, ProblemError> {
    let problem: Problem =
        serde_json::from_str(input).map_err(|e| ProblemError::Json(e.to_string()))?;
    let plan = optimize(&problem)?;
    serde_json::to_string_pretty(&plan).map_err(|e| ProblemError::Json(e.to_string()))
}
