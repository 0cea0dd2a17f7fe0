//! The `VendorCloud` trait: what chargeplan needs from any vendor's charging-station cloud,
//! in vendor-neutral types.

use async_trait::async_trait;
use chargeplan_core::SessionStatus;
use chrono::{DateTime, Utc};

use crate::OcpiError;

/// A charging session as a vendor reports it, already sanity-checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorSession {
    pub vendor_session_id: String,
    pub location_id: String,
    pub evse_uid: String,
    pub connector_id: String,
    /// RFID or app token that started it (OCPI `cdr_token.uid`).
    pub token_uid: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub energy_kwh: f64,
    /// The latest measured power, when the vendor reports one.
    pub power_kw: Option<f64>,
    pub status: SessionStatus,
    pub last_updated: DateTime<Utc>,
    /// Meter readings derived from the charging periods, oldest first.
    pub samples: Vec<VendorSample>,
    /// The OCPI party the session object names, kept with the session so that another party
    /// cannot change it (`None` where the protocol has no parties).
    pub party: Option<chargeplan_store::SessionParty>,
}

/// One meter reading of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorSample {
    pub at: DateTime<Utc>,
    /// Energy delivered since the session started.
    pub energy_kwh: f64,
    pub power_kw: f64,
    pub state_of_charge_pct: Option<f64>,
}

/// A connector as the vendor describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorPort {
    pub location_id: String,
    pub evse_uid: String,
    pub connector_id: String,
    pub max_kw: f64,
    pub phases: u8,
    /// Line-to-neutral voltage.
    pub voltage_v: f64,
    /// Whether the vendor accepts charging profiles for it.
    pub controllable: bool,
}

/// The unit of a charging profile's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// Total power in watts.
    Watts,
    /// Current per phase in amperes.
    Amperes,
}

/// A power limit schedule for one session.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRequest {
    pub starts_at: DateTime<Utc>,
    pub unit: RateUnit,
    /// Below this the car should rather not charge (J1772: 6 A).
    pub min_rate: Option<f64>,
    /// `(offset from starts_at in seconds, limit in unit)`; the first offset is 0.
    pub periods: Vec<(u32, f64)>,
    /// Duration of the schedule in seconds; the last period holds until then.
    pub duration_s: Option<u32>,
}

/// The vendor's immediate answer to a profile request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileAnswer {
    /// Taken on; the final result arrives asynchronously within `timeout_s`.
    Accepted {
        timeout_s: u32,
    },
    Rejected,
    NotSupported,
    /// Rate limited: try again later.
    TooOften,
    UnknownSession,
}

/// What a vendor cloud does for chargeplan.
#[async_trait]
pub trait VendorCloud: Send + Sync + std::fmt::Debug {
    /// Sessions changed at or after `since`, with records that fail validation reported apart.
    async fn sessions_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Listing<VendorSession>, OcpiError>;
    /// Every connector with its power limit and controllability.
    async fn ports(&self) -> Result<Listing<VendorPort>, OcpiError>;
    /// Sets a session's charging profile; `response_id` names the asynchronous result.
    async fn set_profile(
        &self,
        vendor_session_id: &str,
        profile: &ProfileRequest,
        response_id: &str,
    ) -> Result<ProfileAnswer, OcpiError>;
    /// Removes a session's charging profile.
    async fn clear_profile(
        &self,
        vendor_session_id: &str,
        response_id: &str,
    ) -> Result<ProfileAnswer, OcpiError>;
}

/// Records that passed validation, and those refused with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub rejected: Vec<crate::RejectedRecord>,
}
