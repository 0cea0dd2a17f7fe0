//! The waitlist's step in a site worker's pass, under the site's lease: the "done" texts,
//! settling holds and offers, and new offers of freed ports. Returns when the next deadline
//! (an offer's answer time, a hold's end, a reminder) falls due, so the worker comes back then.

use chargeplan_core::SiteId;
use chargeplan_store::OfferState;
use chargeplan_store::prelude::*;
use chrono::{DateTime, Utc};

use super::ports::port_states;
use super::{done, facts, offers};
use crate::lease::Fence;
use crate::{ControlConfig, ControlError};

/// One step at `now`; `fence` is the worker's lease (with leases on).
pub(crate) async fn run(
    store: &dyn Store,
    site_id: &SiteId,
    config: &ControlConfig,
    fence: Option<&Fence>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ControlError> {
    let site = store.get_site(site_id).await?;
    let mut facts = facts::load(store, site_id, config.default_stay, now).await?;
    let mut ports = port_states(&facts, now);
    let mut next = done::notify(store, &site, &facts, &ports, now).await?;
    if offers::settle(store, &site, &facts, now).await? {
        facts = facts::load(store, site_id, config.default_stay, now).await?;
        ports = port_states(&facts, now);
    }
    let fence = fence.map(Fence::offer_fence);
    offers::offer_ports(store, &site, &facts, &ports, fence.as_ref(), now).await?;
    for offer in store.list_live_offers(site_id).await? {
        let due = match offer.state {
            OfferState::Open => Some(offer.respond_by),
            OfferState::Taken => offer.hold_until,
            _ => None,
        };
        if let Some(due) = due {
            next = Some(next.map_or(due, |at: DateTime<Utc>| at.min(due)));
        }
    }
    Ok(next)
}
