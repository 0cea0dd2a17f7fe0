//! Charging sessions as reported by vendor clouds, and their meter samples.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ValueError, require_finite};
use crate::ids::{PortId, SessionId, SiteId, TokenUid, VendorAccountId};
use crate::units::{KilowattHours, Kilowatts};

/// Session status, as in OCPI 2.2.1 `SessionStatus` (serialized `"ACTIVE"` etc.).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionStatus {
    /// Accepted by the station, not yet charging.
    Pending,
    /// Charging or plugged in.
    Active,
    /// Ended normally.
    Completed,
    /// Ended and declared invalid by the CPO.
    Invalid,
    /// A reservation, not a charging session yet.
    Reservation,
}

impl SessionStatus {
    /// The OCPI string, e.g. `"ACTIVE"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
            Self::Completed => "COMPLETED",
            Self::Invalid => "INVALID",
            Self::Reservation => "RESERVATION",
        }
    }

    /// Parses the OCPI string (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        [
            Self::Pending,
            Self::Active,
            Self::Completed,
            Self::Invalid,
            Self::Reservation,
        ]
        .into_iter()
        .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            ValueError::invalid(
                "status",
                format!("unknown session status '{s}', expected PENDING, ACTIVE, COMPLETED, INVALID or RESERVATION"),
            )
        })
    }

    /// Whether the session can no longer change (COMPLETED or INVALID).
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Invalid)
    }
}

/// A charging session at one of our sites, as last reported by its vendor cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Our identifier.
    pub id: SessionId,
    /// The site it is at.
    pub site_id: SiteId,
    /// The vendor account that reported it.
    pub vendor_account: VendorAccountId,
    /// The vendor's id for it (OCPI `Session.id`), unique per vendor account.
    pub vendor_session_id: String,
    /// The port it is on, once matched.
    pub port_id: Option<PortId>,
    /// The token that started it (OCPI `cdr_token.uid`), if known.
    pub token_uid: Option<TokenUid>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended, once it has.
    pub ended_at: Option<DateTime<Utc>>,
    /// Energy delivered so far.
    pub energy: KilowattHours,
    /// Power being drawn at the last report.
    pub power: Kilowatts,
    /// Status at the last report.
    pub status: SessionStatus,
    /// The vendor's `last_updated` of the report we hold; older reports are ignored.
    pub vendor_updated_at: DateTime<Utc>,
}

/// One meter reading of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeterSample {
    /// The session it belongs to.
    pub session_id: SessionId,
    /// When it was measured.
    pub at: DateTime<Utc>,
    /// Energy delivered since the session started.
    pub energy: KilowattHours,
    /// Power being drawn.
    pub power: Kilowatts,
    /// Vehicle state of charge in percent, 0 to 100, if the station reports it.
    pub state_of_charge_pct: Option<f64>,
}

impl MeterSample {
    /// Validates a sample: the state of charge, if given, must be 0 to 100 %.
    pub fn new(
        session_id: SessionId,
        at: DateTime<Utc>,
        energy: KilowattHours,
        power: Kilowatts,
        state_of_charge_pct: Option<f64>,
    ) -> Result<Self, ValueError> {
        let state_of_charge_pct = match state_of_charge_pct {
            None => None,
            Some(v) => {
                let v = require_finite("state_of_charge_pct", v)?;
                if !(0.0..=100.0).contains(&v) {
                    return Err(ValueError::invalid(
                        "state_of_charge_pct",
                        format!("must be between 0 and 100 %, got {v}"),
                    ));
                }
                Some(v + 0.0)
            }
        };
        Ok(Self {
            session_id,
            at,
            energy,
            power,
            state_of_charge_pct,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [SessionStatus; 5] = [
        SessionStatus::Pending,
        SessionStatus::Active,
        SessionStatus::Completed,
        SessionStatus::Invalid,
        SessionStatus::Reservation,
    ];

    #[test]
    fn statuses_use_the_ocpi_names() {
        for s in ALL {
            assert_eq!(SessionStatus::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(SessionStatus::Active.as_str(), "ACTIVE");
        assert_eq!(
            SessionStatus::parse(" active ").unwrap(),
            SessionStatus::Active
        );
        assert_eq!(
            serde_json::from_str::<SessionStatus>("\"RESERVATION\"").unwrap(),
            SessionStatus::Reservation
        );
    }

    #[test]
    fn an_unknown_status_is_rejected() {
        assert_eq!(
            SessionStatus::parse("CHARGING").unwrap_err().to_string(),
            "status: unknown session status 'CHARGING', expected PENDING, ACTIVE, COMPLETED, INVALID or RESERVATION"
        );
    }

    #[test]
    fn only_completed_and_invalid_are_final() {
        let finals: Vec<SessionStatus> = ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [SessionStatus::Completed, SessionStatus::Invalid]);
    }

    fn sample(soc: Option<f64>) -> Result<MeterSample, ValueError> {
        MeterSample::new(
            SessionId::parse("s1").unwrap(),
            "2026-06-01T00:00:00Z".parse().unwrap(),
            KilowattHours::new(3.5).unwrap(),
            Kilowatts::new(6.6).unwrap(),
            soc,
        )
    }

    #[test]
    fn state_of_charge_must_be_a_percentage() {
        assert!(sample(None).is_ok());
        assert_eq!(sample(Some(0.0)).unwrap().state_of_charge_pct, Some(0.0));
        assert!(sample(Some(100.0)).is_ok());
        assert_eq!(
            sample(Some(101.0)).unwrap_err().to_string(),
            "state_of_charge_pct: must be between 0 and 100 %, got 101"
        );
        assert!(sample(Some(-1.0)).is_err());
        assert_eq!(
            sample(Some(f64::NAN)).unwrap_err().to_string(),
            "state_of_charge_pct: must be a finite number, got NaN"
        );
    }

    #[test]
    fn a_session_round_trips_through_json() {
        let s = Session {
            id: SessionId::parse("s1").unwrap(),
            site_id: SiteId::parse("lot-b").unwrap(),
            vendor_account: VendorAccountId::parse("acme").unwrap(),
            vendor_session_id: "ocpi-101".into(),
            port_id: Some(PortId::parse("p1").unwrap()),
            token_uid: Some(TokenUid::parse("abc").unwrap()),
            started_at: "2026-06-01T08:00:00Z".parse().unwrap(),
            ended_at: None,
            energy: KilowattHours::new(3.5).unwrap(),
            power: Kilowatts::new(6.6).unwrap(),
            status: SessionStatus::Active,
            vendor_updated_at: "2026-06-01T08:30:00Z".parse().unwrap(),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"ACTIVE\""), "{json}");
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), s);
    }
}
