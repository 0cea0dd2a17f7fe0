//! Why a charging profile is, or may not be, in force: a **refusal** (the vendor said no; send
//! nothing more for a while) against an **unknown outcome** (the request or its answer was
//! lost; the vendor may well have applied it, so ask again within seconds).

use crate::OcpiError;

/// Why a profile did not end plainly accepted. Its [`Reason::label`] goes into logs, metrics
/// and the setpoint's stored `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The vendor answered `REJECTED`.
    Rejected,
    /// The vendor answered `NOT_SUPPORTED`.
    NotSupported,
    /// The asynchronous result was `REJECTED` (the charge point refused it).
    ResultRejected,
    /// The vendor refused our credentials (HTTP 401).
    Unauthorized,
    /// An HTTP status that says our request was wrong (4xx other than 401, 408, 429).
    ClientError(u16),
    /// An HTTP status that says the vendor failed (5xx, 408, 429).
    ServerError(u16),
    /// An OCPI status code 2xxx (client error) in the envelope.
    OcpiClientError(u32),
    /// An OCPI status code 3xxx or 4xxx (server or hub error) in the envelope.
    OcpiServerError(u32),
    /// No answer within the client's timeout.
    Timeout,
    /// The connection could not be made.
    Unreachable,
    /// The connection broke before the answer was complete.
    Reset,
    /// An answer arrived but could not be read (truncated or invalid JSON, no data).
    UnreadableBody,
    /// The vendor took the request on, but its asynchronous result did not come in time.
    NoResult,
    /// The asynchronous result was `UNKNOWN` (the charge point did not answer the vendor).
    ResultUnknown,
    /// We could not build the request.
    InvalidRequest,
}

impl Reason {
    /// Whether the vendor decided (a refusal), as opposed to an outcome nobody knows.
    pub fn is_refusal(self) -> bool {
        matches!(
            self,
            Self::Rejected
                | Self::NotSupported
                | Self::ResultRejected
                | Self::Unauthorized
                | Self::ClientError(_)
                | Self::OcpiClientError(_)
                | Self::InvalidRequest
        )
    }

    /// A short, stable name: `rejected`, `http_503`, `timeout`, `unreadable_body`, ...
    pub fn label(self) -> String {
        match self {
            Self::Rejected => "rejected".into(),
            Self::NotSupported => "not_supported".into(),
            Self::ResultRejected => "result_rejected".into(),
            Self::Unauthorized => "http_401".into(),
            Self::ClientError(status) | Self::ServerError(status) => format!("http_{status}"),
            Self::OcpiClientError(code) | Self::OcpiServerError(code) => format!("ocpi_{code}"),
            Self::Timeout => "timeout".into(),
            Self::Unreachable => "unreachable".into(),
            Self::Reset => "reset".into(),
            Self::UnreadableBody => "unreadable_body".into(),
            Self::NoResult => "no_result".into(),
            Self::ResultUnknown => "result_unknown".into(),
            Self::InvalidRequest => "invalid_request".into(),
        }
    }

    /// The reason behind a failed exchange with a vendor.
    pub fn of_error(error: &OcpiError) -> Self {
        match error {
            OcpiError::Unauthorized => Self::Unauthorized,
            OcpiError::Http { status } if *status >= 500 || matches!(status, 408 | 429) => {
                Self::ServerError(*status)
            }
            OcpiError::Http { status } => Self::ClientError(*status),
            OcpiError::Status { code, .. } if (2000..3000).contains(code) => {
                Self::OcpiClientError(*code)
            }
            OcpiError::Status { code, .. } => Self::OcpiServerError(*code),
            OcpiError::InvalidResponse(_) => Self::UnreadableBody,
            OcpiError::InvalidRequest(_) => Self::InvalidRequest,
            OcpiError::Transport { source: error } if error.is_timeout() => Self::Timeout,
            OcpiError::Transport { source: error } if error.is_connect() => Self::Unreachable,
            OcpiError::Transport { source: error } if error.is_decode() => Self::UnreadableBody,
            OcpiError::Transport { .. } => Self::Reset,
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_failures_are_unknown_outcomes_and_vendor_decisions_are_refusals() {
        let unknown = [
            OcpiError::Http { status: 503 },
            OcpiError::Http { status: 429 },
            OcpiError::Status {
                code: 3000,
                message: String::new(),
            },
            OcpiError::InvalidResponse("truncated".into()),
        ];
        for error in &unknown {
            assert!(!Reason::of_error(error).is_refusal(), "{error}");
        }
        assert_eq!(
            Reason::of_error(&OcpiError::Http { status: 503 }).label(),
            "http_503"
        );
        assert_eq!(
            Reason::of_error(&OcpiError::InvalidResponse("x".into())).label(),
            "unreadable_body"
        );
        for refusal in [
            Reason::Rejected,
            Reason::NotSupported,
            Reason::ResultRejected,
        ] {
            assert!(refusal.is_refusal(), "{refusal}");
        }
        assert!(!Reason::NoResult.is_refusal());
        assert!(Reason::of_error(&OcpiError::Unauthorized).is_refusal());
    }
}
