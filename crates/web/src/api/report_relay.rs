//! The sharing figures in a report's JSON — the relay (`chargeplan_reports::RelaySummary`)
//! and the waitlist (`WaitlistSummary`) — described for the OpenAPI document.

use chargeplan_reports::{RelaySummary, WaitlistSummary};
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

/// The waitlist of the period, and how long cars stayed plugged in after they were done.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportWaitlistView {
    /// Drivers who joined the waitlist in the period, whatever became of them.
    joins: u64,
    /// Ports offered in the period.
    offers_made: u64,
    /// Of them, offers the driver took (TAKE).
    offers_taken: u64,
    /// Offers the driver skipped (SKIP).
    offers_skipped: u64,
    /// Offers left unanswered until they expired.
    offers_expired: u64,
    /// Drivers who joined in the period and plugged in on the port held for them.
    served: u64,
    /// Median minutes from joining to the offer the driver took; `null` when none did.
    #[schema(example = 12.0)]
    median_wait_min: Option<f64>,
    /// The period's ended sessions whose meter shows when they were done.
    sessions_measured_after_done: u64,
    /// Median minutes those cars stayed plugged in after they were done (request met, or no
    /// more power drawn); `null` when none was measured.
    #[schema(example = 25.0)]
    median_min_after_done: Option<f64>,
}

impl From<WaitlistSummary> for ReportWaitlistView {
    fn from(w: WaitlistSummary) -> Self {
        Self {
            joins: w.joins,
            offers_made: w.offers_made,
            offers_taken: w.offers_taken,
            offers_skipped: w.offers_skipped,
            offers_expired: w.offers_expired,
            served: w.served,
            median_wait_min: w.median_wait_min,
            sessions_measured_after_done: w.sessions_measured_after_done,
            median_min_after_done: w.median_min_after_done,
        }
    }
}
