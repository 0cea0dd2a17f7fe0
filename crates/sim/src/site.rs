//! The site layout the simulated CPO exposes: locations, EVSEs and their single connector.

use serde::{Deserialize, Serialize};

/// How a connector is wired, as the OCPI `PowerType` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PowerType {
    /// Single-phase AC.
    #[serde(rename = "AC_1_PHASE")]
    Ac1Phase,
    /// Two-phase AC.
    #[serde(rename = "AC_2_PHASE")]
    Ac2Phase,
    /// Three-phase AC; `max_voltage` is line-to-neutral.
    #[serde(rename = "AC_3_PHASE")]
    Ac3Phase,
    /// Direct current.
    Dc,
}

impl PowerType {
    /// Phases that carry current, used for `A` → `W` conversion (DC counts as one).
    pub fn phases(self) -> f64 {
        match self {
            Self::Ac1Phase | Self::Dc => 1.0,
            Self::Ac2Phase => 2.0,
            Self::Ac3Phase => 3.0,
        }
    }
}

/// One EVSE with exactly one connector (connector id `"1"`), as OCPP 1.x CPOs expose them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvseSpec {
    /// OCPI `uid` of the EVSE, unique within the CPO.
    pub uid: String,
    /// Connector wiring.
    pub power_type: PowerType,
    /// Volts (line-to-neutral for three-phase).
    pub max_voltage: u32,
    /// Amperes per phase.
    pub max_amperage: u32,
    /// Watts, when the port is capped below V × A × phases.
    #[serde(default)]
    pub max_electric_power: Option<u32>,
    /// Whether the EVSE advertises `CHARGING_PROFILE_CAPABLE` (otherwise profiles get `NOT_SUPPORTED`).
    #[serde(default = "yes")]
    pub charging_profile_capable: bool,
}

fn yes() -> bool {
    true
}

impl EvseSpec {
    /// A profile-capable EVSE.
    pub fn new(
        uid: impl Into<String>,
        power_type: PowerType,
        max_voltage: u32,
        max_amperage: u32,
    ) -> Self {
        Self {
            uid: uid.into(),
            power_type,
            max_voltage,
            max_amperage,
            max_electric_power: None,
            charging_profile_capable: true,
        }
    }

    /// The port maximum in kW: `max_electric_power` if set, else phases × V × A.
    pub fn max_power_kw(&self) -> f64 {
        match self.max_electric_power {
            Some(w) => f64::from(w) / 1000.0,
            None => {
                self.power_type.phases()
                    * f64::from(self.max_voltage)
                    * f64::from(self.max_amperage)
                    / 1000.0
            }
        }
    }

    /// Converts a per-phase current (A) into total kW for this connector.
    pub fn amps_to_kw(&self, amps: f64) -> f64 {
        amps * f64::from(self.max_voltage) * self.power_type.phases() / 1000.0
    }
}

/// A charging location with its EVSEs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationSpec {
    /// OCPI location `id`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Street address (OCPI requires one).
    pub address: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-3 country.
    pub country: String,
    /// Latitude, decimal degrees as OCPI writes it.
    pub latitude: String,
    /// Longitude.
    pub longitude: String,
    /// IANA time zone.
    pub time_zone: String,
    /// The EVSEs.
    pub evses: Vec<EvseSpec>,
}

/// Every location the simulated CPO owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Locations, listed in this order.
    pub locations: Vec<LocationSpec>,
}

impl Site {
    /// Finds an EVSE and its location by EVSE uid.
    pub fn find_evse(&self, uid: &str) -> Option<(&LocationSpec, &EvseSpec)> {
        self.locations
            .iter()
            .find_map(|l| l.evses.iter().find(|e| e.uid == uid).map(|e| (l, e)))
    }

    /// All EVSEs, in layout order.
    pub fn evses(&self) -> impl Iterator<Item = &EvseSpec> {
        self.locations.iter().flat_map(|l| l.evses.iter())
    }

    /// The built-in demo site: one car park with eight 11 kW three-phase ports (two of them capped
    /// at 7.4 kW by `max_electric_power`) and two 7.4 kW single-phase ports without profile capability.
    pub fn demo() -> Self {
        let mut evses: Vec<EvseSpec> = (1..=8)
            .map(|n| EvseSpec::new(format!("DEMO-{n:02}"), PowerType::Ac3Phase, 230, 16))
            .collect();
        for evse in evses.iter_mut().skip(6) {
            evse.max_electric_power = Some(7400);
        }
        for n in 9..=10 {
            let mut evse = EvseSpec::new(format!("DEMO-{n:02}"), PowerType::Ac1Phase, 230, 32);
            evse.charging_profile_capable = false;
            evses.push(evse);
        }
        Self {
            locations: vec![LocationSpec {
                id: "DEMO".into(),
                name: "Demo car park".into(),
                address: "1 Example Street".into(),
                city: "Utrecht".into(),
                country: "NLD".into(),
                latitude: "52.090700".into(),
                longitude: "5.121400".into(),
                time_zone: "Europe/Amsterdam".into(),
                evses,
            }],
        }
    }

    /// Caltech's garage as the replay sees it: one EVSE per station id of the bundled ACN data
    /// (52 ids) plus two spares, 54 in all; each 208 V × 32 A single-phase (6.656 kW), profile capable.
    pub fn caltech() -> Self {
        let evses = crate::replay::station_ids()
            .chain(["CA-SPARE-1", "CA-SPARE-2"])
            .map(|id| EvseSpec::new(id, PowerType::Ac1Phase, 208, 32))
            .collect();
        Self {
            locations: vec![LocationSpec {
                id: "CALTECH".into(),
                name: "Caltech California Parking Garage".into(),
                address: "1200 E California Blvd".into(),
                city: "Pasadena".into(),
                country: "USA".into(),
                latitude: "34.137000".into(),
                longitude: "-118.125000".into(),
                time_zone: "America/Los_Angeles".into(),
                evses,
            }],
        }
    }
}
