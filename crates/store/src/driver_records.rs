//! Records of the driver flow: personal links, phone verifications, what each driver was last
//! told, and the SMS suppression list.

use chargeplan_core::{ParticipantId, PhoneNumber, SessionId, SiteId};
use chrono::{DateTime, Utc};

/// A driver's personal link to one session's request page. Only a hash of the link's token
/// is stored: a database leak does not hand out working links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverLink {
    /// Lowercase hex SHA-256 of the token in the link.
    pub token_hash: String,
    pub session_id: SessionId,
    pub participant_id: ParticipantId,
    pub site_id: SiteId,
    pub created_at: DateTime<Utc>,
}

/// A one-time code texted to a phone number that registers itself at a site.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneVerification {
    /// Random id carried by the registration form between its two steps.
    pub id: String,
    pub site_id: SiteId,
    pub phone: PhoneNumber,
    /// Hash of the code (the code itself is only in the SMS).
    pub code_hash: String,
    /// Wrong codes entered so far.
    pub attempts: u32,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Set once the right code was entered; a verification is used at most once.
    pub verified_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for PhoneVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneVerification")
            .field("id", &self.id)
            .field("site_id", &self.site_id)
            .field("phone", &self.phone)
            .field("code_hash", &"[REDACTED]")
            .field("attempts", &self.attempts)
            .field("expires_at", &self.expires_at)
            .field("verified_at", &self.verified_at)
            .finish_non_exhaustive()
    }
}

/// What the driver of a session was last told, so each confirmation and warning goes out once.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverNotice {
    pub session_id: SessionId,
    /// The latest request revision whose confirmation has been queued (0: none yet).
    pub confirmed_revision: u32,
    /// The energy (kWh, delivered so far plus planned) we last told the driver to expect.
    pub promised_kwh: Option<f64>,
    /// Whether "your request is met" has been queued.
    pub met_notified: bool,
    pub updated_at: DateTime<Utc>,
}

impl DriverNotice {
    /// The state of a session whose driver has been told nothing yet.
    pub fn new(session_id: SessionId, now: DateTime<Utc>) -> Self {
        Self {
            session_id,
            confirmed_revision: 0,
            promised_kwh: None,
            met_notified: false,
            updated_at: now,
        }
    }
}

/// Why a number is on the suppression list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionReason {
    /// The recipient replied STOP (or the provider says they did: Twilio 21610).
    OptedOut,
    /// The provider says the number cannot receive texts.
    InvalidNumber,
}

impl SuppressionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptedOut => "opted_out",
            Self::InvalidNumber => "invalid_number",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::OptedOut, Self::InvalidNumber]
            .into_iter()
            .find(|reason| reason.as_str() == name)
    }
}
