//! Receipts of provider webhooks already handled, so that a replayed one changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// Which provider webhook a receipt belongs to; the same key may be seen by both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookKind {
    /// A text a driver sent (Twilio's inbound webhook); the key is its `MessageSid`.
    Inbound,
    /// A delivery status update of a text we sent; the key names the message and the status.
    Status,
}

impl WebhookKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Status => "status",
        }
    }
}

/// Webhooks seen, kept for a retention the caller chooses.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Records the webhook `key` of `kind` as seen at `now`. `true` the first time, when the
    /// caller handles it; `false` for a duplicate, which the caller must ignore. Atomic (one
    /// `INSERT ... ON CONFLICT DO NOTHING`): of several instances receiving the same webhook at
    /// once, exactly one gets `true`.
    async fn claim_webhook(
        &self,
        kind: WebhookKind,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Forgets a claim whose handling failed, so that the provider's retry is handled; `true`
    /// when there was one.
    async fn release_webhook(&self, kind: WebhookKind, key: &str) -> Result<bool, StoreError>;
    /// Deletes the receipts first seen before `before` and returns how many there were.
    async fn prune_webhooks(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
