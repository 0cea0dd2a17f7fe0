//! The staged, warm-started model reaches the same optima in stages 1–3 (energy, fairness,
//! cost) as the naive reference formulation (fresh good_lp model per stage, every slot a
//! variable) kept with the benchmarks.

use chargeplan_optimizer::optimize;
use proptest::prelude::*;

use super::common::check_plan;
use super::properties::any_problem;

#[path = "../../../../benches/optimizer/naive.rs"]
#[expect(
    dead_code,
    reason = "shared with the benches, which use the rest of it"
)]
mod naive;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn energy_fairness_and_cost_optima_match_the_naive_formulation(p in any_problem(false)) {
        let plan = optimize(&p).expect("generated problems are valid");
        prop_assert!(check_plan(&p, &plan).is_ok(), "{:?}", check_plan(&p, &plan));
        // The fresh-model reference itself rarely (≈ 1 case in 1000) fails its last stage by
        // round-off; such cases say nothing about the staged model and are skipped.
        let reference = naive::try_solve(&p);
        prop_assume!(reference.is_some());
        let reference = reference.expect("checked above");
        let close = |a: f64, b: f64, rel: f64| (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0);
        prop_assert!(close(plan.energy_kwh, reference.energy_kwh, 1e-6),
            "energy {} vs {}", plan.energy_kwh, reference.energy_kwh);
        prop_assert!(close(plan.min_fraction_met, reference.min_fraction, 1e-5),
            "min fraction {} vs {}", plan.min_fraction_met, reference.min_fraction);
        let cost = plan.energy_cost + plan.demand_charge;
        prop_assert!(close(cost, reference.cost, 1e-4), "cost {cost} vs {}", reference.cost);
        // Stage 4 (earliest delivery) is not compared: the reference needs a widened cost
        // bound (up to 0.1 %) to solve it from scratch, which lets it deliver slightly earlier.
    }
}
