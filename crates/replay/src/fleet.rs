//! The simulated cars, called directly instead of over HTTP: each obeys the last profile it
//! was given (its port's maximum before the first), through the simulator's vehicle model,
//! with an ideal battery (its maximum until full) or the simulator's taper near full.

use chargeplan_control::safety::Worst;
use chargeplan_core::{LimitPeriod, SessionId};
use chargeplan_sim::Vehicle;
use chrono::{DateTime, Duration, Utc};

/// How a car's battery accepts power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Battery {
    /// Its maximum until full.
    Ideal,
    /// The simulator's taper above 80 % state of charge.
    Taper,
}

impl Battery {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ideal => "ideal",
            Self::Taper => "taper",
        }
    }
}

/// One simulated car at its port.
#[derive(Debug, Clone)]
pub struct Car {
    /// Index of its recorded session.
    pub recorded: usize,
    /// Index of its port in the site's ports.
    pub port: usize,
    pub id: SessionId,
    pub arrival: DateTime<Utc>,
    pub departure: DateTime<Utc>,
    pub vehicle: Vehicle,
    /// The port's maximum, kW.
    pub port_max_kw: f64,
    /// The profile in force: `None` before the first (the car may draw `default_kw`).
    pub profile: Option<Worst>,
    /// What the station allows before the first profile, kW.
    pub default_kw: f64,
    pub energy_kwh: f64,
    /// What it drew over the last stretch simulated, kW.
    pub drawn_kw: f64,
}

impl Car {
    /// A car that takes exactly `need_kwh` before it is full (the simulator's replay cars).
    pub fn new(
        recorded: usize,
        port: usize,
        id: SessionId,
        (arrival, departure): (DateTime<Utc>, DateTime<Utc>),
        need_kwh: f64,
        car_max_kw: f64,
        port_max_kw: f64,
    ) -> Self {
        let (battery_kwh, soc) = chargeplan_sim::car_for(need_kwh);
        Self {
            recorded,
            port,
            id,
            arrival,
            departure,
            vehicle: Vehicle::new(battery_kwh, soc, car_max_kw),
            port_max_kw,
            profile: None,
            default_kw: port_max_kw,
            energy_kwh: 0.0,
            drawn_kw: 0.0,
        }
    }

    /// Installs a profile (the vendor accepted it at once).
    pub fn set_profile(&mut self, starts_at: DateTime<Utc>, periods: Vec<LimitPeriod>) {
        self.profile = Some(Worst::Schedule { starts_at, periods });
    }

    /// The limit in force at `at`, kW.
    pub fn limit_kw(&self, at: DateTime<Utc>) -> f64 {
        self.profile
            .as_ref()
            .map_or(self.default_kw, |p| p.kw_at(self.port_max_kw, at))
    }

    /// Instants in `(from, to)` where the profile's limit may change.
    fn changes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let Some(Worst::Schedule { starts_at, periods }) = &self.profile else {
            return Vec::new();
        };
        std::iter::once(*starts_at)
            .chain(
                periods
                    .iter()
                    .map(|p| *starts_at + Duration::seconds(i64::from(p.start_offset_s))),
            )
            .filter(|at| *at > from && *at < to)
            .collect()
    }

    /// Charges from `from` to `to` (within one metering slot); returns the energy taken.
    pub fn advance(&mut self, from: DateTime<Utc>, to: DateTime<Utc>, battery: Battery) -> f64 {
        if to <= from {
            return 0.0;
        }
        let mut cuts = self.changes(from, to);
        cuts.push(to);
        cuts.sort();
        let mut at = from;
        let mut total = 0.0;
        for next in cuts {
            let hours = (next - at).num_milliseconds() as f64 / 3.6e6;
            if hours <= 0.0 {
                continue;
            }
            let accepts = match battery {
                Battery::Ideal if self.vehicle.room_kwh() > 1e-12 => self.vehicle.max_kw,
                Battery::Ideal => 0.0,
                Battery::Taper => self.vehicle.acceptance_kw(),
            };
            let kw = self
                .limit_kw(at)
                .min(accepts)
                .min(self.port_max_kw)
                .max(0.0);
            total += self.vehicle.charge(kw, hours);
            at = next;
        }
        self.energy_kwh += total;
        let hours = (to - from).num_milliseconds() as f64 / 3.6e6;
        self.drawn_kw = total / hours;
        total
    }
}
