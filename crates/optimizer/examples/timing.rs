//! One timed solve of a synthetic instance: `cargo run --release --example timing -- 1000`.

use chargeplan_optimizer::{optimize, synth::synthetic};

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let slots = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(288);
    let p = synthetic(n, slots, 42);
    for _ in 0..2 {
        let plan = optimize(&p).expect("synthetic problems are valid");
        println!(
            "n={n} T={slots}: {:.1} ms, {} variables, {} rows, {} stages, energy {:.3} kWh \
             (continuous {:.3}), min fraction {:.4}, cost {:.2} + {:.2}, stages ms {:?}",
            plan.stats.solve_ms,
            plan.stats.variables,
            plan.stats.constraints,
            plan.stats.stages_solved,
            plan.energy_kwh,
            plan.stats.continuous_energy_kwh,
            plan.min_fraction_met,
            plan.energy_cost,
            plan.demand_charge,
            plan.stats.stage_ms,
        );
    }
}
