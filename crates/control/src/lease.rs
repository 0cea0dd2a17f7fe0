//! Site leases on the control side: the fence a worker writes under, and one round of the
//! supervisor's lease keeping — renew what it holds, give up what is above its fair share,
//! take free or expired sites up to that share.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chargeplan_core::{Clock, Plan, SiteId};
use chargeplan_store::prelude::*;
use chrono::Duration;

use crate::ControlError;

/// Proof that this instance owns a site: its instance id and the lease's fencing token. Every
/// plan is stored, and every dispatch starts, only while the store still shows this pair.
#[derive(Debug, Clone)]
pub struct Fence {
    site: SiteId,
    owner: String,
    token: i64,
    clock: Arc<dyn Clock>,
}

impl Fence {
    pub fn new(site: SiteId, owner: String, token: i64, clock: Arc<dyn Clock>) -> Self {
        Self {
            site,
            owner,
            token,
            clock,
        }
    }

    pub fn token(&self) -> i64 {
        self.token
    }

    /// The pair a waitlist offer is written under (checked in the offer's transaction).
    pub fn offer_fence(&self) -> chargeplan_store::OfferFence {
        chargeplan_store::OfferFence {
            owner: self.owner.clone(),
            token: self.token,
        }
    }

    /// Stores the plan in the same transaction as the lease check; `LeaseLost` when the lease
    /// has expired or passed to another instance.
    pub async fn save_plan(&self, store: &dyn Store, plan: &Plan) -> Result<(), ControlError> {
        let now = self.clock.now();
        if store
            .save_plan_fenced(plan, &self.owner, self.token, now)
            .await?
        {
            Ok(())
        } else {
            Err(ControlError::LeaseLost)
        }
    }

    /// `LeaseLost` unless the lease is still held with this token.
    pub async fn check(&self, store: &dyn Store) -> Result<(), ControlError> {
        let now = self.clock.now();
        if store
            .check_fence(&self.site, &self.owner, self.token, now)
            .await?
        {
            Ok(())
        } else {
            Err(ControlError::LeaseLost)
        }
    }
}

/// What one round of lease keeping decided.
#[derive(Debug, Default)]
pub(crate) struct LeaseRound {
    /// Sites this instance holds now, with their tokens (renewed or newly taken).
    pub held: BTreeMap<SiteId, i64>,
    /// Sites whose lease another instance holds now: stop their workers.
    pub lost: Vec<SiteId>,
    /// Sites held above the fair share: stop their workers, then release the lease.
    pub surplus: Vec<SiteId>,
}

/// One round: announce this instance, renew the leases it holds, mark the ones above
/// `ceil(sites / live instances)` as surplus, and take free or expired leases up to that share.
pub(crate) async fn keep_leases(
    store: &dyn Store,
    owner: &str,
    clock: &dyn Clock,
    ttl: Duration,
    held: &HashMap<SiteId, i64>,
) -> Result<LeaseRound, ControlError> {
    let now = clock.now();
    store.announce_instance(owner, now, ttl).await?;
    let sites = store.list_sites().await?;
    let live = store.live_instances(now).await?.len().max(1);
    let share = sites.len().div_ceil(live);
    let mut round = LeaseRound::default();
    let mut mine: Vec<&SiteId> = held.keys().collect();
    mine.sort();
    for site in mine {
        match store
            .acquire_site_lease(site, owner, clock.now(), ttl)
            .await?
        {
            Some(lease) => {
                round.held.insert(site.clone(), lease.fencing_token);
            }
            None => round.lost.push(site.clone()),
        }
    }
    while round.held.len() > share {
        if let Some((site, _)) = round.held.pop_last() {
            round.surplus.push(site);
        }
    }
    // Start the search at a different place in each instance, so they race less.
    let offset = usize::try_from(fnv(owner)).unwrap_or(0) % sites.len().max(1);
    let free = sites.iter().cycle().skip(offset).take(sites.len());
    for site in free {
        if round.held.len() >= share {
            break;
        }
        if held.contains_key(&site.id) {
            continue;
        }
        if let Some(lease) = store
            .acquire_site_lease(&site.id, owner, clock.now(), ttl)
            .await?
        {
            round.held.insert(site.id.clone(), lease.fencing_token);
        }
    }
    Ok(round)
}

/// A small stable hash of the instance id (FNV-1a).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
