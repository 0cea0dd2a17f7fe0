//! A driver's charging request: when they leave and how much energy they need.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ValueError, require_finite};
use crate::ids::SessionId;
use crate::units::{KilowattHours, WhPerMile};

/// Most energy a request may ask for, in kWh (more than any passenger car battery holds).
pub const MAX_REQUEST_KWH: f64 = 250.0;

/// Most miles a request may ask for.
pub const MAX_REQUEST_MILES: f64 = 1000.0;

/// Latest departure accepted, counted from the moment the request is made.
pub const MAX_DEPARTURE_DAYS: i64 = 7;

/// What the driver typed, before validation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnergyNeed {
    /// An amount of energy in kWh.
    Kwh(f64),
    /// A driving range in miles, converted with the vehicle's Wh/mile.
    Miles(f64),
    /// Fill up as much as possible before departure.
    AsMuchAsPossible,
}

/// The validated energy asked for. Serialized as `{"kwh": 18.0}` or
/// `"as_much_as_possible"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestedEnergy {
    /// This much energy, `0 < kWh <= 250`.
    Kwh(KilowattHours),
    /// As much as the car takes before departure.
    AsMuchAsPossible,
}

impl RequestedEnergy {
    /// The amount in kWh, or `None` for "as much as possible".
    pub fn kwh(&self) -> Option<f64> {
        match self {
            Self::Kwh(e) => Some(e.get()),
            Self::AsMuchAsPossible => None,
        }
    }
}

/// One revision of a driver's request for a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingRequest {
    /// The session it is for.
    pub session_id: SessionId,
    /// 1 for the first request of a session, incremented on each edit.
    pub revision: u32,
    /// When the driver leaves.
    pub departure: DateTime<Utc>,
    /// How much energy they asked for.
    pub energy: RequestedEnergy,
    /// The miles they typed, if they asked in miles (for showing it back to them).
    pub stated_miles: Option<f64>,
    /// When the request was made.
    pub submitted_at: DateTime<Utc>,
}

impl ChargingRequest {
    /// Validates a request made at `now`.
    ///
    /// * `revision` is at least 1.
    /// * `departure` is after `now` and at most 7 days later.
    /// * kWh: finite, more than 0, at most [`MAX_REQUEST_KWH`].
    /// * miles: finite, more than 0, at most [`MAX_REQUEST_MILES`]; needs `wh_per_mile`;
    ///   converted as `miles × Wh/mile / 1000` and also capped at [`MAX_REQUEST_KWH`].
    pub fn new(
        session_id: SessionId,
        revision: u32,
        departure: DateTime<Utc>,
        need: EnergyNeed,
        wh_per_mile: Option<WhPerMile>,
        now: DateTime<Utc>,
    ) -> Result<Self, ValueError> {
        if revision == 0 {
            return Err(ValueError::invalid("revision", "must be at least 1"));
        }
        if departure <= now {
            return Err(ValueError::invalid("departure", "is in the past"));
        }
        if departure - now > Duration::days(MAX_DEPARTURE_DAYS) {
            return Err(ValueError::invalid(
                "departure",
                format!("is more than {MAX_DEPARTURE_DAYS} days away"),
            ));
        }
        let (energy, stated_miles) = match need {
            EnergyNeed::AsMuchAsPossible => (RequestedEnergy::AsMuchAsPossible, None),
            EnergyNeed::Kwh(kwh) => (RequestedEnergy::Kwh(validate_kwh(kwh)?), None),
            EnergyNeed::Miles(miles) => {
                let kwh = miles_to_kwh(miles, wh_per_mile)?;
                (RequestedEnergy::Kwh(kwh), Some(miles + 0.0))
            }
        };
        Ok(Self {
            session_id,
            revision,
            departure,
            energy,
            stated_miles,
            submitted_at: now,
        })
    }
}

