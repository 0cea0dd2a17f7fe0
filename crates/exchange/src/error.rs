//! Errors talking to vendor clouds and taking in what they send.

/// A failed exchange with an OCPI peer.
#[derive(Debug, thiserror::Error)]
pub enum OcpiError {
    /// The peer refused our token (HTTP 401).
    #[error("the peer refused our credentials token (401)")]
    Unauthorized,
    /// The peer answered with an HTTP error and no OCPI envelope.
    #[error("the peer answered HTTP {status}")]
    Http { status: u16 },
    /// The peer answered with an OCPI error status code.
    #[error("the peer answered OCPI status {code}: {message}")]
    Status { code: u32, message: String },
    /// The peer's answer is not what OCPI 2.2.1 prescribes.
    #[error("invalid answer from the peer: {0}")]
    InvalidResponse(String),
    /// We could not build the request (e.g. a token unfit for a header).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The peer could not be reached, did not answer in time, or the connection broke.
    #[error("{}: {source}", transport_failure(source))]
    Transport {
        #[from]
        source: reqwest::Error,
    },
}

/// What went wrong on the wire, in words: a timeout is not "cannot reach the peer".
fn transport_failure(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "the peer did not answer in time"
    } else if error.is_connect() {
        "cannot reach the peer"
    } else if error.is_decode() {
        "the peer's answer could not be read"
    } else {
        "the connection to the peer broke"
    }
}

/// A vendor record we refuse to take in, with the field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{record} '{id}': {field}: {reason}")]
pub struct RejectedRecord {
    pub record: &'static str,
    pub id: String,
    pub field: &'static str,
    pub reason: String,
}
