//! Energy cost and demand charges under the site's tariff.

use chargeplan_core::Tariff;
use chrono_tz::Tz;

use crate::report::{CostSummary, Summary};
use crate::summary::round3;
use chargeplan_core::interval_energy::IntervalEnergy;

/// Prices the measured energy interval by interval at the price in force when each
/// interval starts, and both peaks at the tariff's demand charge rate.
pub(crate) fn cost(
    tariff: &Tariff,
    tz: Tz,
    measured: &IntervalEnergy,
    summary: &Summary,
) -> CostSummary {
    let energy_cost: f64 = measured
        .iter()
        .map(|(start, kwh)| kwh * tariff.price_at(tz, start))
        .sum();
    let rate = tariff.demand_charge_per_kw;
    let demand_charge = round3(summary.measured_peak_kw * rate);
    let counterfactual_demand_charge = round3(summary.counterfactual_peak_kw * rate);
    CostSummary {
        currency: tariff.currency.clone(),
        energy_cost: round3(energy_cost),
        demand_charge_per_kw: rate,
        demand_charge,
        counterfactual_demand_charge,
        demand_charge_saving: round3(counterfactual_demand_charge - demand_charge),
    }
}
