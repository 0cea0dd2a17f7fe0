//! A simulated car: battery, state of charge, maximum acceptance and its taper near full.

/// State of charge above which acceptance starts to fall.
pub const TAPER_START_SOC: f64 = 0.8;
/// Acceptance at 100 % as a fraction of the maximum (the taper falls linearly to it).
pub const TAPER_END_FRACTION: f64 = 0.05;

/// A car plugged into a port.
#[derive(Debug, Clone, PartialEq)]
pub struct Vehicle {
    /// Usable battery capacity.
    pub battery_kwh: f64,
    /// State of charge, 0.0–1.0.
    pub soc: f64,
    /// Maximum power the car accepts (its on-board charger).
    pub max_kw: f64,
}

impl Vehicle {
    /// A car; `soc` is clamped to 0–1.
    pub fn new(battery_kwh: f64, soc: f64, max_kw: f64) -> Self {
        Self {
            battery_kwh: battery_kwh.max(0.0),
            soc: soc.clamp(0.0, 1.0),
            max_kw: max_kw.max(0.0),
        }
    }

    /// What the car would take now: its maximum up to 80 %, then falling linearly to 5 % of it at
    /// 100 %, and nothing when full.
    pub fn acceptance_kw(&self) -> f64 {
        if self.soc >= 1.0 || self.battery_kwh <= 0.0 {
            0.0
        } else if self.soc <= TAPER_START_SOC {
            self.max_kw
        } else {
            let floor = self.max_kw * TAPER_END_FRACTION;
            let left = (1.0 - self.soc) / (1.0 - TAPER_START_SOC);
            floor + (self.max_kw - floor) * left
        }
    }

    /// Energy the battery can still take.
    pub fn room_kwh(&self) -> f64 {
        (1.0 - self.soc) * self.battery_kwh
    }

    /// Charges at `power_kw` for `hours`; returns the energy taken (never more than the room left).
    pub fn charge(&mut self, power_kw: f64, hours: f64) -> f64 {
        let energy = (power_kw.max(0.0) * hours).min(self.room_kwh());
        if self.battery_kwh > 0.0 {
            self.soc = (self.soc + energy / self.battery_kwh).min(1.0);
        }
        energy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptance_is_flat_below_eighty_percent_and_tapers_above() {
        let mut car = Vehicle::new(50.0, 0.5, 11.0);
        assert!((car.acceptance_kw() - 11.0).abs() < 1e-9);
        car.soc = 0.9;
        assert!((car.acceptance_kw() - (0.55 + 10.45 * 0.5)).abs() < 1e-9);
        car.soc = 1.0;
        assert!(car.acceptance_kw().abs() < 1e-9);
    }

    #[test]
    fn charging_never_overfills_the_battery() {
        let mut car = Vehicle::new(10.0, 0.95, 11.0);
        let taken = car.charge(11.0, 1.0);
        assert!((taken - 0.5).abs() < 1e-9);
        assert!((car.soc - 1.0).abs() < 1e-9);
    }
}
