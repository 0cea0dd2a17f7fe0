//! How an owner's car is doing, for the first text of a thread: the live session and the
//! current plan.

use chargeplan_core::{Participant, Projection, SessionId, Site, format_local_time};
use chargeplan_store::StoreError;
use chargeplan_store::prelude::*;
use chrono::{DateTime, Utc};

use super::texts::CarStatus;

/// Power below which a plugged-in car counts as not drawing.
const DRAWING_KW: f64 = 0.1;

/// The owner's open session at `site` (the newest, matched by their token uids) and how it is
/// doing at `now`.
pub(crate) async fn car_status(
    store: &dyn Store,
    site: &Site,
    owner: &Participant,
    now: DateTime<Utc>,
) -> Result<(CarStatus, Option<SessionId>), StoreError> {
    let mut sessions: Vec<_> = store
        .list_open_sessions(&site.id)
        .await?
        .into_iter()
        .filter(|session| {
            session
                .token_uid
                .as_ref()
                .is_some_and(|uid| owner.token_uids.contains(uid))
        })
        .collect();
    sessions.sort_by_key(|session| session.started_at);
    let Some(session) = sessions.pop() else {
        return Ok((CarStatus::NotPlugged, None));
    };
    let delivered_kwh = session.energy.get();
    let request = store.latest_request(&session.id).await?;
    let plan = store.latest_plan(&site.id).await?;
    let projection = match (&request, &plan) {
        (Some(request), Some(plan)) => plan
            .session(&session.id)
            .map(|planned| Projection::from_plan(plan, planned, delivered_kwh, request, now)),
        _ => None,
    };
    let requested_kwh = request.as_ref().and_then(|request| request.energy.kwh());
    if let Some(requested) = requested_kwh
        && delivered_kwh + 0.05 >= requested
    {
        return Ok((CarStatus::Done { delivered_kwh }, Some(session.id)));
    }
    if session.power.get() < DRAWING_KW {
        return Ok((CarStatus::NotDrawing { delivered_kwh }, Some(session.id)));
    }
    let done_around = projection
        .and_then(|projection| projection.completion)
        .filter(|at| *at > now)
        .map(|at| format_local_time(at, site.time_zone, now));
    Ok((
        CarStatus::Charging {
            delivered_kwh,
            requested_kwh,
            done_around,
        },
        Some(session.id),
    ))
}
