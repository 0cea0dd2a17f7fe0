//! Polling one vendor account for sessions: on an interval with jitter, from a watermark
//! minus an overlap so updates made during a poll are never missed, backing off
//! exponentially on errors. Each account has its own task, so one vendor down never holds
//! up another.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chargeplan_core::{Clock, VendorAccountId};
use chargeplan_store::Store;
use chrono::{DateTime, Utc};
use rand::Rng;
use tokio_util::sync::CancellationToken;

use crate::VendorCloud;
use crate::ingest::{IngestReport, ingest_sessions, sync_ports};

/// How a poller paces itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PollerConfig {
    /// Time between successful polls.
    pub interval: Duration,
    /// Each wait is stretched or shrunk by up to this fraction, so pollers spread out.
    pub jitter: f64,
    /// How far before the watermark each poll starts again.
    pub overlap: chrono::Duration,
    /// How far back the first poll looks.
    pub initial_lookback: chrono::Duration,
    /// The first wait after a failed poll: transient errors are retried well within the
    /// interval. It doubles with each failure in a row.
    pub retry_first: Duration,
    /// The longest wait after repeated errors; never more than `interval`, so a car that
    /// plugged in while the vendor was down is seen within two intervals of it answering.
    pub max_backoff: Duration,
    /// Connectors (maximum power, profile capability) are re-read on the first poll and then
    /// every this many successful polls.
    pub ports_every_polls: u64,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            jitter: 0.1,
            overlap: chrono::Duration::minutes(5),
            initial_lookback: chrono::Duration::hours(24),
            retry_first: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
            ports_every_polls: 60,
        }
    }
}

/// What a poller has done, for health checks and metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollStatus {
    pub last_success: Option<DateTime<Utc>>,
    /// The newest `last_updated` seen from the vendor: the next poll starts before it.
    pub watermark: Option<DateTime<Utc>>,
    pub consecutive_errors: u32,
    pub total_errors: u64,
    pub last_error: Option<String>,
    pub last_report: IngestReport,
    pub successful_polls: u64,
    /// Connectors the vendor lists that no site has mapped, from the last port sync.
    pub unmapped_ports: Vec<String>,
    /// Whether the last connector sync succeeded (`false` at start: the first poll syncs).
    pub ports_synced: bool,
}

impl PollStatus {
    /// Seconds since the last successful poll, as seen at `now`.
    pub fn lag_s(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_success.map(|at| (now - at).num_seconds())
    }
}

/// One vendor account's poller.
#[derive(Debug, Clone)]
pub struct Poller {
    pub vendor: VendorAccountId,
    pub cloud: Arc<dyn VendorCloud>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: PollerConfig,
    pub status: Arc<Mutex<PollStatus>>,
}

impl Poller {
    fn status(&self) -> PollStatus {
        self.status
            .lock()
            .map(|status| status.clone())
            .unwrap_or_default()
    }

    fn update(&self, change: impl FnOnce(&mut PollStatus)) {
        if let Ok(mut status) = self.status.lock() {
            change(&mut status);
        }
    }

    /// Reads the vendor's connectors and brings the stored ports up to date; returns the
    /// connectors no site has mapped.
    async fn sync_ports(&self) -> Result<Vec<String>, String> {
        let ports = self
            .cloud
            .ports()
            .await
            .map_err(|error| error.to_string())?;
        let synced = sync_ports(self.store.as_ref(), &self.vendor, &ports.items)
            .await
            .map_err(|error| error.to_string())?;
        Ok(synced.unmapped)
    }

    /// One poll: sync the connectors when due (a failure there is logged and retried next
    /// poll), then fetch sessions changed since the watermark minus the overlap and ingest them.
    pub async fn poll_once(&self) -> Result<IngestReport, String> {
        let now = self.clock.now();
        let since = match self.status().watermark {
            Some(watermark) => watermark - self.config.overlap,
            None => now - self.config.initial_lookback,
        };
        let status = self.status();
        if !status.ports_synced
            || status
                .successful_polls
                .is_multiple_of(self.config.ports_every_polls.max(1))
        {
            // A failed connector sync must not hold back the sessions: a car that plugged in
            // is seen even while the vendor's locations module is failing.
            match self.sync_ports().await {
                Ok(unmapped) => self.update(|status| {
                    status.unmapped_ports = unmapped;
                    status.ports_synced = true;
                }),
                Err(error) => {
                    tracing::warn!(vendor = %self.vendor, error = %error, "connector sync failed; polling sessions anyway, and syncing again next poll");
                    self.update(|status| status.ports_synced = false);
                }
            }
        }
        let listing = self
            .cloud
            .sessions_since(since)
            .await
            .map_err(|error| error.to_string())?;
        let mut report = ingest_sessions(self.store.as_ref(), &self.vendor, &listing.items, since)
            .await
            .map_err(|error| error.to_string())?;
        report
            .invalid
            .extend(listing.rejected.iter().map(ToString::to_string));
        let newest = listing
            .items
            .iter()
            .map(|session| session.last_updated)
            .max();
        self.update(|status| {
            status.watermark = status.watermark.max(newest);
            status.last_success = Some(now);
            status.consecutive_errors = 0;
            status.last_report = report.clone();
            status.successful_polls += 1;
        });
        Ok(report)
    }

    /// The wait before the next poll: the interval after success; after errors,
    /// `retry_first` doubling with each error in a row, capped at `max_backoff` and at the
    /// interval; both with jitter.
    pub fn next_wait(&self, consecutive_errors: u32) -> Duration {
        let base = if consecutive_errors == 0 {
            self.config.interval
        } else {
            let factor = 2_u32.saturating_pow(consecutive_errors.saturating_sub(1).min(16));
            self.config
                .retry_first
                .saturating_mul(factor)
                .min(self.config.max_backoff)
                .min(self.config.interval)
        };
        let jitter = self.config.jitter.clamp(0.0, 0.9);
        let stretch = if jitter > 0.0 {
            rand::rng().random_range(1.0 - jitter..=1.0 + jitter)
        } else {
            1.0
        };
        base.mul_f64(stretch)
    }

    /// Polls until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) {
        loop {
            let errors = match self.poll_once().await {
                Ok(report) => {
                    tracing::debug!(vendor = %self.vendor, sessions.inserted = report.inserted, sessions.updated = report.updated, "polled sessions");
                    for invalid in &report.invalid {
                        tracing::warn!(vendor = %self.vendor, reason = %invalid, "vendor session refused");
                    }
                    0
                }
                Err(error) => {
                    let mut errors = 0;
                    self.update(|status| {
                        status.consecutive_errors += 1;
                        status.total_errors += 1;
                        status.last_error = Some(error.clone());
                        errors = status.consecutive_errors;
                    });
                    errors
                }
            };
            let wait = self.next_wait(errors);
            if errors > 0 {
                let error = self.status().last_error.unwrap_or_default();
                tracing::warn!(vendor = %self.vendor, poll.consecutive_errors = errors, poll.retry_in_s = wait.as_secs_f64(), error = %error, "session poll failed");
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
