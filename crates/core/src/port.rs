//! Charging ports: where they are on the circuit tree, how the vendor cloud names them, and
//! converting between power and per-phase current.

use serde::{Deserialize, Serialize};

use crate::error::{ValueError, require_finite, trimmed_text};
use crate::ids::{CircuitId, PortId, SiteId, VendorAccountId};
use crate::units::Kilowatts;

/// The line-to-neutral voltages a port may have, in volts.
pub const PORT_VOLTAGES_V: std::ops::RangeInclusive<f64> = 100.0..=1000.0;

/// Longest OCPI location id, EVSE uid or connector id (`CiString(36)`), after trimming.
pub const MAX_OCPI_ID_CHARS: usize = 36;

/// Number of AC phases a port supplies. Serialized as the number `1` or `3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Phases {
    /// Single phase.
    One,
    /// Three phases.
    Three,
}

impl Phases {
    /// The number of phases, 1 or 3.
    pub const fn count(self) -> u8 {
        match self {
            Self::One => 1,
            Self::Three => 3,
        }
    }
}

impl TryFrom<u8> for Phases {
    type Error = ValueError;

    fn try_from(n: u8) -> Result<Self, ValueError> {
        match n {
            1 => Ok(Self::One),
            3 => Ok(Self::Three),
            _ => Err(ValueError::invalid(
                "phases",
                format!("must be 1 or 3, got {n}"),
            )),
        }
    }
}

impl From<Phases> for u8 {
    fn from(p: Phases) -> u8 {
        p.count()
    }
}

/// How a vendor cloud (an OCPI CPO) names a port: location, EVSE and connector.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VendorRef {
    /// The vendor account that serves this port.
    pub vendor_account: VendorAccountId,
    /// OCPI `location_id`, 1 to 36 characters.
    pub location_id: String,
    /// OCPI `evse_uid`, 1 to 36 characters.
    pub evse_uid: String,
    /// OCPI `connector_id`, 1 to 36 characters.
    pub connector_id: String,
}

impl VendorRef {
    /// Validates the references (each trimmed, 1 to 36 characters as in OCPI).
    pub fn new(
        vendor_account: VendorAccountId,
        location_id: &str,
        evse_uid: &str,
        connector_id: &str,
    ) -> Result<Self, ValueError> {
        Ok(Self {
            vendor_account,
            location_id: trimmed_text("location_id", location_id, 1, MAX_OCPI_ID_CHARS)?,
            evse_uid: trimmed_text("evse_uid", evse_uid, 1, MAX_OCPI_ID_CHARS)?,
            connector_id: trimmed_text("connector_id", connector_id, 1, MAX_OCPI_ID_CHARS)?,
        })
    }
}

/// A charging port (one connector) on a circuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Port {
    /// Stable identifier.
    pub id: PortId,
    /// The site it is on.
    pub site_id: SiteId,
    /// The circuit it draws from (the lowest breaker above it).
    pub circuit_id: CircuitId,
    /// How the vendor cloud names it.
    pub vendor: VendorRef,
    /// Rated maximum power (> 0).
    pub max_power: Kilowatts,
    /// Number of phases supplied.
    pub phases: Phases,
    /// Line-to-neutral voltage in volts, 100 to 1000.
    pub voltage_v: f64,
    /// Whether we may send it setpoints; uncontrolled ports count at `max_power` against caps.
    pub controllable: bool,
    /// Whether drivers may unplug another car's cable here when its owner allows it (some
    /// connectors lock the cable); only such ports ever show "OK to unplug". Off by default.
    #[serde(default)]
    pub cable_movable: bool,
}

