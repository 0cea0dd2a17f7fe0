//! One report row per session, with times in the site's local time.

use chargeplan_core::{ChargingRequest, ParticipantId, Session};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::alias::driver_alias;
use crate::fulfilment::fulfilment;
use crate::report::SessionRow;

/// `at` in the site's local time, RFC 3339 with the offset, e.g. `2026-03-08T07:05:00-08:00`
/// (unambiguous in the repeated hour of a fall-back day).
pub(crate) fn local_time(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

pub(crate) fn session_row(
    session: &Session,
    participant: Option<&ParticipantId>,
    latest_request: Option<&ChargingRequest>,
    tz: Tz,
) -> SessionRow {
    let delivered_kwh = session.energy.get();
    let request = fulfilment(latest_request, delivered_kwh);
    let departure = latest_request.map(|r| r.departure);
    SessionRow {
        session_id: session.id.clone(),
        driver: driver_alias(participant, session.port_id.as_ref()),
        port_id: session.port_id.clone(),
        started_at: session.started_at,
        started_at_local: local_time(tz, session.started_at),
        ended_at: session.ended_at,
        ended_at_local: session.ended_at.map(|at| local_time(tz, at)),
        request: request.kind,
        requested_kwh: request.requested_kwh,
        delivered_kwh,
        // A car still plugged in may yet get what it asked for: undecided until it leaves.
        met: match request.met {
            Some(false) if session.ended_at.is_none() => None,
            met => met,
        },
        departure_requested: departure,
        departure_requested_local: departure.map(|at| local_time(tz, at)),
    }
}
