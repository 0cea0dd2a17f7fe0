//! The one error type of the crate: a problem that cannot be planned, naming the offending field.

use thiserror::Error;

/// Bad input. Its `Display` starts with the path of the offending field, e.g.
/// `sessions[3].departure: is before start`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProblemError {
    /// The JSON does not parse into a problem (syntax, type, missing or unknown field).
    #[error("input: {0}")]
    Json(String),
    /// A field has a value the model cannot accept.
    #[error("{field}: {reason}")]
    Invalid {
        /// Path of the field, e.g. `circuits[2].parent`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ProblemError {
    /// Builds an [`ProblemError::Invalid`].
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
