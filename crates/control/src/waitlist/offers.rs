//! The worker's side of the waitlist, one step per pass: settle holds (the holder plugged in,
//! another car did, or the hold ran out), expire unanswered offers (a skip), withdraw offers
//! of ports a car took meanwhile, and offer every port that can be offered to the first in
//! line without one. Each change is one transaction with its text; offers are written under
//! the site's lease.

use chargeplan_core::{SharingSettings, Site};
use chargeplan_store::prelude::*;
use chargeplan_store::{
    Effects, EntryState, NewOutboxMessage, OfferFence, OfferState, OfferTransition, WaitlistEntry,
    WaitlistOffer,
};
use chrono::{DateTime, Duration, Utc};

use super::ports::{PortStatus, SiteFacts};
use super::{changed, texts, waiting_position};
use crate::ControlError;

/// A port skipped (or left unanswered) by a driver is not offered to them again for this long.
const NOT_AGAIN: i64 = 60;

/// The step and the words for a driver who passes on an offer (SKIP, or no answer when
/// `timed_out`): one more skip, and off the list at the site's `max_skips`.
pub(super) fn pass_on(
    site: &Site,
    line: &[WaitlistEntry],
    entry: &WaitlistEntry,
    offer: &WaitlistOffer,
    settings: &SharingSettings,
    timed_out: bool,
) -> (OfferTransition, String) {
    let skips = entry.skips + 1;
    // `max_skips = 0` means the first skip.
    let removed = skips >= settings.max_skips.max(1);
    let step = OfferTransition {
        offer_id: offer.id.clone(),
        from: OfferState::Open,
        to: if timed_out {
            OfferState::Expired
        } else {
            OfferState::Skipped
        },
        before_deadline: None,
        hold_until: None,
        entry_skips: skips,
        entry_state: if removed {
            EntryState::Removed
        } else {
            EntryState::Waiting
        },
    };
    let words = if removed {
        texts::removed_after_skips(&site.name, site.id.as_str(), skips)
    } else {
        let position = waiting_position(line, Some(&entry.id)) + 1;
        texts::still_in_line(&site.name, position, timed_out)
    };
    (step, words)
}

/// One text to the entry's phone under `key`.
fn text(
    site: &Site,
    entry: &WaitlistEntry,
    key: String,
    body: String,
    now: DateTime<Utc>,
) -> Effects {
    let mut effects = changed(&site.id, now);
    effects.messages.push(NewOutboxMessage {
        site_id: Some(site.id.clone()),
        recipient: entry.phone.clone(),
        body,
        idempotency_key: key,
        not_before: now,
    });
    effects
}

/// Settles holds and open offers at `now`. Returns whether anything changed.
pub(super) async fn settle(
    store: &dyn Store,
    site: &Site,
    facts: &SiteFacts,
    now: DateTime<Utc>,
) -> Result<bool, ControlError> {
    let mut changed_any = false;
    for offer in &facts.offers {
        let Some(entry) = facts.line.iter().find(|e| e.id == offer.entry_id) else {
            continue;
        };
        let car = facts
            .sessions
            .iter()
            .filter(|s| {
                s.port_id.as_ref() == Some(&offer.port_id) && s.started_at >= offer.offered_at
            })
            .max_by_key(|s| s.started_at);
        let port = offer.port_id.as_str();
        let (step, key, body) = match (offer.state, car) {
            (OfferState::Taken, Some(car)) => {
                if plugged_in_by_holder(store, site, entry, car).await? {
                    let step = transition(offer, OfferState::Used, entry.skips, EntryState::Served);
                    (step, None, None)
                } else {
                    let step = transition(
                        offer,
                        OfferState::Displaced,
                        entry.skips,
                        EntryState::Waiting,
                    );
                    (
                        step,
                        Some(format!("displaced:{}", offer.id)),
                        Some(texts::displaced(&site.name, port)),
                    )
                }
            }
            (OfferState::Taken, None) if offer.hold_until.is_none_or(|until| until <= now) => {
                let step = transition(offer, OfferState::Lapsed, entry.skips, EntryState::Removed);
                let body = texts::hold_lapsed(&site.name, site.id.as_str(), port);
                (step, Some(format!("lapsed:{}", offer.id)), Some(body))
            }
            (OfferState::Open, Some(_)) => {
                let step = transition(
                    offer,
                    OfferState::Withdrawn,
                    entry.skips,
                    EntryState::Waiting,
                );
                let body = texts::offer_withdrawn(&site.name, port);
                (step, Some(format!("withdrawn:{}", offer.id)), Some(body))
            }
            (OfferState::Open, None) if offer.respond_by <= now => {
                let (step, body) = pass_on(site, &facts.line, entry, offer, &facts.settings, true);
                (step, Some(format!("expired:{}", offer.id)), Some(body))
            }
            _ => continue,
        };
        let effects = match (key, body) {
            (Some(key), Some(body)) => text(site, entry, key, body, now),
            _ => changed(&site.id, now),
        };
        changed_any |= store.transition_offer(&step, &effects, now).await?;
    }
    Ok(changed_any)
}

