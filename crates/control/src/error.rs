//! What can go wrong in a re-plan or a driver conversation.

use chargeplan_core::ValueError;
use chargeplan_optimizer::ProblemError;
use chargeplan_store::StoreError;

/// Errors of the control loop.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The snapshot did not make a valid problem (a bug or corrupt layout; named field).
    #[error("the site snapshot is not a valid problem: {0}")]
    Problem(#[from] ProblemError),
    #[error("invalid value: {0}")]
    Value(#[from] ValueError),
    /// The solver task failed (panicked or was cancelled).
    #[error("solver failed: {0}")]
    Solver(String),
    /// Another instance owns the site now: this instance's lease expired or was taken over.
    #[error("this instance no longer holds the site's lease")]
    LeaseLost,
    /// The site cannot be planned yet (no circuits or no ports): a state, not a failure.
    #[error("not planned: {0}")]
    NotPlannable(crate::NotPlannable),
    /// The site's worker is gone (the service is shutting down).
    #[error("the control loop is not running")]
    Stopped,
}
