//! The waitlist's figures of a period — drivers who joined, ports offered to them and what
//! became of the offers, how long a driver waited for a port — and how long cars stayed
//! plugged in after they were done, the time the waitlist is there to win back.

use std::collections::HashMap;

use chargeplan_core::MeterSample;
use chargeplan_store::{EntryState, OfferState, WaitlistEntry, WaitlistOffer};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::fulfilment::REQUEST_MET_TOLERANCE_KWH;
use crate::input::SessionInput;
use crate::period::PeriodBounds;
use crate::summary::{median, round3};

/// Below this a car counts as not drawing power, in kW (as on the board).
const DRAWING_KW: f64 = 0.2;

/// The waitlist's figures of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitlistSummary {
    /// Drivers who joined the waitlist in the period.
    pub joins: u64,
    /// Ports offered in the period.
    pub offers_made: u64,
    /// Of them, offers the driver took (TAKE).
    pub offers_taken: u64,
    /// Offers the driver skipped (SKIP).
    pub offers_skipped: u64,
    /// Offers left unanswered until they expired.
    pub offers_expired: u64,
    /// Drivers who joined in the period and plugged in on the port held for them.
    pub served: u64,
    /// Median time from joining to the offer the driver took, in minutes, over the drivers
    /// who joined in the period and took one; `None` when none did.
    pub median_wait_min: Option<f64>,
    /// Sessions of the period that ended and whose meter shows when they were done.
    pub sessions_measured_after_done: u64,
    /// Median time those cars stayed plugged in after they were done (request met, or drawing
    /// no more power for the rest of the session), in minutes; `None` when none was measured.
    pub median_min_after_done: Option<f64>,
}

/// Whether the driver answered the offer with TAKE (whatever happened to the hold after).
fn was_taken(offer: &WaitlistOffer) -> bool {
    matches!(
        offer.state,
        OfferState::Taken | OfferState::Used | OfferState::Displaced | OfferState::Lapsed
    )
}

/// The figures of the `entries` that joined within `bounds`, the `offers` made within it
/// (any others are ignored; offers made later to those entries count for their wait) and
/// the period's `sessions`.
pub(crate) fn waitlist_summary(
    bounds: PeriodBounds,
    entries: &[WaitlistEntry],
    offers: &[WaitlistOffer],
    sessions: &[&SessionInput],
) -> WaitlistSummary {
    let inside = |at: DateTime<Utc>| bounds.from <= at && at < bounds.to;
    let joined: HashMap<&str, &WaitlistEntry> = entries
        .iter()
        .filter(|e| inside(e.joined_at))
        .map(|e| (e.id.as_str(), e))
        .collect();
    let made: Vec<&WaitlistOffer> = offers.iter().filter(|o| inside(o.offered_at)).collect();
    let count = |state: OfferState| made.iter().filter(|o| o.state == state).count() as u64;
    let mut first_taken: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for offer in offers.iter().filter(|o| was_taken(o)) {
        if joined.contains_key(offer.entry_id.as_str()) {
            first_taken
                .entry(offer.entry_id.as_str())
                .and_modify(|at| *at = (*at).min(offer.offered_at))
                .or_insert(offer.offered_at);
        }
    }
    let mut waits: Vec<f64> = first_taken
        .iter()
        .map(|(id, at)| minutes(*at - joined[id].joined_at))
        .collect();
    waits.sort_by(f64::total_cmp);
    let mut after_done: Vec<f64> = sessions
        .iter()
        .filter_map(|s| minutes_after_done(s))
        .collect();
    after_done.sort_by(f64::total_cmp);
    WaitlistSummary {
        joins: joined.len() as u64,
        offers_made: made.len() as u64,
        offers_taken: made.iter().filter(|o| was_taken(o)).count() as u64,
        offers_skipped: count(OfferState::Skipped),
        offers_expired: count(OfferState::Expired),
        served: joined
            .values()
            .filter(|e| e.state == EntryState::Served)
            .count() as u64,
        median_wait_min: median(&waits).map(round3),
        sessions_measured_after_done: after_done.len() as u64,
        median_min_after_done: median(&after_done).map(round3),
    }
}

/// How long an ended session's car stayed after it was done: from the first sample with
/// the requested energy, or from the first sample after the last one that drew power,
/// whichever is earlier, to the session's end. `None` for open sessions and sessions
/// without samples.
fn minutes_after_done(input: &SessionInput) -> Option<f64> {
    let ended = input.session.ended_at?;
    let mut samples: Vec<&MeterSample> = input
        .samples
        .iter()
        .filter(|m| m.session_id == input.session.id && m.at <= ended)
        .collect();
    samples.sort_by_key(|m| m.at);
    let last = samples.last()?;
    let requested = input
        .latest_request
        .as_ref()
        .and_then(|request| request.energy.kwh());
    let met_at = requested.and_then(|kwh| {
        samples
            .iter()
            .find(|m| m.energy.get() >= kwh - REQUEST_MET_TOLERANCE_KWH)
            .map(|m| m.at)
    });
    let stopped_at = match samples.iter().rposition(|m| m.power.get() >= DRAWING_KW) {
        Some(i) if i + 1 < samples.len() => samples[i + 1].at,
        Some(_) => last.at.max(ended),
        None => samples[0].at,
    };
    let done_at = met_at.map_or(stopped_at, |met| met.min(stopped_at));
    Some(minutes(ended - done_at).max(0.0))
}

fn minutes(span: chrono::Duration) -> f64 {
    span.num_milliseconds().max(0) as f64 / 60_000.0
}

#[cfg(test)]
#[path = "waitlist_tests.rs"]
mod tests;
