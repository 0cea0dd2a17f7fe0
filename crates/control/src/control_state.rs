//! Whether a session is under our control, from its newest setpoints and the retry policy.
//! A **refused** limit (the vendor said no) leaves the session at its port's maximum until
//! the refusal retry; an **unknown** outcome (the request or its answer was lost) leaves it
//! there only for a short back-off that grows with each unknown outcome in a row, after which
//! the session is planned and its profile sent again.

use chargeplan_core::{Setpoint, SetpointState};
use chrono::{DateTime, Duration, Utc};

/// When a session whose limit is not in force is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// After a refusal (`REJECTED`, `NOT_SUPPORTED`, a 4xx), the session counts at its port's
    /// maximum and is sent nothing for this long.
    pub refusal_retry: Duration,
    /// After the first unknown outcome (5xx, timeout, reset, unreadable answer, no result),
    /// the profile is sent again this soon; the wait doubles with each unknown in a row...
    pub unknown_retry_first: Duration,
    /// ... up to this.
    pub unknown_retry_max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            refusal_retry: Duration::minutes(5),
            unknown_retry_first: Duration::seconds(5),
            unknown_retry_max: Duration::seconds(60),
        }
    }
}

impl RetryPolicy {
    /// How far back the setpoints that decide a session's state reach.
    pub fn lookback(&self) -> Duration {
        self.refusal_retry.max(self.unknown_retry_max * 8)
    }
}

/// A session's control state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlState {
    /// Planned and limited (or about to be): its newest limit is accepted or pending, or its
    /// retry is due.
    Controlled,
    /// The vendor refused its newest limit: counted at the port's maximum until `retry_at`.
    Refused {
        reason: Option<String>,
        retry_at: DateTime<Utc>,
    },
    /// Its newest limit may or may not be in force: counted at the port's maximum until
    /// `retry_at`, or until a late answer settles it.
    Unknown {
        reason: Option<String>,
        /// Unknown outcomes in a row.
        attempts: u32,
        retry_at: DateTime<Utc>,
    },
}

impl ControlState {
    /// From a session's setpoints, oldest first, as seen at `now`.
    pub fn of(setpoints: &[Setpoint], now: DateTime<Utc>, policy: &RetryPolicy) -> Self {
        let Some(newest) = setpoints.last() else {
            return Self::Controlled;
        };
        match newest.state {
            SetpointState::Accepted | SetpointState::Pending => Self::Controlled,
            SetpointState::Rejected => {
                let retry_at = newest.updated_at + policy.refusal_retry;
                if now < retry_at {
                    Self::Refused {
                        reason: newest.reason.clone(),
                        retry_at,
                    }
                } else {
                    Self::Controlled
                }
            }
            SetpointState::Failed => {
                let attempts = setpoints
                    .iter()
                    .rev()
                    .take_while(|sp| sp.state == SetpointState::Failed)
                    .count();
                let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
                let wait = policy
                    .unknown_retry_first
                    .checked_mul(1 << attempts.saturating_sub(1).min(16))
                    .unwrap_or(policy.unknown_retry_max)
                    .min(policy.unknown_retry_max);
                let retry_at = newest.updated_at + wait;
                if now < retry_at {
                    Self::Unknown {
                        reason: newest.reason.clone(),
                        attempts,
                        retry_at,
                    }
                } else {
                    Self::Controlled
                }
            }
        }
    }

    /// When the session is planned again, if it is not under control now.
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Controlled => None,
            Self::Refused { retry_at, .. } | Self::Unknown { retry_at, .. } => Some(*retry_at),
        }
    }

    /// `controlled`, `refused` or `unknown`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Controlled => "controlled",
            Self::Refused { .. } => "refused",
            Self::Unknown { .. } => "unknown",
        }
    }
}

#[cfg(test)]
#[path = "control_state_tests.rs"]
mod tests;
