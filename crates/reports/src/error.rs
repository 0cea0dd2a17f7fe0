//! Why a report could not be made.

use chargeplan_store::StoreError;

/// Loading a report failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The store failed, or the site does not exist (`StoreError::NotFound`).
    #[error(transparent)]
    Store(#[from] StoreError),
}
