//! Measures the energy lost by the min-current repair on the bundled real-data fixtures.
//!
//! `cargo run --release -p chargeplan-optimizer --example repair_loss`

use chargeplan_optimizer::{Problem, optimize};

fn main() {
    for name in [
        "caltech_2019-06-14_1340_150kw.json",
        "caltech_2019-06-14_1340_30kw.json",
        "caltech_2019-06-14_day_30kw.json",
    ] {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture readable");
        let problem: Problem = serde_json::from_str(&text).expect("fixture parses");
        let plan = optimize(&problem).expect("fixture is valid");
        let continuous = plan.stats.continuous_energy_kwh;
        let lost = continuous - plan.energy_kwh;
        let zero = plan
            .sessions
            .iter()
            .filter(|s| s.energy_kwh == 0.0 && s.shortfall_kwh > 0.0)
            .count();
        println!(
            "{name}: sessions {}, continuous {continuous:.3} kWh, after repair {:.3} kWh, \
             lost {lost:.3} kWh ({:.3} %), min fraction met {:.3} (LP {:.3}), sessions left at zero \
             {zero}, \
             solve {:.1} ms, stages {}",
            plan.sessions.len(),
            plan.energy_kwh,
            100.0 * lost / continuous.max(1e-9),
            plan.min_fraction_met,
            plan.stats.continuous_min_fraction_met,
            plan.stats.solve_ms,
            plan.stats.stages_solved,
        );
    }
}
