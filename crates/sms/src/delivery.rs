//! The outbox delivery worker: claims due messages, skips suppressed numbers, sends the rest
//! through the gateway and records each outcome, retrying with exponential backoff. It also
//! deletes old webhook receipts (see `dedup`), being the one background task of this crate.

use std::sync::Arc;
use std::time::Duration;

use chargeplan_core::Clock;
use chargeplan_store::prelude::*;
use chargeplan_store::{OutboxMessage, StoreError, SuppressionReason};
use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::dedup::{WEBHOOK_PRUNE_INTERVAL, prune_webhook_receipts};
use crate::gateway::{OutgoingSms, SendError, SmsGateway};

/// How the worker paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Messages claimed per round.
    pub batch: u32,
    /// How long a claim lasts; a worker that dies mid-send loses its claim after this.
    pub lease: Duration,
    /// Attempts (including the first) before a retryable failure is given up.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each later one.
    pub base_backoff: Duration,
    /// Longest wait between retries.
    pub max_backoff: Duration,
    /// How often the outbox is looked at when nobody wakes the worker.
    pub poll_interval: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            batch: 20,
            lease: Duration::from_secs(60),
            max_attempts: 8,
            base_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(30 * 60),
            poll_interval: Duration::from_secs(5),
        }
    }
}

/// The longest provider `Retry-After` honoured; a longer one is treated as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Accepted by the provider.
    pub sent: u32,
    /// Failed this time, to be tried again later.
    pub retried: u32,
    /// Given up on (suppressed number, permanent error, or out of attempts).
    pub failed: u32,
}

impl DeliveryReport {
    fn handled(&self) -> u32 {
        self.sent + self.retried + self.failed
    }
}

/// Delivers the outbox through a gateway.
#[derive(Debug, Clone)]
pub struct OutboxDelivery {
    /// Holds the outbox and the suppression list.
    pub store: Arc<dyn Store>,
    pub gateway: Arc<dyn SmsGateway>,
    /// Decides what is due and when retries happen.
    pub clock: Arc<dyn Clock>,
    pub config: DeliveryConfig,
    /// Notified after enqueuing, so messages go out without waiting for the next poll.
    pub wake: Arc<Notify>,
}

/// The error recorded for a message to a suppressed number.
fn suppressed_error(reason: SuppressionReason) -> &'static str {
    match reason {
        SuppressionReason::OptedOut => "suppressed: opted out",
        SuppressionReason::InvalidNumber => "suppressed: invalid number",
    }
}

