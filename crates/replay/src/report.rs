//! The replay's report: one JSON object per policy with the field names, and a
//! table for people.

use serde::Serialize;

/// One policy's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PolicyReport {
    pub policy: String,
    pub info: String,
    pub battery: String,
    pub pilots: String,
    pub cap_kw: f64,
    pub from: String,
    pub to: String,
    pub sessions: usize,
    /// What the drivers needed as the server was told (`perfect`: what the cars took).
    pub energy_requested_kwh: f64,
    pub energy_delivered_kwh: f64,
    /// Delivered over the hindsight optimum's energy (car-limited).
    pub fraction_of_hindsight: f64,
    /// Sessions that got at least 99 % of min(need as told, what the car took).
    pub sessions_fully_served: usize,
    /// Highest slot-average site power, kW.
    pub peak_kw: f64,
    pub energy_cost: f64,
    pub demand_charge: f64,
    /// Slot × circuit pairs whose average drawn power was above the cap.
    pub cap_violations: u64,
    pub cap_violation_kwh: f64,
    pub solves: usize,
    pub solve_ms_p50: f64,
    pub solve_ms_p99: f64,
    pub wall_s: f64,
    /// Re-plans whose limits the worst-case check held back (added field).
    pub held_back: usize,
    /// Median and 90th percentile of the churn between consecutive plans: the energy moved
    /// over the energy the previous plan promised from the re-plan on (added fields).
    pub plan_churn_p50: f64,
    pub plan_churn_p90: f64,
    /// Sessions whose next 15 minutes a re-plan cut by more than half, in all re-plans and
    /// in those with nothing new to plan for (added fields).
    pub promises_deferred: usize,
    pub promises_deferred_without_news: usize,
    /// The hindsight optimum's energy, kWh (added field).
    pub hindsight_kwh: f64,
    /// What the site drew per metering slot (slot start, kW), for `--plot`; not in the JSON.
    #[serde(skip)]
    pub site_load: Vec<(chrono::DateTime<chrono::Utc>, f64)>,
}

/// The `q` quantile (0–1) of `values`, nearest rank; 0 when empty.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The reports as a JSON array.
pub fn json(reports: &[PolicyReport]) -> String {
    serde_json::to_string_pretty(reports).unwrap_or_else(|_| "[]".to_owned())
}

/// A table, one line per policy.
pub fn table(reports: &[PolicyReport]) -> String {
    let mut out = String::new();
    if let Some(first) = reports.first() {
        out.push_str(&format!(
            "{} sessions, {} to {}, cap {:.1} kW, info {}, battery {}, pilots {}; hindsight {:.1} kWh\n",
            first.sessions,
            first.from,
            first.to,
            first.cap_kw,
            first.info,
            first.battery,
            first.pilots,
            first.hindsight_kwh
        ));
    }
    out.push_str(&format!(
        "{:<13} {:>10} {:>9} {:>7} {:>8} {:>9} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>6} {:>9}\n",
        "policy",
        "energy kWh",
        "of hind.",
        "served",
        "peak kW",
        "energy $",
        "demand $",
        "viol.",
        "solves",
        "p50 ms",
        "p99 ms",
        "wall s",
        "churn",
        "deferred"
    ));
    for r in reports {
        out.push_str(&format!(
            "{:<13} {:>10.1} {:>8.1}% {:>7} {:>8.1} {:>9.2} {:>9.2} {:>6} {:>7} {:>7.1} {:>7.1} {:>7.1} {:>5.0}% {:>9}\n",
            r.policy,
            r.energy_delivered_kwh,
            100.0 * r.fraction_of_hindsight,
            r.sessions_fully_served,
            r.peak_kw,
            r.energy_cost,
            r.demand_charge,
            r.cap_violations,
            r.solves,
            r.solve_ms_p50,
            r.solve_ms_p99,
            r.wall_s,
            100.0 * r.plan_churn_p50,
            r.promises_deferred
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((quantile(&values, 0.5) - 50.0).abs() < 1e-9);
        assert!((quantile(&values, 0.99) - 99.0).abs() < 1e-9);
        assert!(quantile(&[], 0.5).abs() < 1e-9);
    }
}
