//! The uncontrolled counterfactual: every car charged at its port's maximum from arrival.

use chargeplan_core::{Port, Session};
use chrono::{DateTime, Utc};

use chargeplan_core::interval_energy::{IntervalEnergy, end_of_interval};

/// The power a session would have drawn uncontrolled: its port's maximum; for a session
/// without a port (or on a port the site no longer lists), the highest maximum of the
/// site's ports; for a site without ports, `fallback_kw` (its highest measured average).
pub(crate) fn full_power_kw(session: &Session, ports: &[Port], fallback_kw: f64) -> f64 {
    let own = session
        .port_id
        .as_ref()
        .and_then(|id| ports.iter().find(|p| &p.id == id));
    match own {
        Some(port) => port.max_power.get(),
        None => ports
            .iter()
            .map(|p| p.max_power.get())
            .reduce(f64::max)
            .unwrap_or(fallback_kw),
    }
}

/// The energy per interval of a car charging at `power_kw` from `arrival` until it has
/// `energy_kwh` or until `departure`, whichever comes first.
pub(crate) fn full_power_energy(
    arrival: DateTime<Utc>,
    departure: DateTime<Utc>,
    power_kw: f64,
    energy_kwh: f64,
) -> IntervalEnergy {
    let mut energy = IntervalEnergy::default();
    if power_kw <= 0.0 || !power_kw.is_finite() {
        return energy;
    }
    let mut remaining = energy_kwh;
    let mut at = arrival;
    while remaining > 0.0 && at < departure {
        let until = end_of_interval(at).min(departure);
        let hours = (until - at).num_milliseconds() as f64 / 3_600_000.0;
        let kwh = (power_kw * hours).min(remaining);
        energy.add_at(at, kwh);
        remaining -= kwh;
        at = until;
    }
    energy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn kwh_per_interval(e: &IntervalEnergy) -> Vec<f64> {
        e.iter().map(|(_, kwh)| (kwh * 1e9).round() / 1e9).collect()
    }

    #[test]
    fn a_car_charges_at_full_power_until_it_has_its_energy() {
        // 12 kW from 10:02: 0.6 kWh to 10:05, then 1 kWh per interval; 2 kWh is reached
        // at 10:12.
        let e = full_power_energy(
            t("2026-06-01T10:02:00Z"),
            t("2026-06-01T12:00:00Z"),
            12.0,
            2.0,
        );
        assert_eq!(kwh_per_interval(&e), [0.6, 1.0, 0.4]);
        assert_eq!(e.peak().unwrap().at, t("2026-06-01T10:05:00Z"));
    }

    #[test]
    fn a_car_stops_when_it_leaves() {
        let e = full_power_energy(
            t("2026-06-01T10:00:00Z"),
            t("2026-06-01T10:07:00Z"),
            12.0,
            5.0,
        );
        assert_eq!(kwh_per_interval(&e), [1.0, 0.4]);
    }

    #[test]
    fn no_power_means_no_energy() {
        let e = full_power_energy(
            t("2026-06-01T10:00:00Z"),
            t("2026-06-01T11:00:00Z"),
            0.0,
            5.0,
        );
        assert!(e.peak().is_none());
    }
}