fn transition(
    offer: &WaitlistOffer,
    to: OfferState,
    skips: u32,
    state: EntryState,
) -> OfferTransition {
    OfferTransition {
        offer_id: offer.id.clone(),
        from: offer.state,
        to,
        before_deadline: None,
        hold_until: None,
        entry_skips: skips,
        entry_state: state,
    }
}

/// Whether the car that plugged into a held port is the holder's: their participant's card.
/// A car nobody registered counts as the holder's only when the holder is not a participant
/// of the site (then we cannot tell their car, and do not accuse them of losing the port).
async fn plugged_in_by_holder(
    store: &dyn Store,
    site: &Site,
    holder: &WaitlistEntry,
    car: &chargeplan_core::Session,
) -> Result<bool, ControlError> {
    let driver = match &car.token_uid {
        Some(uid) => store.find_participant_by_token(&site.id, uid).await?,
        None => None,
    };
    if let Some(driver) = driver {
        return Ok(driver.phone == holder.phone);
    }
    let participants = store.list_participants(&site.id).await?;
    Ok(!participants.iter().any(|p| p.phone == holder.phone))
}

/// Offers every offerable port to the first waiting driver without a live offer (skipping a
/// port the driver passed on within the hour), under `fence`. Returns the offers made.
pub(super) async fn offer_ports(
    store: &dyn Store,
    site: &Site,
    facts: &SiteFacts,
    ports: &[PortStatus],
    fence: Option<&OfferFence>,
    now: DateTime<Utc>,
) -> Result<usize, ControlError> {
    let live = store.list_live_offers(&site.id).await?;
    let line = store.list_waitlist(&site.id).await?;
    let recent = store
        .list_offers(&site.id, now - Duration::minutes(NOT_AGAIN))
        .await?;
    let mut free: Vec<&PortStatus> = ports
        .iter()
        .filter(|p| p.offerable() && !live.iter().any(|o| o.port_id == p.port_id))
        .collect();
    // Empty ports first: nobody has to move a car for them.
    free.sort_by_key(|p| p.car.is_some());
    let waiting: Vec<&WaitlistEntry> = line
        .iter()
        .filter(|e| e.state == EntryState::Waiting && !live.iter().any(|o| o.entry_id == e.id))
        .collect();
    let minutes = facts.settings.offer_response_min;
    let mut made = 0;
    let mut offered: Vec<&str> = Vec::new();
    for port in free {
        let candidate = waiting
            .iter()
            .find(|e| !offered.contains(&e.id.as_str()) && !passed_on(&recent, e, port));
        let Some(entry) = candidate else {
            continue;
        };
        offered.push(&entry.id);
        let offer = WaitlistOffer {
            id: crate::links::new_token(),
            entry_id: entry.id.clone(),
            site_id: site.id.clone(),
            port_id: port.port_id.clone(),
            offered_at: now,
            respond_by: now + Duration::minutes(i64::from(minutes)),
            state: OfferState::Open,
            answered_at: None,
            hold_until: None,
        };
        let body = texts::offer(&site.name, port.port_id.as_str(), minutes);
        let effects = text(site, entry, format!("offer:{}", offer.id), body, now);
        if store.create_offer(&offer, fence, &effects, now).await? {
            made += 1;
        } else if !fence_holds(store, site, fence, now).await? {
            return Err(ControlError::LeaseLost);
        }
    }
    Ok(made)
}

/// Whether `entry` passed on `port` lately.
fn passed_on(recent: &[WaitlistOffer], entry: &WaitlistEntry, port: &PortStatus) -> bool {
    recent.iter().any(|o| {
        o.entry_id == entry.id
            && o.port_id == port.port_id
            && matches!(o.state, OfferState::Skipped | OfferState::Expired)
    })
}

async fn fence_holds(
    store: &dyn Store,
    site: &Site,
    fence: Option<&OfferFence>,
    now: DateTime<Utc>,
) -> Result<bool, ControlError> {
    let Some(fence) = fence else {
        return Ok(true);
    };
    Ok(store
        .check_fence(&site.id, &fence.owner, fence.token, now)
        .await?)
}
