//! Records that belong to the store rather than the domain: the outbox and the event log.

use chargeplan_core::{PhoneNumber, SiteId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened at a site, for the control loop and the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    SessionStarted,
    SessionEnded,
    PowerChanged,
    RequestSubmitted,
    CapChanged,
    TariffChanged,
    PlanStored,
    SetpointChanged,
    /// Someone joined or left a waitlist or answered an offer: the site's worker looks at
    /// its line again (it does not re-plan).
    WaitlistChanged,
}

impl EventKind {
    const ALL: [Self; 9] = [
        Self::SessionStarted,
        Self::SessionEnded,
        Self::PowerChanged,
        Self::RequestSubmitted,
        Self::CapChanged,
        Self::TariffChanged,
        Self::PlanStored,
        Self::SetpointChanged,
        Self::WaitlistChanged,
    ];

    /// The name stored in the `events.kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SessionStarted => "session_started",
            Self::SessionEnded => "session_ended",
            Self::PowerChanged => "power_changed",
            Self::RequestSubmitted => "request_submitted",
            Self::CapChanged => "cap_changed",
            Self::TariffChanged => "tariff_changed",
            Self::PlanStored => "plan_stored",
            Self::SetpointChanged => "setpoint_changed",
            Self::WaitlistChanged => "waitlist_changed",
        }
    }

    /// The kind stored under `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// An event to append to the log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub site_id: SiteId,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub payload: serde_json::Value,
}

/// An event as stored, with its position in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Increasing position in the log; consumers remember the last one they handled.
    pub id: i64,
    pub site_id: SiteId,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub payload: serde_json::Value,
}

/// A text message to send, written with the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxMessage {
    pub site_id: Option<SiteId>,
    pub recipient: PhoneNumber,
    pub body: String,
    /// Same key, same message: enqueuing it again does nothing.
    pub idempotency_key: String,
    /// Not delivered before this instant.
    pub not_before: DateTime<Utc>,
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for its first or next attempt.
    Pending,
    /// Claimed by a worker until `claimed_until`; reclaimed after that if the worker died.
    Sending,
    /// Accepted by the provider.
    Sent,
    /// Given up on; `last_error` says why.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Sending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|state| state.as_str() == name)
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub site_id: Option<SiteId>,
    pub recipient: PhoneNumber,
    pub body: String,
    pub idempotency_key: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub not_before: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub provider_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Side effects written in the same transaction as the change that causes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub events: Vec<NewEvent>,
    pub messages: Vec<NewOutboxMessage>,
}

impl Effects {
    pub fn none() -> Self {
        Self::default()
    }
}

/// The OCPI party (country code and party id) a CPO names in a session object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionParty {
    pub country_code: String,
    pub party_id: String,
}

impl SessionParty {
    /// Whether `country_code` and `party_id` (as in a URL) name this party; OCPI compares
    /// them without regard to case.
    pub fn is(&self, country_code: &str, party_id: &str) -> bool {
        self.country_code.eq_ignore_ascii_case(country_code)
            && self.party_id.eq_ignore_ascii_case(party_id)
    }
}

/// What an upsert of vendor session data did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionUpsert {
    /// A session we had not seen.
    Inserted,
    /// Newer data for a known session.
    Updated,
    /// Older or duplicate data: nothing changed.
    Unchanged,
}

/// A vendor cloud account: where the CPO is and the tokens of our registration with it.
#[derive(Clone, PartialEq)]
pub struct VendorAccount {
    pub id: chargeplan_core::VendorAccountId,
    /// The protocol spoken, e.g. `ocpi-2.2.1`.
    pub protocol: String,
    pub versions_url: String,
    /// The token we present to the CPO (OCPI token C); a secret.
    pub outbound_token: String,
    /// The token the CPO presents to us (OCPI token B); a secret.
    pub inbound_token: String,
    /// `base64` (OCPI 2.2.1) or `raw` (older peers).
    pub token_encoding: String,
    pub sessions_url: String,
    pub locations_url: String,
    pub charging_profiles_url: String,
    /// `W` or `A`: the unit of the charging profiles this CPO wants.
    pub rate_unit: String,
    /// Disabled accounts are neither polled nor sent profiles.
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for VendorAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorAccount")
            .field("id", &self.id)
            .field("protocol", &self.protocol)
            .field("versions_url", &self.versions_url)
            .field("outbound_token", &"[REDACTED]")
            .field("inbound_token", &"[REDACTED]")
            .field("token_encoding", &self.token_encoding)
            .field("rate_unit", &self.rate_unit)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}
