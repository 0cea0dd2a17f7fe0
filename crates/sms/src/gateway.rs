//! The `SmsGateway` trait every SMS provider adapter implements, and what a send can end in.

use std::time::Duration;

use async_trait::async_trait;
use chargeplan_core::PhoneNumber;

/// A text message to hand to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    pub to: PhoneNumber,
    pub body: String,
    /// The outbox key of this message; passed to providers that deduplicate on one.
    pub idempotency_key: String,
}

/// The provider accepted the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    /// The provider's id for the message (Twilio: `SM…`), to match status callbacks.
    pub provider_id: String,
}

/// Why a send failed, sorted by what the caller should do about it.
///
/// The messages never contain the recipient's number or the body, so they may be logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The recipient replied STOP (Twilio 21610): permanent, suppress the number.
    #[error("the recipient has opted out")]
    OptedOut,
    /// The number cannot receive texts (Twilio 21211, 21614): permanent, suppress the number.
    #[error("the number cannot receive text messages")]
    InvalidNumber,
    /// Too many requests (Twilio 20429 or HTTP 429): retry, not before `retry_after`.
    #[error("rate limited by the provider")]
    RateLimited { retry_after: Option<Duration> },
    /// Any other refusal (other 4xx): permanent for this message.
    #[error("rejected by the provider{}: {message}", code.map(|c| format!(" (error {c})")).unwrap_or_default())]
    Rejected { code: Option<u32>, message: String },
    /// The provider failed or could not be reached (5xx, timeout, connection): retry.
    #[error("provider unavailable: {0}")]
    Transient(String),
}

impl SendError {
    /// Whether trying the same message again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }
}

/// Sends text messages through a provider.
#[async_trait]
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    /// Hands one message to the provider; Ok means the provider accepted it (not delivered).
    async fn send(&self, message: &OutgoingSms) -> Result<SentSms, SendError>;
}

/// `text` with every run of 5 or more digits (phone numbers, possibly with a leading `+`)
/// replaced by `•••`, for provider messages that quote the number they refuse.
pub(crate) fn redact_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.chars().filter(char::is_ascii_digit).count() >= 5 {
            out.push_str("•••");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && digits.is_empty()) {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_messages_lose_the_phone_numbers_they_quote() {
        assert_eq!(
            redact_numbers("The 'To' number +15005550001 is not a valid phone number."),
            "The 'To' number ••• is not a valid phone number."
        );
        assert_eq!(redact_numbers("error 2110 at 12:30"), "error 2110 at 12:30");
        assert_eq!(redact_numbers("415 555 0123"), "415 555 0123");
        assert_eq!(redact_numbers("+ 1"), "+ 1");
    }

    #[test]
    fn only_rate_limits_and_transient_failures_are_retried() {
        assert!(SendError::Transient("timeout".into()).is_retryable());
        assert!(SendError::RateLimited { retry_after: None }.is_retryable());
        assert!(!SendError::OptedOut.is_retryable());
        assert!(!SendError::InvalidNumber.is_retryable());
        let rejected = SendError::Rejected {
            code: Some(21606),
            message: "no".into(),
        };
        assert!(!rejected.is_retryable());
        assert_eq!(
            rejected.to_string(),
            "rejected by the provider (error 21606): no"
        );
    }
}
