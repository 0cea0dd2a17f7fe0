//! The one error type of the store: clear for callers, never leaking SQL or secrets.

/// The message of the [`StoreError::Conflict`] of a member ID that another participant has.
pub(crate) const MEMBER_ID_TAKEN: &str = "this member ID is already taken";

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or failed; details are logged, not shown.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migration(#[source] sqlx::migrate::MigrateError),
    /// The database is reachable but not ready to serve (e.g. migrations pending).
    #[error("store not ready: {0}")]
    NotReady(String),
    /// The value offered to the store breaks a domain rule.
    #[error("invalid {0}")]
    Invalid(#[from] chargeplan_core::ValueError),
    /// A record that must exist does not.
    #[error("{what} '{id}' not found")]
    NotFound { what: &'static str, id: String },
    /// The change collides with what is stored (duplicate, stale revision).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value no longer passes the domain's validation.
    #[error("stored {what} is invalid: {reason}")]
    Corrupt { what: &'static str, reason: String },
    /// The store could not be opened (path, URL).
    #[error("cannot open store: {0}")]
    Open(String),
}

impl StoreError {
    /// Whether this is the conflict of a member ID that another participant already has
    /// (a new participant's caller draws another ID and tries again).
    pub fn is_member_id_taken(&self) -> bool {
        matches!(self, Self::Conflict(message) if message == MEMBER_ID_TAKEN)
    }

    pub(crate) fn corrupt(what: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what,
            reason: reason.to_string(),
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl std::fmt::Display) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            return Self::Conflict(format!(
                "duplicate record ({})",
                db.constraint().unwrap_or("unique key")
            ));
        }
        Self::Database(error)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Migration(error)
    }
}
