//! Public scenario and introspection types: arrivals, session views, the profile log.

use chrono::{DateTime, Utc};

use crate::wire::ChargingProfile;

/// A car to plug in.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalSpec {
    /// EVSE uid.
    pub evse: String,
    /// The driver's token uid (`cdr_token.uid`).
    pub token_uid: String,
    /// When the car plugs in; a past or present instant plugs it in at once.
    pub arrival: DateTime<Utc>,
    /// When it leaves; `None` stays until [`crate::SimHandle::unplug`] or a scheduled departure.
    pub departure: Option<DateTime<Utc>>,
    /// Usable battery capacity.
    pub battery_kwh: f64,
    /// State of charge at arrival, 0.0–1.0.
    pub soc: f64,
    /// Maximum power the car accepts.
    pub max_kw: f64,
}

/// OCPI session status as the simulator uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    /// Car plugged in.
    Active,
    /// Car gone; final.
    Completed,
}

/// What a session looks like from the inside.
#[derive(Debug, Clone, PartialEq)]
pub struct SimSession {
    /// Session id.
    pub id: String,
    /// Location id.
    pub location_id: String,
    /// EVSE uid.
    pub evse_uid: String,
    /// Token uid.
    pub token_uid: String,
    /// Status.
    pub status: SessionStatus,
    /// Start.
    pub start: DateTime<Utc>,
    /// End, once completed.
    pub end: Option<DateTime<Utc>>,
    /// Scheduled departure.
    pub departure: Option<DateTime<Utc>>,
    /// Energy delivered.
    pub kwh: f64,
    /// State of charge now, 0.0–1.0.
    pub soc: f64,
    /// Power drawn now.
    pub power_kw: f64,
    /// Profile limit in force now.
    pub limit_kw: Option<f64>,
    /// Number of charging periods.
    pub charging_periods: usize,
    /// Last change.
    pub last_updated: DateTime<Utc>,
}

/// Which charging-profile call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileRequestKind {
    /// `PUT` (SetChargingProfile).
    Set,
    /// `DELETE` (clear).
    Clear,
    /// `GET` (active profile).
    Get,
}

/// `ChargingProfileResponseType`, the synchronous answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileAnswer {
    /// `ACCEPTED`.
    Accepted,
    /// `NOT_SUPPORTED`.
    NotSupported,
    /// `REJECTED`.
    Rejected,
    /// `TOO_OFTEN`.
    TooOften,
    /// `UNKNOWN_SESSION`.
    UnknownSession,
}

impl ProfileAnswer {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::NotSupported => "NOT_SUPPORTED",
            Self::Rejected => "REJECTED",
            Self::TooOften => "TOO_OFTEN",
            Self::UnknownSession => "UNKNOWN_SESSION",
        }
    }
}

/// `ChargingProfileResultType`, the asynchronous result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsyncResult {
    /// `ACCEPTED`.
    Accepted,
    /// `REJECTED`.
    Rejected,
    /// `UNKNOWN`.
    Unknown,
}

impl AsyncResult {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::Rejected => "REJECTED",
            Self::Unknown => "UNKNOWN",
        }
    }
}

/// One charging-profile request received, with what the simulator did about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileLogEntry {
    /// Simulated time of receipt.
    pub at: DateTime<Utc>,
    /// Session id from the URL.
    pub session_id: String,
    /// PUT, DELETE or GET.
    pub kind: ProfileRequestKind,
    /// The profile, for a PUT.
    pub profile: Option<ChargingProfile>,
    /// Where the result goes.
    pub response_url: String,
    /// The synchronous answer.
    pub answer: ProfileAnswer,
    /// The asynchronous result planned, if any.
    pub async_result: Option<AsyncResult>,
    /// HTTP status of the result POST once made (`Err` with the error when it failed).
    pub delivered: Option<Result<u16, String>>,
    /// Departures from the spec in the request (the profile is still applied).
    pub warnings: Vec<String>,
}

/// Cars for [`crate::Site::demo`]: six already charging at `now` (three-phase ports 1–6 and the
/// uncontrolled port 9) leaving over the next 2–9 hours, and two arriving within the hour.
pub fn demo_arrivals(now: DateTime<Utc>) -> Vec<ArrivalSpec> {
    let h = |x: f64| chrono::Duration::seconds((x * 3600.0) as i64);
    let car =
        |evse: &str, token: &str, arrive: f64, stay: f64, battery: f64, soc: f64, max_kw: f64| {
            ArrivalSpec {
                evse: evse.into(),
                token_uid: token.into(),
                arrival: now + h(arrive),
                departure: Some(now + h(arrive + stay)),
                battery_kwh: battery,
                soc,
                max_kw,
            }
        };
    vec![
        car("DEMO-01", "DEMO-TOKEN-01", 0.0, 4.0, 58.0, 0.35, 11.0),
        car("DEMO-02", "DEMO-TOKEN-02", 0.0, 8.5, 77.0, 0.20, 11.0),
        car("DEMO-03", "DEMO-TOKEN-03", 0.0, 2.0, 40.0, 0.70, 7.4),
        car("DEMO-04", "DEMO-TOKEN-04", 0.0, 6.0, 64.0, 0.55, 11.0),
        car("DEMO-05", "DEMO-TOKEN-05", 0.0, 9.0, 82.0, 0.10, 11.0),
        car("DEMO-09", "DEMO-TOKEN-09", 0.0, 3.0, 50.0, 0.45, 7.4),
        car("DEMO-06", "DEMO-TOKEN-06", 0.5, 5.0, 60.0, 0.30, 11.0),
        car("DEMO-07", "DEMO-TOKEN-07", 0.75, 7.0, 75.0, 0.25, 11.0),
    ]
}
