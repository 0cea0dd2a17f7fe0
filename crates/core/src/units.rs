//! Physical quantities as validated newtypes: power, energy, vehicle efficiency, slot length.
//!
//! Every constructor rejects NaN, infinities, negative and absurdly large values, so a value
//! of one of these types can be used in arithmetic without further checks. Negative zero is
//! normalized to zero.

use serde::{Deserialize, Serialize};

use crate::error::{ValueError, require_finite};

/// Validates a finite quantity in `min..=max` and normalizes `-0.0` to `0.0`.
fn in_range(
    field: &'static str,
    unit: &str,
    v: f64,
    min: f64,
    max: f64,
) -> Result<f64, ValueError> {
    let v = require_finite(field, v)?;
    if v < 0.0 {
        return Err(ValueError::invalid(
            field,
            format!("must not be negative, got {v} {unit}"),
        ));
    }
    if v < min {
        return Err(ValueError::invalid(
            field,
            format!("must be at least {min} {unit}, got {v}"),
        ));
    }
    if v > max {
        return Err(ValueError::invalid(
            field,
            format!("must be at most {max} {unit}, got {v}"),
        ));
    }
    // `-0.0 + 0.0 == +0.0`; every other value is unchanged.
    Ok(v + 0.0)
}

macro_rules! float_unit {
    ($(#[$meta:meta])* $name:ident, field = $field:literal, unit = $unit:literal, min = $min:expr, max = $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl $name {
            /// Smallest accepted value.
            pub const MIN: f64 = $min;
            /// Largest accepted value.
            pub const MAX: f64 = $max;

            /// Validates `v`: finite and within [`Self::MIN`]..=[`Self::MAX`].
            pub fn new(v: f64) -> Result<Self, ValueError> {
                in_range($field, $unit, v, $min, $max).map(Self)
            }

            /// The value as a plain `f64`.
            pub const fn get(self) -> f64 {
                self.0
            }
        }

        impl TryFrom<f64> for $name {
            type Error = ValueError;

            fn try_from(v: f64) -> Result<Self, ValueError> {
                Self::new(v)
            }
        }

        impl From<$name> for f64 {
            fn from(v: $name) -> f64 {
                v.0
            }
        }
    };
}

float_unit!(
    /// Electric power in kilowatts, `0..=100_000` kW.
    Kilowatts,
    field = "power_kw",
    unit = "kW",
    min = 0.0,
    max = 100_000.0
);

float_unit!(
    /// Energy in kilowatt-hours, `0..=1_000_000` kWh.
    KilowattHours,
    field = "energy_kwh",
    unit = "kWh",
    min = 0.0,
    max = 1_000_000.0
);

float_unit!(
    /// A vehicle's consumption in watt-hours per mile, `100..=1000` Wh/mi (default 300).
    WhPerMile,
    field = "wh_per_mile",
    unit = "Wh/mi",
    min = 100.0,
    max = 1000.0
);

impl Kilowatts {
    /// No power.
    pub const ZERO: Self = Self(0.0);
}

impl KilowattHours {
    /// No energy.
    pub const ZERO: Self = Self(0.0);
}

impl WhPerMile {
    /// Typical consumption of a passenger EV, used when the driver has not told us.
    pub const DEFAULT: Self = Self(300.0);
}

impl Default for WhPerMile {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Length of an optimization slot in minutes: a divisor of 60 (1, 2, 3, 4, 5, 6, 10, 12,
/// 15, 20, 30 or 60), so that slots line up with the hour. Default 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SlotMinutes(u32);

impl SlotMinutes {
    /// The default slot length, 5 minutes.
    pub const DEFAULT: Self = Self(5);

    /// Every accepted length in minutes: the divisors of 60.
    pub const ALLOWED: [u32; 12] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60];

    /// Validates a slot length in minutes: one of [`Self::ALLOWED`].
    pub fn new(minutes: u32) -> Result<Self, ValueError> {
        if Self::ALLOWED.contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(ValueError::invalid(
                "slot_minutes",
                format!(
                    "must divide an hour evenly (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), got {minutes}"
                ),
            ))
        }
    }

    /// The length in minutes.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The length as a duration.
    pub fn duration(self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.0))
    }
}

impl Default for SlotMinutes {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for SlotMinutes {
    type Error = ValueError;

