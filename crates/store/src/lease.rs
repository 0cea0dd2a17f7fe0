//! Site leases: one instance owns a site at a time, proven by a fencing token, and the signals
//! that carry "re-plan this site" from any instance to the owner.

use std::sync::Arc;

use async_trait::async_trait;
use chargeplan_core::{Plan, SiteId};
use chrono::{DateTime, Duration, Utc};

use crate::StoreError;

/// Who owns a site, until when, and the token that fences off every earlier owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub site_id: SiteId,
    /// The instance id of the owner (empty once released).
    pub owner: String,
    /// Grows by one with every change of owner; renewals keep it.
    pub fencing_token: i64,
    pub expires_at: DateTime<Utc>,
}

/// Site leases with fencing tokens, and the instances alive to share the sites.
#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes the site's lease for `owner` until `now + ttl` when it is free or expired (a new
    /// token), or renews it when `owner` already holds it (same token). `None` when another
    /// instance holds an unexpired lease. Atomic: two instances never both get it.
    async fn acquire_site_lease(
        &self,
        site: &SiteId,
        owner: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError>;
    /// Gives the lease up at once when `owner` holds it (the token is kept for the next owner
    /// to increment). Returns whether it was held.
    async fn release_site_lease(&self, site: &SiteId, owner: &str) -> Result<bool, StoreError>;
    /// Whether `owner` still holds the site's unexpired lease with `token`.
    async fn check_fence(
        &self,
        site: &SiteId,
        owner: &str,
        token: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Every lease row, released and expired ones included, by site.
    async fn list_site_leases(&self) -> Result<Vec<Lease>, StoreError>;
    /// Stores the plan only while `owner` holds its site's unexpired lease with `token`,
    /// checked in the same transaction (the lease row locked on PostgreSQL). Returns whether
    /// the plan was stored.
    async fn save_plan_fenced(
        &self,
        plan: &Plan,
        owner: &str,
        token: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Records that `instance` is alive until `now + ttl`.
    async fn announce_instance(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<(), StoreError>;
    /// Instances whose announcement has not expired at `now`, sorted.
    async fn live_instances(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError>;

    /// How instances tell a site's owner to re-plan (NOTIFY/LISTEN on PostgreSQL).
    fn site_signals(&self) -> Arc<dyn SiteSignals>;
}

/// "Re-plan this site", from whichever instance noticed to whichever owns the site.
#[async_trait]
pub trait SiteSignals: Send + Sync + std::fmt::Debug {
    /// Signals the site to every subscriber (of every instance, on PostgreSQL).
    async fn notify(&self, site: &SiteId) -> Result<(), StoreError>;
    /// Starts receiving the sites signalled from now on.
    async fn subscribe(&self) -> Result<Box<dyn SiteSubscription>, StoreError>;
}

/// The sites signalled since [`SiteSignals::subscribe`].
#[async_trait]
pub trait SiteSubscription: Send {
    /// The next site signalled. A signal may be lost when the connection drops (the owner's
    /// event polling catches up); an error means the subscription should be retried later.
    async fn next(&mut self) -> Result<SiteId, StoreError>;
}
