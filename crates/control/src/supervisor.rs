//! With leases (several instances on one PostgreSQL): the supervisor that keeps this
//! instance's site leases and runs workers for exactly the sites it holds, the listener that
//! hands site signals to the local workers, and triggers for sites another instance owns.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chargeplan_core::{Plan, SiteId};

use crate::lease::{LeaseRound, keep_leases};
use crate::{ControlError, ControlHandle};

/// How often a caller of `replan_now` looks for the owner's new plan.
const PLAN_POLL: StdDuration = StdDuration::from_millis(100);
/// How long to wait before subscribing again after the signal subscription failed.
const RESUBSCRIBE: StdDuration = StdDuration::from_secs(1);

impl ControlHandle {
    /// Every third of the lease time: keep the leases, then match the workers to them.
    pub(crate) async fn supervise_leases(self) {
        let ttl = self.inner.config.lease_ttl;
        let period = (ttl / 3).to_std().unwrap_or(StdDuration::from_secs(5));
        loop {
            let held: HashMap<SiteId, i64> = self
                .workers()
                .iter()
                .filter(|(_, entry)| entry.running())
                .filter_map(|(site, entry)| Some((site.clone(), entry.token?)))
                .collect();
            let owner = self.inner.config.instance_id.clone();
            match keep_leases(
                self.inner.store.as_ref(),
                &owner,
                self.inner.clock.as_ref(),
                ttl,
                &held,
            )
            .await
            {
                Ok(round) => self.apply(round).await,
                Err(error) => tracing::warn!(error = %error, "cannot keep the site leases"),
            }
            tokio::select! {
                () = self.inner.cancel.cancelled() => return,
                () = tokio::time::sleep(period) => {}
            }
        }
    }

    /// Stops the workers of lost and surplus sites (releasing the surplus once its worker has
    /// ended) and starts or restarts workers for the sites held.
    async fn apply(&self, round: LeaseRound) {
        let owner = &self.inner.config.instance_id;
        let stopping: Vec<_> = {
            let mut workers = self.workers();
            for site in &round.lost {
                tracing::info!(site.id = %site, "site lease lost to another instance");
            }
            let stopping = round
                .lost
                .iter()
                .chain(&round.surplus)
                .filter_map(|site| workers.remove(site).map(|entry| (site.clone(), entry)))
                .collect();
            for (site, token) in &round.held {
                let current = workers.get(site).filter(|entry| entry.running());
                if current.is_some_and(|entry| entry.token == Some(*token)) {
                    continue;
                }
                if let Some(old) = workers.remove(site) {
                    old.stop.cancel();
                }
                tracing::info!(site.id = %site, lease.token = token, "site lease taken");
                let entry = self.spawn_worker(site, Some(*token));
                workers.insert(site.clone(), entry);
            }
            stopping
        };
        for (site, entry) in stopping {
            entry.stop.cancel();
            if !round.surplus.contains(&site) {
                continue;
            }
            // Release only once the worker has ended, so no pass of ours overlaps the next
            // owner's; a worker that does not end in time keeps the lease until it expires.
            let ttl = self.inner.config.lease_ttl.to_std().unwrap_or_default();
            if tokio::time::timeout(ttl, entry.done.cancelled())
                .await
                .is_ok()
            {
                match self.inner.store.release_site_lease(&site, owner).await {
                    Ok(_) => tracing::info!(site.id = %site, "site lease handed over"),
                    Err(error) => tracing::warn!(site.id = %site, error = %error, "cannot release"),
                }
            }
        }
    }

    /// Hands every site signal to this instance's worker of that site, if it runs one.
    pub(crate) async fn listen_for_triggers(self) {
        loop {
            match self.inner.signals.subscribe().await {
                Ok(mut subscription) => loop {
                    tokio::select! {
                        () = self.inner.cancel.cancelled() => return,
                        next = subscription.next() => match next {
                            Ok(site) => {
                                self.trigger_local(&site);
                            }
                            Err(error) => {
                                tracing::warn!(error = %error, "site signals interrupted");
                                break;
                            }
                        },
                    }
                },
                Err(error) => tracing::warn!(error = %error, "cannot subscribe to site signals"),
            }
            tokio::select! {
                () = self.inner.cancel.cancelled() => return,
                () = tokio::time::sleep(RESUBSCRIBE) => {}
            }
        }
    }

    /// Tells whichever instance owns the site to re-plan it.
    pub(crate) async fn signal_owner(&self, site: &SiteId) {
        if let Err(error) = self.inner.signals.notify(site).await {
            tracing::warn!(site.id = %site, error = %error, "cannot signal the site's owner");
        }
    }

    /// Signals the owner, then waits for a plan stored after the request (owners' clocks are
    /// assumed in step, as lease expiry already assumes).
    pub(crate) async fn replan_remote(&self, site: &SiteId) -> Result<Plan, ControlError> {
        let store = self.inner.store.as_ref();
        let before = store.latest_plan(site).await?.map(|plan| plan.id);
        let asked = self.inner.clock.now();
        self.inner.signals.notify(site).await?;
        loop {
            tokio::select! {
                () = self.inner.cancel.cancelled() => return Err(ControlError::Stopped),
                () = tokio::time::sleep(PLAN_POLL) => {}
            }
            if let Some(plan) = store.latest_plan(site).await?
                && before.as_ref() != Some(&plan.id)
                && plan.created_at >= asked
            {
                return Ok(plan);
            }
        }
    }
}