    fn try_from(v: u32) -> Result<Self, ValueError> {
        Self::new(v)
    }
}

impl From<SlotMinutes> for u32 {
    fn from(v: SlotMinutes) -> u32 {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn valid_power_is_accepted_and_returned_unchanged() {
        assert_eq!(Kilowatts::new(7.2).unwrap().get(), 7.2);
        assert_eq!(Kilowatts::new(0.0).unwrap(), Kilowatts::ZERO);
        assert_eq!(Kilowatts::new(100_000.0).unwrap().get(), 100_000.0);
    }

    #[test]
    fn negative_nan_infinite_and_absurd_power_is_rejected_with_a_clear_message() {
        assert_eq!(
            Kilowatts::new(-1.0).unwrap_err().to_string(),
            "power_kw: must not be negative, got -1 kW"
        );
        assert_eq!(
            Kilowatts::new(f64::NAN).unwrap_err().to_string(),
            "power_kw: must be a finite number, got NaN"
        );
        assert_eq!(
            Kilowatts::new(f64::INFINITY).unwrap_err().to_string(),
            "power_kw: must be a finite number, got inf"
        );
        assert_eq!(
            Kilowatts::new(100_000.5).unwrap_err().to_string(),
            "power_kw: must be at most 100000 kW, got 100000.5"
        );
    }

    #[test]
    fn negative_zero_becomes_positive_zero() {
        assert!(Kilowatts::new(-0.0).unwrap().get().is_sign_positive());
        assert!(KilowattHours::new(-0.0).unwrap().get().is_sign_positive());
    }

    #[test]
    fn energy_accepts_zero_to_a_million_kwh() {
        assert_eq!(KilowattHours::new(18.5).unwrap().get(), 18.5);
        assert_eq!(KilowattHours::ZERO.get(), 0.0);
        assert!(KilowattHours::new(1_000_000.0).is_ok());
        assert_eq!(KilowattHours::new(1e7).unwrap_err().field(), "energy_kwh");
        assert_eq!(
            KilowattHours::new(-3.0).unwrap_err().to_string(),
            "energy_kwh: must not be negative, got -3 kWh"
        );
        assert_eq!(
            KilowattHours::new(f64::NAN).unwrap_err().to_string(),
            "energy_kwh: must be a finite number, got NaN"
        );
    }

    #[test]
    fn wh_per_mile_defaults_to_300_and_accepts_100_to_1000() {
        assert_eq!(WhPerMile::default().get(), 300.0);
        assert!(WhPerMile::new(100.0).is_ok());
        assert!(WhPerMile::new(1000.0).is_ok());
        assert_eq!(
            WhPerMile::new(99.0).unwrap_err().to_string(),
            "wh_per_mile: must be at least 100 Wh/mi, got 99"
        );
        assert_eq!(WhPerMile::new(1000.1).unwrap_err().field(), "wh_per_mile");
        assert!(WhPerMile::new(0.0).is_err());
        assert!(WhPerMile::new(f64::NAN).is_err());
    }

    #[test]
    fn slot_minutes_accept_exactly_the_divisors_of_an_hour() {
        let accepted: Vec<u32> = (0..=120).filter(|&m| SlotMinutes::new(m).is_ok()).collect();
        assert_eq!(accepted, [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60]);
        assert_eq!(SlotMinutes::new(7).unwrap_err().field(), "slot_minutes");
    }

    #[test]
    fn slot_minutes_default_to_five_and_give_their_duration() {
        assert_eq!(SlotMinutes::default().get(), 5);
        assert_eq!(
            SlotMinutes::new(15).unwrap().duration(),
            chrono::Duration::minutes(15)
        );
    }

    #[test]
    fn units_serialize_as_plain_numbers_and_deserializing_validates() {
        assert_eq!(
            serde_json::to_string(&Kilowatts::new(11.0).unwrap()).unwrap(),
            "11.0"
        );
        assert_eq!(
            serde_json::from_str::<KilowattHours>("18").unwrap().get(),
            18.0
        );
        assert!(serde_json::from_str::<Kilowatts>("-5").is_err());
        assert!(serde_json::from_str::<WhPerMile>("50").is_err());
        assert_eq!(serde_json::to_string(&SlotMinutes::default()).unwrap(), "5");
        assert!(serde_json::from_str::<SlotMinutes>("7").is_err());
        assert_eq!(serde_json::from_str::<SlotMinutes>("15").unwrap().get(), 15);
    }

    proptest! {
        #[test]
        fn kilowatts_accept_exactly_the_finite_values_in_range(v in proptest::num::f64::ANY) {
            let expected = v.is_finite() && (0.0..=100_000.0).contains(&v);
            prop_assert_eq!(Kilowatts::new(v).is_ok(), expected);
        }

        #[test]
        fn kilowatts_in_and_around_range_round_trip(v in -1_000.0f64..200_000.0) {
            match Kilowatts::new(v) {
                Ok(kw) => prop_assert_eq!(kw.get(), v),
                Err(_) => prop_assert!(!(0.0..=100_000.0).contains(&v)),
            }
        }
    }
}
