//! The relay's figures in a report's JSON (`chargeplan_reports::RelaySummary`), described for
//! the OpenAPI document.

use chargeplan_reports::RelaySummary;
use serde::Serialize;
use utoipa::ToSchema;

/// The anonymous relay between waiting drivers and owners: the threads opened in the period
/// (void ones to an unknown or blocked ID left out), each as a whole.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportRelayView {
    /// Threads opened in the period: a waiting driver reached an owner.
    threads_opened: u64,
    /// Of them, those the owner replied to.
    threads_answered: u64,
    /// Owners' texts relayed to the waiting drivers in those threads.
    replies_relayed: u64,
    /// Median minutes from a thread's opening to the owner's first relayed reply, over the
    /// answered threads; `null` when none was answered.
    #[schema(example = 6.5)]
    median_first_reply_min: Option<f64>,
}

impl From<RelaySummary> for ReportRelayView {
    fn from(r: RelaySummary) -> Self {
        Self {
            threads_opened: r.threads_opened,
            threads_answered: r.threads_answered,
            replies_relayed: r.replies_relayed,
            median_first_reply_min: r.median_first_reply_min,
        }
    }
}