impl OutboxDelivery {
    /// Claims the due messages and delivers each once. Store errors end the round; a message
    /// left claimed is picked up again when its lease expires.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.config.lease)
            .unwrap_or_else(|_| chrono::Duration::seconds(60));
        let messages = self
            .store
            .claim_due_messages(now, lease, self.config.batch)
            .await?;
        let mut report = DeliveryReport::default();
        for message in &messages {
            self.deliver(message, &mut report).await?;
        }
        Ok(report)
    }

    async fn deliver(
        &self,
        message: &OutboxMessage,
        report: &mut DeliveryReport,
    ) -> Result<(), StoreError> {
        let store = &*self.store;
        if let Some(reason) = store.number_suppression(&message.recipient).await? {
            store
                .mark_message_failed(message.id, suppressed_error(reason), None, self.clock.now())
                .await?;
            report.failed += 1;
            return Ok(());
        }
        let outgoing = OutgoingSms {
            to: message.recipient.clone(),
            body: message.body.clone(),
            idempotency_key: message.idempotency_key.clone(),
        };
        let result = self.gateway.send(&outgoing).await;
        let now = self.clock.now();
        let error = match result {
            Ok(sent) => {
                store
                    .mark_message_sent(message.id, &sent.provider_id, now)
                    .await?;
                report.sent += 1;
                return Ok(());
            }
            Err(error) => error,
        };
        let suppress = match &error {
            SendError::OptedOut => Some(SuppressionReason::OptedOut),
            SendError::InvalidNumber => Some(SuppressionReason::InvalidNumber),
            _ => None,
        };
        if let Some(reason) = suppress {
            store
                .suppress_number(&message.recipient, reason, now)
                .await?;
        }
        let retry_at = self.retry_at(&error, message.attempts, now);
        store
            .mark_message_failed(message.id, &error.to_string(), retry_at, now)
            .await?;
        match retry_at {
            Some(at) => {
                report.retried += 1;
                tracing::warn!(outbox.id = message.id, outbox.attempts = message.attempts, error = %error, retry_at = %at, "text not sent, will retry");
            }
            None => {
                report.failed += 1;
                tracing::warn!(outbox.id = message.id, outbox.attempts = message.attempts, error = %error, "text not sent, given up");
            }
        }
        Ok(())
    }

    /// When to try again after `error` on attempt number `attempts` (1 for the first), or
    /// `None` to give up: permanent errors and running out of attempts give up; a rate limit's
    /// Retry-After (at most [`MAX_RETRY_AFTER`]) wins over the backoff when longer.
    fn retry_at(
        &self,
        error: &SendError,
        attempts: u32,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if !error.is_retryable() || attempts >= self.config.max_attempts {
            return None;
        }
        let mut wait = backoff(self.config.base_backoff, self.config.max_backoff, attempts);
        if let SendError::RateLimited {
            retry_after: Some(after),
        } = error
        {
            wait = wait.max((*after).min(MAX_RETRY_AFTER));
        }
        chrono::Duration::from_std(wait)
            .ok()
            .and_then(|wait| now.checked_add_signed(wait))
    }

    /// Deletes old webhook receipts when `next` has come (at the start, then every
    /// [`WEBHOOK_PRUNE_INTERVAL`] of the clock) and moves `next` on. A failure is tried again
    /// at the next interval: the receipts only grow for a while.
    async fn prune_receipts_when_due(&self, next: &mut DateTime<Utc>) {
        let now = self.clock.now();
        if now < *next {
            return;
        }
        *next = now
            + chrono::Duration::from_std(WEBHOOK_PRUNE_INTERVAL)
                .unwrap_or_else(|_| chrono::Duration::hours(1));
        match prune_webhook_receipts(&*self.store, now).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(webhook.pruned = pruned, "deleted old webhook receipts"),
            Err(error) => tracing::warn!(error = %error, "could not delete old webhook receipts"),
        }
    }

    /// Delivers until `cancel` fires: a round, then waits for `poll_interval`, a wake-up or
    /// cancellation (a full batch goes straight to the next round). Old webhook receipts are
    /// deleted at the start and then hourly.
    pub async fn run(self, cancel: CancellationToken) {
        let mut next_prune = self.clock.now();
        loop {
            self.prune_receipts_when_due(&mut next_prune).await;
            let full = match self.deliver_due().await {
                Ok(report) => {
                    if report.handled() > 0 {
                        tracing::info!(
                            outbox.sent = report.sent,
                            outbox.retried = report.retried,
                            outbox.failed = report.failed,
                            "delivered outbox messages"
                        );
                    }
                    report.handled() >= self.config.batch
                }
                Err(error) => {
                    tracing::error!(error = %error, "outbox delivery failed");
                    false
                }
            };
            if cancel.is_cancelled() {
                break;
            }
            if full {
                continue;
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }
}

/// `base · 2^(attempts − 1)`, at most `max`: the wait after failed attempt number `attempts`.
fn backoff(base: Duration, max: Duration, attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(31);
    base.checked_mul(1 << exponent).unwrap_or(max).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(300);
        let waits: Vec<u64> = (1..=8).map(|a| backoff(base, max, a).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(backoff(base, max, 0).as_secs(), 10);
        assert_eq!(backoff(base, max, u32::MAX), max);
    }
}
