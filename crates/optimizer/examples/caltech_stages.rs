//! Stage statistics and timings of the Caltech snapshots:
//! `cargo run --release -p chargeplan-optimizer --example caltech_stages -- [repeats]`.

use chargeplan_optimizer::{Problem, optimize};

fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    for kw in [150, 30] {
        let path = format!(
            "{}/tests/fixtures/caltech_2019-06-14_1340_{kw}kw.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("fixture readable");
        let p: Problem = serde_json::from_str(&text).expect("fixture parses");
        let mut times = Vec::with_capacity(repeats);
        let mut last = None;
        for _ in 0..repeats {
            let plan = optimize(&p).expect("fixture is valid");
            times.push(plan.stats.solve_ms);
            last = Some(plan);
        }
        let Some(plan) = last else { continue };
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
        println!(
            "{kw} kW: mean {mean:.2} ms, min {:.2} ms, median {:.2} ms; {} columns, {} rows, \
             {} stages, stage ms {:.2?}; energy {:.6} (LP {:.6}), min fraction {:.6} (LP {:.6}), \
             cost {:.6} + {:.6}, status {}",
            times[0],
            times[times.len() / 2],
            plan.stats.variables,
            plan.stats.constraints,
            plan.stats.stages_solved,
            plan.stats.stage_ms,
            plan.energy_kwh,
            plan.stats.continuous_energy_kwh,
            plan.min_fraction_met,
            plan.stats.continuous_min_fraction_met,
            plan.energy_cost,
            plan.demand_charge,
            plan.status,
        );
    }
}
