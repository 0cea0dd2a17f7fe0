//! OCPI 2.2.1 objects as they travel on the wire (only the fields chargeplan uses; unknown
//! fields are ignored, as the spec asks of receivers).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The envelope around every OCPI response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    pub status_code: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    pub timestamp: DateTime<Utc>,
}

/// One entry of `GET versions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub version: String,
    pub url: String,
}

/// `GET {version url}`: the modules a peer offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionDetails {
    pub version: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub identifier: String,
    pub role: String,
    pub url: String,
}

/// The credentials object exchanged during registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub token: String,
    pub url: String,
    pub roles: Vec<CredentialsRole>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialsRole {
    pub role: String,
    pub business_details: BusinessDetails,
    pub party_id: String,
    pub country_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessDetails {
    pub name: String,
}

/// A charging session as a CPO reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub country_code: String,
    pub party_id: String,
    pub id: String,
    pub start_date_time: DateTime<Utc>,
    #[serde(default)]
    pub end_date_time: Option<DateTime<Utc>>,
    pub kwh: f64,
    pub cdr_token: CdrToken,
    pub location_id: String,
    pub evse_uid: String,
    pub connector_id: String,
    #[serde(default)]
    pub charging_periods: Vec<ChargingPeriod>,
    pub status: String,
    pub last_updated: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CdrToken {
    pub uid: String,
    #[serde(rename = "type")]
    pub token_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingPeriod {
    pub start_date_time: DateTime<Utc>,
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    #[serde(rename = "type")]
    pub dimension_type: String,
    pub volume: f64,
}

/// A location with its EVSEs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    #[serde(default)]
    pub evses: Vec<Evse>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evse {
    pub uid: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    pub connectors: Vec<Connector>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connector {
    pub id: String,
    pub power_type: String,
    pub max_voltage: f64,
    pub max_amperage: f64,
    #[serde(default)]
    pub max_electric_power: Option<f64>,
}

/// Body of `PUT chargingprofiles/{session_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetChargingProfile {
    pub charging_profile: ChargingProfile,
    pub response_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    pub charging_rate_unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_charging_rate: Option<f64>,
    #[serde(default)]
    pub charging_profile_period: Vec<ChargingProfilePeriod>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingProfilePeriod {
    pub start_period: u32,
    pub limit: f64,
}

/// The CPO's synchronous answer to a profile request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargingProfileResponse {
    pub result: String,
    pub timeout: u32,
}

/// The result a CPO POSTs to `response_url` later (`ChargingProfileResult`,
/// `ClearProfileResult`, or `ActiveChargingProfileResult` with its profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileResult {
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ActiveChargingProfile>,
}

/// The profile in force, as the CPO computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveChargingProfile {
    pub start_date_time: DateTime<Utc>,
    pub charging_profile: ChargingProfile,
}
