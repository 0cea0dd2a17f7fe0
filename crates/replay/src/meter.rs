//! What the simulated cars drew, per circuit and metering slot (the site's slot length, on a
//! grid aligned to the epoch): cap violations, the site's peak, energy cost and demand charge.

use chargeplan_core::{Circuit, CircuitTree, Tariff};
use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;

/// Float noise and metering rounding, kW.
const TOLERANCE_KW: f64 = 1e-3;

/// Energy per circuit per slot.
#[derive(Debug, Clone)]
pub struct Meter {
    start: DateTime<Utc>,
    slot_s: i64,
    circuits: Vec<Circuit>,
    /// For each circuit, the indices of itself and its ancestors.
    up: Vec<Vec<usize>>,
    /// `kwh[slot][circuit]`, the subtree's energy.
    kwh: Vec<Vec<f64>>,
}

/// What the meter says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Readout {
    /// Highest slot-average power of the whole site, kW.
    pub peak_kw: f64,
    /// Slot × circuit pairs whose average power was above the circuit's cap.
    pub cap_violations: u64,
    /// Energy above the caps in those pairs, kWh.
    pub cap_violation_kwh: f64,
    pub energy_cost: f64,
    pub demand_charge: f64,
}

impl Meter {
    /// A meter from `start` (rounded down to the slot grid) for `circuits`.
    pub fn new(start: DateTime<Utc>, slot_minutes: u32, circuits: &[Circuit]) -> Self {
        let slot_s = i64::from(slot_minutes) * 60;
        let start_s = start.timestamp().div_euclid(slot_s) * slot_s;
        let tree = CircuitTree::new(circuits.to_vec()).ok();
        let up = circuits
            .iter()
            .map(|c| {
                let chain = tree
                    .as_ref()
                    .map(|t| t.ancestors_inclusive(&c.id))
                    .unwrap_or_default();
                circuits
                    .iter()
                    .enumerate()
                    .filter(|(_, other)| chain.contains(&&other.id))
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        Self {
            start: DateTime::from_timestamp(start_s, 0).unwrap_or(start),
            slot_s,
            circuits: circuits.to_vec(),
            up,
            kwh: Vec::new(),
        }
    }

    /// The start of the slot `at` falls in.
    pub fn slot_start(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let s = at.timestamp().div_euclid(self.slot_s) * self.slot_s;
        DateTime::from_timestamp(s, 0).unwrap_or(at)
    }

    /// The end of the slot `at` falls in.
    pub fn slot_end(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.slot_start(at) + Duration::seconds(self.slot_s)
    }

    /// Adds `kwh` drawn on circuit `circuit` (index) in the slot of `at`.
    pub fn add(&mut self, circuit: usize, at: DateTime<Utc>, kwh: f64) {
        if kwh <= 0.0 {
            return;
        }
        let Ok(slot) = usize::try_from((at - self.start).num_seconds().div_euclid(self.slot_s))
        else {
            return;
        };
        if self.kwh.len() <= slot {
            self.kwh.resize(slot + 1, vec![0.0; self.circuits.len()]);
        }
        for &c in &self.up[circuit] {
            self.kwh[slot][c] += kwh;
        }
    }

    /// The circuit index of `id`.
    pub fn circuit_index(&self, id: &str) -> Option<usize> {
        self.circuits.iter().position(|c| c.id.as_str() == id)
    }

    /// Site power per slot (slot start, kW), for plots.
    pub fn site_kw(&self) -> Vec<(DateTime<Utc>, f64)> {
        let hours = self.slot_s as f64 / 3600.0;
        self.kwh
            .iter()
            .enumerate()
            .map(|(k, row)| {
                let at = self.start + Duration::seconds(self.slot_s * k as i64);
                (at, self.roots().map(|c| row[c]).sum::<f64>() / hours)
            })
            .collect()
    }

    fn roots(&self) -> impl Iterator<Item = usize> + '_ {
        self.circuits
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent.is_none())
            .map(|(k, _)| k)
    }

    /// Caps, peak and cost over everything metered.
    pub fn readout(&self, tariff: Option<&Tariff>, tz: Tz) -> Readout {
        let hours = self.slot_s as f64 / 3600.0;
        let mut out = Readout::default();
        let mut peaks: Vec<((i32, u32), f64)> = Vec::new();
        for (k, row) in self.kwh.iter().enumerate() {
            let at = self.start + Duration::seconds(self.slot_s * k as i64);
            for (c, circuit) in self.circuits.iter().enumerate() {
                let kw = row[c] / hours;
                let cap = circuit.cap.get();
                if kw > cap + TOLERANCE_KW {
                    out.cap_violations += 1;
                    out.cap_violation_kwh += (kw - cap) * hours;
                }
            }
            let site_kwh: f64 = self.roots().map(|c| row[c]).sum();
            let site_kw = site_kwh / hours;
            out.peak_kw = out.peak_kw.max(site_kw);
            if let Some(tariff) = tariff {
                out.energy_cost += site_kwh * tariff.price_at(tz, at);
                let period = billing_period(at, tz, tariff.billing_period_start_day);
                match peaks.iter_mut().find(|(p, _)| *p == period) {
                    Some((_, peak)) => *peak = peak.max(site_kw),
                    None => peaks.push((period, site_kw)),
                }
            }
        }
        if let Some(tariff) = tariff {
            out.demand_charge = peaks
                .iter()
                .map(|(_, peak)| peak * tariff.demand_charge_per_kw)
                .sum();
        }
        out
    }
}

/// The billing period (year, month of its start) that `at` is in.
fn billing_period(at: DateTime<Utc>, tz: Tz, start_day: u32) -> (i32, u32) {
    let local = at.with_timezone(&tz);
    let (year, month) = (local.year(), local.month());
    if local.day() >= start_day.max(1) {
        (year, month)
    } else if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    }
}
