//! OCPI 2.2.1 JSON objects, built from the specification (not shared with the client on purpose).

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Formats a DateTime the way this CPO emits it: RFC 3339, UTC, whole seconds, `Z`.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an OCPI DateTime leniently: with `Z`, an offset, or no zone (UTC); fractional seconds allowed.
/// A `+` that a query string decoded into a space is restored.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim().replace(' ', "+");
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

fn ser_dt<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_datetime(*t))
}

fn ser_opt_dt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => ser_dt(t, s),
        None => s.serialize_none(),
    }
}

fn de_opt_dt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(s) => parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid DateTime {s:?}"))),
    }
}

/// The response envelope every answer carries.
#[derive(Debug, Clone, Serialize)]
pub struct Envelope {
    /// Payload; omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// OCPI status code (1000 = success).
    pub status_code: u32,
    /// Human-readable status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// Simulated time of the answer.
    #[serde(serialize_with = "ser_dt")]
    pub timestamp: DateTime<Utc>,
}

/// `charging_rate_unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChargingRateUnit {
    /// Total power in watts.
    W,
    /// Current per phase in amperes.
    A,
}

/// One `ChargingProfilePeriod`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingProfilePeriod {
    /// Seconds from the profile's start.
    pub start_period: i64,
    /// Maximum, in the profile's unit.
    pub limit: f64,
}

/// `ChargingProfile`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingProfile {
    /// Absolute start; absent means the start of charging.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dt",
        deserialize_with = "de_opt_dt"
    )]
    pub start_date_time: Option<DateTime<Utc>>,
    /// Seconds; absent means the last period runs until the session ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// `W` or `A`.
    pub charging_rate_unit: ChargingRateUnit,
    /// Informative minimum rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_charging_rate: Option<f64>,
    /// The periods, ordered by `start_period`.
    #[serde(default)]
    pub charging_profile_period: Vec<ChargingProfilePeriod>,
}

/// Body of a `PUT chargingprofiles/{session_id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct SetChargingProfile {
    /// The profile.
    pub charging_profile: ChargingProfile,
    /// Where the asynchronous result goes.
    pub response_url: String,
}

/// `ActiveChargingProfile`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveChargingProfile {
    /// When it was computed; periods are relative to it.
    #[serde(serialize_with = "ser_dt")]
    pub start_date_time: DateTime<Utc>,
    /// The effective limits.
    pub charging_profile: ChargingProfile,
}

/// The `Credentials` object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    /// The token the receiver must use to call the sender.
    pub token: String,
    /// The sender's versions URL.
    pub url: String,
    /// Roles of the sender.
    #[serde(default)]
    pub roles: Vec<Value>,
}

/// A charging period with its dimensions, as the Session object carries it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChargingPeriodJson {
    /// Start; the period ends when the next one starts.
    #[serde(serialize_with = "ser_dt")]
    pub start_date_time: DateTime<Utc>,
    /// `ENERGY` (kWh in the period), `POWER` (average kW), `STATE_OF_CHARGE` (% at its end).
    pub dimensions: Vec<Dimension>,
}

/// One `CdrDimension`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    /// Dimension type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Value, four decimals.
    pub volume: f64,
}

/// `CdrToken`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CdrToken {
    /// eMSP country.
    pub country_code: String,
    /// eMSP party.
    pub party_id: String,
    /// Token uid.
    pub uid: String,
    /// Token type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Contract id.
    pub contract_id: String,
}

/// The `Session` object as the CPO serves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionJson {
    /// CPO country.
    pub country_code: String,
    /// CPO party.
    pub party_id: String,
    /// Session id.
    pub id: String,
    /// Start of the session.
    #[serde(serialize_with = "ser_dt")]
    pub start_date_time: DateTime<Utc>,
    /// End, once completed.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_dt")]
    pub end_date_time: Option<DateTime<Utc>>,
    /// Energy so far.
    pub kwh: f64,
    /// Who charges.
    pub cdr_token: CdrToken,
    /// How the session was authorized.
    pub auth_method: &'static str,
    /// Location.
    pub location_id: String,
    /// EVSE.
    pub evse_uid: String,
    /// Connector.
    pub connector_id: String,
    /// ISO 4217.
    pub currency: String,
    /// Periods, oldest first.
    pub charging_periods: Vec<ChargingPeriodJson>,
    /// `ACTIVE` or `COMPLETED`.
    pub status: &'static str,
    /// Last change.
    #[serde(serialize_with = "ser_dt")]
    pub last_updated: DateTime<Utc>,
}

/// Rounds to OCPI's four decimals.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