impl Port {
    /// Validates a port: `max_power` greater than 0, `voltage_v` 100 to 1000 V
    /// (line-to-neutral, e.g. 230 in Europe, 120 or 277 in North America).
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per field of a flat record"
    )]
    pub fn new(
        id: PortId,
        site_id: SiteId,
        circuit_id: CircuitId,
        vendor: VendorRef,
        max_power: Kilowatts,
        phases: Phases,
        voltage_v: f64,
        controllable: bool,
    ) -> Result<Self, ValueError> {
        if max_power.get() <= 0.0 {
            return Err(ValueError::invalid(
                "max_power_kw",
                "must be greater than 0 kW",
            ));
        }
        let voltage_v = require_finite("voltage_v", voltage_v)?;
        if !PORT_VOLTAGES_V.contains(&voltage_v) {
            let (low, high) = PORT_VOLTAGES_V.into_inner();
            return Err(ValueError::invalid(
                "voltage_v",
                format!("must be between {low} and {high} V line-to-neutral, got {voltage_v}"),
            ));
        }
        Ok(Self {
            id,
            site_id,
            circuit_id,
            vendor,
            max_power,
            phases,
            voltage_v,
            controllable,
            cable_movable: false,
        })
    }

    /// The same port with `cable_movable` set.
    pub fn with_cable_movable(mut self, cable_movable: bool) -> Self {
        self.cable_movable = cable_movable;
        self
    }

    /// Per-phase current in amperes for `power`: `I = P / (V × phases)`.
    pub fn amps_for(&self, power: Kilowatts) -> f64 {
        power.get() * 1000.0 / (self.voltage_v * f64::from(self.phases.count()))
    }

    /// Power for a per-phase current: `P = I × V × phases`. Negative, NaN or infinite
    /// currents give zero power; the result is capped at [`Kilowatts::MAX`] (not at the
    /// port's `max_power`, which callers apply themselves).
    pub fn power_for_amps(&self, amps: f64) -> Kilowatts {
        let kw = amps * self.voltage_v * f64::from(self.phases.count()) / 1000.0;
        if kw.is_nan() || kw <= 0.0 {
            return Kilowatts::ZERO;
        }
        Kilowatts::new(kw.min(Kilowatts::MAX)).unwrap_or(Kilowatts::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor() -> VendorRef {
        VendorRef::new(
            VendorAccountId::parse("acme").unwrap(),
            "LOC1",
            "EVSE-1",
            "1",
        )
        .unwrap()
    }

    fn port(phases: Phases, voltage_v: f64, max_kw: f64) -> Result<Port, ValueError> {
        Port::new(
            PortId::parse("p1").unwrap(),
            SiteId::parse("lot-b").unwrap(),
            CircuitId::parse("panel-a").unwrap(),
            vendor(),
            Kilowatts::new(max_kw).unwrap(),
            phases,
            voltage_v,
            true,
        )
    }

    #[test]
    fn amps_are_power_over_voltage_and_phases() {
        let single = port(Phases::One, 240.0, 7.2).unwrap();
        assert!((single.amps_for(Kilowatts::new(7.2).unwrap()) - 30.0).abs() < 1e-9);
        let three = port(Phases::Three, 230.0, 22.0).unwrap();
        assert!((three.amps_for(Kilowatts::new(11.04).unwrap()) - 16.0).abs() < 1e-9);
        assert_eq!(three.amps_for(Kilowatts::ZERO), 0.0);
    }

    #[test]
    fn power_for_amps_inverts_amps_for() {
        let three = port(Phases::Three, 230.0, 22.0).unwrap();
        assert!((three.power_for_amps(16.0).get() - 11.04).abs() < 1e-9);
        let single = port(Phases::One, 120.0, 1.9).unwrap();
        let p = Kilowatts::new(1.44).unwrap();
        assert!((single.power_for_amps(single.amps_for(p)).get() - 1.44).abs() < 1e-9);
    }

    #[test]
    fn negative_or_non_finite_currents_give_zero_power() {
        let p = port(Phases::One, 240.0, 7.2).unwrap();
        assert_eq!(p.power_for_amps(-6.0), Kilowatts::ZERO);
        assert_eq!(p.power_for_amps(f64::NAN), Kilowatts::ZERO);
        assert_eq!(p.power_for_amps(f64::INFINITY).get(), Kilowatts::MAX);
    }

    #[test]
    fn a_port_needs_a_positive_maximum_and_a_plausible_voltage() {
        assert_eq!(
            port(Phases::One, 240.0, 0.0).unwrap_err().to_string(),
            "max_power_kw: must be greater than 0 kW"
        );
        assert_eq!(
            port(Phases::One, 400.0 * 3.0, 7.2).unwrap_err().to_string(),
            "voltage_v: must be between 100 and 1000 V line-to-neutral, got 1200"
        );
        assert_eq!(
            port(Phases::One, 99.9, 7.2).unwrap_err().field(),
            "voltage_v"
        );
        assert_eq!(
            port(Phases::One, f64::NAN, 7.2).unwrap_err().field(),
            "voltage_v"
        );
        assert!(port(Phases::One, 100.0, 7.2).is_ok());
        assert!(port(Phases::Three, 1000.0, 7.2).is_ok());
    }

    #[test]
    fn phases_serialize_as_the_number_one_or_three() {
        assert_eq!(serde_json::to_string(&Phases::Three).unwrap(), "3");
        assert_eq!(serde_json::from_str::<Phases>("1").unwrap(), Phases::One);
        let e = serde_json::from_str::<Phases>("2").unwrap_err();
        assert!(e.to_string().contains("must be 1 or 3, got 2"), "{e}");
    }

    #[test]
    fn vendor_references_are_1_to_36_characters() {
        let acme = VendorAccountId::parse("acme").unwrap();
        assert_eq!(
            VendorRef::new(acme.clone(), "", "E", "1")
                .unwrap_err()
                .to_string(),
            "location_id: must not be empty"
        );
        assert_eq!(
            VendorRef::new(acme.clone(), "L", &"E".repeat(37), "1")
                .unwrap_err()
                .field(),
            "evse_uid"
        );
        assert_eq!(
            VendorRef::new(acme.clone(), "L", "E", " ")
                .unwrap_err()
                .field(),
            "connector_id"
        );
        assert!(VendorRef::new(acme, &"L".repeat(36), "E", "1").is_ok());
    }

    #[test]
    fn a_port_round_trips_through_json() {
        let p = port(Phases::Three, 230.0, 22.0).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Port>(&json).unwrap(), p);
    }
}
