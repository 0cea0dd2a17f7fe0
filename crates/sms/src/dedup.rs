//! Replayed webhooks: every signed Twilio webhook is handled once. Twilio's signature has no
//! timestamp, so a captured request stays validly signed forever; what stops a replay is the
//! store's receipt of the message, claimed atomically before the webhook is handled.
//!
//! - Inbound texts are keyed on `MessageSid`: Twilio gives each message one.
//! - Status callbacks are keyed on `MessageSid:MessageStatus`: one message legitimately gets
//!   several callbacks (`sent`, then `delivered` or `undelivered`), each handled once.
//! - A receipt is kept for [`WEBHOOK_RETENTION`], then deleted by the outbox delivery worker
//!   (at most every [`WEBHOOK_PRUNE_INTERVAL`]). Twilio's own retries (with connection
//!   overrides) come within seconds, so the retention covers them many times over; a request
//!   captured and replayed after the retention is handled again, the residual risk it bounds.
//! - When handling fails (a store error, answered 500) the claim is released, so that
//!   Twilio's retry of the same message is handled rather than ignored.

use std::time::Duration;

use chargeplan_store::StoreError;
use chargeplan_store::prelude::*;
use chrono::{DateTime, Utc};

/// How long a webhook's receipt is kept: 30 days. Rows are small (one per text received and
/// per status callback), so a long window costs little and refuses replays for a month.
pub const WEBHOOK_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How often the delivery worker deletes receipts older than [`WEBHOOK_RETENTION`].
pub const WEBHOOK_PRUNE_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// The receipt key of a status callback: the message and its status.
pub(crate) fn status_key(message_sid: &str, status: &str) -> String {
    format!("{message_sid}:{status}")
}

/// Deletes the webhook receipts older than [`WEBHOOK_RETENTION`] at `now`; how many.
pub async fn prune_webhook_receipts(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let retention = chrono::Duration::from_std(WEBHOOK_RETENTION).unwrap_or(chrono::Duration::MAX);
    match now.checked_sub_signed(retention) {
        Some(before) => store.prune_webhooks(before).await,
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_key_names_the_message_and_its_status() {
        assert_eq!(status_key("SM1", "delivered"), "SM1:delivered");
        assert_ne!(status_key("SM1", "sent"), status_key("SM1", "delivered"));
    }
}