fn validate_kwh(kwh: f64) -> Result<KilowattHours, ValueError> {
    const FIELD: &str = "energy_kwh";
    let kwh = require_finite(FIELD, kwh)?;
    if kwh <= 0.0 {
        return Err(ValueError::invalid(
            FIELD,
            format!("must be more than 0 kWh, got {kwh}"),
        ));
    }
    if kwh > MAX_REQUEST_KWH {
        return Err(ValueError::invalid(
            FIELD,
            format!("{kwh} kWh is more than any car holds (max {MAX_REQUEST_KWH})"),
        ));
    }
    KilowattHours::new(kwh)
}

fn miles_to_kwh(miles: f64, wh_per_mile: Option<WhPerMile>) -> Result<KilowattHours, ValueError> {
    const FIELD: &str = "miles";
    let miles = require_finite(FIELD, miles)?;
    if miles <= 0.0 {
        return Err(ValueError::invalid(
            FIELD,
            format!("must be more than 0 miles, got {miles}"),
        ));
    }
    if miles > MAX_REQUEST_MILES {
        return Err(ValueError::invalid(
            FIELD,
            format!(
                "{miles} miles is more than any car goes on one charge (max {MAX_REQUEST_MILES})"
            ),
        ));
    }
    let Some(wh) = wh_per_mile else {
        return Err(ValueError::invalid(
            FIELD,
            "needs the vehicle's Wh/mile to convert",
        ));
    };
    let kwh = miles * wh.get() / 1000.0;
    if kwh > MAX_REQUEST_KWH {
        return Err(ValueError::invalid(
            FIELD,
            format!(
                "{miles} miles at {} Wh/mile is {kwh} kWh, more than any car holds (max {MAX_REQUEST_KWH} kWh)",
                wh.get()
            ),
        ));
    }
    KilowattHours::new(kwh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-06-01T16:00:00Z".parse().unwrap()
    }

    fn request(
        departure: DateTime<Utc>,
        need: EnergyNeed,
        wh: Option<f64>,
    ) -> Result<ChargingRequest, ValueError> {
        ChargingRequest::new(
            SessionId::parse("s1").unwrap(),
            1,
            departure,
            need,
            wh.map(|v| WhPerMile::new(v).unwrap()),
            now(),
        )
    }

    fn in_hours(h: i64) -> DateTime<Utc> {
        now() + Duration::hours(h)
    }

    fn err(departure: DateTime<Utc>, need: EnergyNeed, wh: Option<f64>) -> String {
        request(departure, need, wh).unwrap_err().to_string()
    }

    #[test]
    fn a_request_in_kwh_is_accepted_and_stamped_with_now() {
        let r = request(in_hours(8), EnergyNeed::Kwh(20.0), None).unwrap();
        assert_eq!(r.energy.kwh(), Some(20.0));
        assert_eq!(r.stated_miles, None);
        assert_eq!(r.departure, in_hours(8));
        assert_eq!(r.submitted_at, now());
        assert_eq!(r.revision, 1);
    }

    #[test]
    fn departure_in_the_past_is_rejected() {
        assert_eq!(
            err(in_hours(-1), EnergyNeed::Kwh(20.0), None),
            "departure: is in the past"
        );
    }

    #[test]
    fn departure_exactly_now_is_rejected() {
        assert_eq!(
            err(now(), EnergyNeed::Kwh(20.0), None),
            "departure: is in the past"
        );
        assert!(request(now() + Duration::seconds(1), EnergyNeed::Kwh(20.0), None).is_ok());
    }

    #[test]
    fn departure_more_than_seven_days_away_is_rejected() {
        assert!(request(now() + Duration::days(7), EnergyNeed::Kwh(20.0), None).is_ok());
        assert_eq!(
            err(
                now() + Duration::days(7) + Duration::seconds(1),
                EnergyNeed::Kwh(20.0),
                None
            ),
            "departure: is more than 7 days away"
        );
    }

    #[test]
    fn revision_zero_is_rejected() {
        let e = ChargingRequest::new(
            SessionId::parse("s1").unwrap(),
            0,
            in_hours(1),
            EnergyNeed::AsMuchAsPossible,
            None,
            now(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "revision: must be at least 1");
    }

    #[test]
    fn negative_zero_nan_and_infinite_kwh_are_rejected() {
        let d = in_hours(8);
        assert_eq!(
            err(d, EnergyNeed::Kwh(-5.0), None),
            "energy_kwh: must be more than 0 kWh, got -5"
        );
        assert_eq!(
            err(d, EnergyNeed::Kwh(0.0), None),
            "energy_kwh: must be more than 0 kWh, got 0"
        );
        assert_eq!(
            err(d, EnergyNeed::Kwh(f64::NAN), None),
            "energy_kwh: must be a finite number, got NaN"
        );
        assert_eq!(
            err(d, EnergyNeed::Kwh(f64::INFINITY), None),
            "energy_kwh: must be a finite number, got inf"
        );
    }

    #[test]
    fn absurd_kwh_is_rejected_as_more_than_any_car_holds() {
        assert_eq!(
            err(in_hours(8), EnergyNeed::Kwh(5000.0), None),
            "energy_kwh: 5000 kWh is more than any car holds (max 250)"
        );
        assert_eq!(
            request(in_hours(8), EnergyNeed::Kwh(250.0), None)
                .unwrap()
                .energy
                .kwh(),
            Some(250.0)
        );
    }

    #[test]
    fn miles_are_converted_with_the_vehicles_wh_per_mile() {
        let r = request(in_hours(8), EnergyNeed::Miles(60.0), Some(300.0)).unwrap();
        assert_eq!(r.energy.kwh(), Some(18.0));
        assert_eq!(r.stated_miles, Some(60.0));
        let r = request(in_hours(8), EnergyNeed::Miles(40.0), Some(250.0)).unwrap();
        assert_eq!(r.energy.kwh(), Some(10.0));
    }

    #[test]
    fn miles_without_wh_per_mile_are_rejected() {
        assert_eq!(
            err(in_hours(8), EnergyNeed::Miles(60.0), None),
            "miles: needs the vehicle's Wh/mile to convert"
        );
    }

    #[test]
    fn invalid_or_absurd_miles_are_rejected() {
        let d = in_hours(8);
        assert_eq!(
            err(d, EnergyNeed::Miles(0.0), Some(300.0)),
            "miles: must be more than 0 miles, got 0"
        );
        assert_eq!(
            err(d, EnergyNeed::Miles(-10.0), Some(300.0)),
            "miles: must be more than 0 miles, got -10"
        );
        assert_eq!(
            err(d, EnergyNeed::Miles(f64::NAN), Some(300.0)),
            "miles: must be a finite number, got NaN"
        );
        assert_eq!(
            err(d, EnergyNeed::Miles(1001.0), Some(300.0)),
            "miles: 1001 miles is more than any car goes on one charge (max 1000)"
        );
    }

    #[test]
    fn miles_that_convert_to_more_than_250_kwh_are_rejected() {
        assert_eq!(
            err(in_hours(8), EnergyNeed::Miles(900.0), Some(300.0)),
            "miles: 900 miles at 300 Wh/mile is 270 kWh, more than any car holds (max 250 kWh)"
        );
        assert!(request(in_hours(8), EnergyNeed::Miles(1000.0), Some(250.0)).is_ok());
    }

    #[test]
    fn as_much_as_possible_has_no_kwh_amount() {
        let r = request(in_hours(8), EnergyNeed::AsMuchAsPossible, None).unwrap();
        assert_eq!(r.energy, RequestedEnergy::AsMuchAsPossible);
        assert_eq!(r.energy.kwh(), None);
    }

    #[test]
    fn requested_energy_serializes_in_snake_case() {
        let kwh = RequestedEnergy::Kwh(KilowattHours::new(18.0).unwrap());
        assert_eq!(serde_json::to_string(&kwh).unwrap(), "{\"kwh\":18.0}");
        assert_eq!(
            serde_json::to_string(&RequestedEnergy::AsMuchAsPossible).unwrap(),
            "\"as_much_as_possible\""
        );
        assert!(serde_json::from_str::<RequestedEnergy>("{\"kwh\":-1.0}").is_err());
        let r = request(in_hours(8), EnergyNeed::Miles(60.0), Some(300.0)).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<ChargingRequest>(&json).unwrap(), r);
    }
}
