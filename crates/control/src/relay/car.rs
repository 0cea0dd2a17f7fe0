//! How an owner's car is doing, for the first text of a thread: the same port states the
//! board and the "done" texts use (`waitlist::ports`), and the completion time of the
//! current plan.

use chargeplan_core::{Participant, SessionId, Site};
use chargeplan_store::prelude::*;
use chrono::{DateTime, Duration, Utc};

use super::texts::CarStatus;
use crate::ControlError;
use crate::waitlist::facts::{self, DEFAULT_STAY_HOURS};
use crate::waitlist::ports::{PortState, session_state};

/// The owner's open session at `site` (the newest they started) and how it is doing at `now`.
pub(crate) async fn car_status(
    store: &dyn Store,
    site: &Site,
    owner: &Participant,
    now: DateTime<Utc>,
) -> Result<(CarStatus, Option<SessionId>), ControlError> {
    let facts = facts::load(store, &site.id, Duration::hours(DEFAULT_STAY_HOURS), now).await?;
    let Some(session) = facts
        .sessions
        .iter()
        .filter(|session| owner.is_driver_of(session))
        .max_by_key(|session| session.started_at)
    else {
        return Ok((CarStatus::NotPlugged, None));
    };
    let delivered_kwh = session.energy.get();
    let status = match session_state(&facts, session, now) {
        PortState::Done(_) => CarStatus::Done { delivered_kwh },
        PortState::Idle => CarStatus::NotDrawing { delivered_kwh },
        _ => {
            let done_around = facts
                .plan
                .as_ref()
                .and_then(|plan| plan.session(&session.id))
                .and_then(|planned| planned.completion)
                .filter(|at| *at > now)
                .map(|at| site.clock.local_time(at, site.time_zone, now));
            CarStatus::Charging {
                delivered_kwh,
                requested_kwh: facts
                    .requests
                    .get(&session.id)
                    .and_then(|request| request.energy.kwh()),
                done_around,
            }
        }
    };
    Ok((status, Some(session.id.clone())))
}
