//! The report's counts, energy totals and peaks.

use crate::fulfilment::RequestKind;
use crate::report::{SessionRow, Summary};
use chargeplan_core::interval_energy::IntervalEnergy;

/// Rounds to 3 decimals: a Wh, a W, a thousandth of a currency unit.
pub(crate) fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0 + 0.0
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
pub(crate) fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn count(rows: &[SessionRow], keep: impl Fn(&SessionRow) -> bool) -> u64 {
    rows.iter().filter(|r| keep(r)).count() as u64
}

pub(crate) fn summarize(
    rows: &[SessionRow],
    measured: &IntervalEnergy,
    counterfactual: &IntervalEnergy,
) -> Summary {
    let with_kwh: Vec<&SessionRow> = rows
        .iter()
        .filter(|r| r.request == RequestKind::Kwh)
        .collect();
    let requests_met = count(rows, |r| r.met == Some(true));
    let decided = with_kwh.iter().filter(|r| r.met.is_some()).count();
    let measured_peak = measured.peak();
    let counterfactual_peak = counterfactual.peak();
    let measured_peak_kw = round3(measured_peak.map_or(0.0, |p| p.kw));
    let counterfactual_peak_kw = round3(counterfactual_peak.map_or(0.0, |p| p.kw));
    Summary {
        sessions_count: rows.len() as u64,
        sessions_without_request: count(rows, |r| r.request == RequestKind::None),
        sessions_as_much_as_possible: count(rows, |r| r.request == RequestKind::AsMuchAsPossible),
        sessions_with_kwh_request: with_kwh.len() as u64,
        requested_kwh: round3(with_kwh.iter().filter_map(|r| r.requested_kwh).sum()),
        delivered_on_kwh_requests_kwh: round3(with_kwh.iter().map(|r| r.delivered_kwh).sum()),
        delivered_kwh: round3(rows.iter().map(|r| r.delivered_kwh).sum()),
        requests_met,
        requests_still_charging: (with_kwh.len() - decided) as u64,
        requests_met_pct: (decided > 0)
            .then(|| round3(100.0 * requests_met as f64 / decided as f64)),
        measured_peak_kw,
        measured_peak_at: measured_peak.map(|p| p.at),
        counterfactual_peak_kw,
        counterfactual_peak_at: counterfactual_peak.map(|p| p.at),
        peak_reduction_kw: round3(counterfactual_peak_kw - measured_peak_kw),
    }
}
