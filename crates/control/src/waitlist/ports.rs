//! What each port of a site is doing, from what the store knows: free, held for a waitlist
//! taker, charging, done (the request is met, or the car stopped drawing while it was allowed
//! to), or idle (not drawing, not done — e.g. paused by the plan). A pure function of the
//! site's facts, so the board, the "done" texts and the waitlist agree.
//!
//! Out of service is not among the states: the exchange stores sessions and connectors'
//! power and profile capability, but no EVSE status (OCPI `Evse.status`), so nothing real
//! says a port is broken. A port with no open session is free.

use std::collections::HashMap;

use chargeplan_core::{
    ChargingRequest, MeterSample, Plan, Port, PortId, Session, SessionId, SharingSettings,
};
use chargeplan_store::{OfferState, SessionSharingNote, WaitlistEntry, WaitlistOffer};
use chrono::{DateTime, Duration, Utc};

/// Below this a car counts as not drawing power, in kW.
pub const DRAWING_KW: f64 = 0.2;
/// Delivered energy within this of the request counts as met, in kWh.
const MET_TOLERANCE_KWH: f64 = 0.05;

/// Everything the port states are computed from, as loaded at one instant.
#[derive(Debug, Clone)]
pub struct SiteFacts {
    pub settings: SharingSettings,
    pub ports: Vec<Port>,
    /// The site's sessions that have not ended.
    pub sessions: Vec<Session>,
    /// The latest request of each open session that has one.
    pub requests: HashMap<SessionId, ChargingRequest>,
    /// The site's latest plan.
    pub plan: Option<Plan>,
    /// Each open session's meter samples of the last `done_idle_min`, oldest first.
    pub samples: HashMap<SessionId, Vec<MeterSample>>,
    /// The sharing notes of open sessions.
    pub notes: HashMap<SessionId, SessionSharingNote>,
    /// The active waitlist entries, first in line first.
    pub line: Vec<WaitlistEntry>,
    /// The live offers (open and taken).
    pub offers: Vec<WaitlistOffer>,
    /// How long a car without a request is assumed to stay (the planner's default).
    pub default_stay: Duration,
}

/// Why a car counts as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoneReason {
    /// It has the kWh its driver asked for.
    RequestMet,
    /// It drew no power for `done_idle_min` while it was allowed to.
    StoppedDrawing,
}

/// The state of one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// No car, nobody holding it.
    Free,
    /// Held for a waitlist driver who took it, until then.
    Held { until: DateTime<Utc> },
    /// A car is drawing power.
    Charging,
    /// A car that is done is still plugged in.
    Done(DoneReason),
    /// A car that is not drawing and not done (the plan may be pausing it).
    Idle,
}

/// The car on a port, as the board may show it (nothing that identifies anyone).
#[derive(Debug, Clone, PartialEq)]
pub struct CarStatus {
    pub session_id: SessionId,
    pub energy_kwh: f64,
    /// `None` for "as much as possible" or no request yet.
    pub requested_kwh: Option<f64>,
    pub power_kw: f64,
    /// When the current plan delivers the request, if it does.
    pub planned_completion: Option<DateTime<Utc>>,
    /// When the port is expected to free: now for a done car, else the planned completion,
    /// else the stated departure, else the default stay.
    pub expected_free_at: DateTime<Utc>,
    /// When the owner said they will be back.
    pub owner_back_at: Option<DateTime<Utc>>,
    /// The owner said others may unplug it, and the port's cable may be moved.
    pub ok_to_unplug: bool,
}

/// One port with its state.
#[derive(Debug, Clone, PartialEq)]
pub struct PortStatus {
    pub port_id: PortId,
    pub cable_movable: bool,
    pub state: PortState,
    /// An offer of this port waits for an answer.
    pub offered: bool,
    pub car: Option<CarStatus>,
}

impl PortStatus {
    /// Whether the port can be offered to the first in line: free, or its car is done and
    /// others may move the cable — and no offer or hold is on it.
    pub fn offerable(&self) -> bool {
        let open = match self.state {
            PortState::Free => true,
            PortState::Done(_) => self.cable_movable,
            _ => false,
        };
        open && !self.offered
    }
}

/// Every port of the site with its state at `now`, in the order of `facts.ports`.
pub fn port_states(facts: &SiteFacts, now: DateTime<Utc>) -> Vec<PortStatus> {
    facts
        .ports
        .iter()
        .map(|port| port_status(facts, port, now))
        .collect()
}

fn port_status(facts: &SiteFacts, port: &Port, now: DateTime<Utc>) -> PortStatus {
    let session = facts
        .sessions
        .iter()
        .filter(|s| s.ended_at.is_none() && s.port_id.as_ref() == Some(&port.id))
        .max_by_key(|s| s.started_at);
    let live = facts.offers.iter().find(|o| o.port_id == port.id);
    let offered = live.is_some_and(|o| o.state == OfferState::Open);
    let (state, car) = match session {
        Some(session) => {
            let state = session_state(facts, session, now);
            let done = matches!(state, PortState::Done(_));
            (state, Some(car_status(facts, port, session, done, now)))
        }
        None => {
            let hold = live
                .filter(|o| o.state == OfferState::Taken)
                .and_then(|o| o.hold_until)
                .filter(|until| *until > now);
            match hold {
                Some(until) => (PortState::Held { until }, None),
                None => (PortState::Free, None),
            }
        }
    };
    PortStatus {
        port_id: port.id.clone(),
        cable_movable: port.cable_movable,
        state,
        offered,
        car,
    }
}

/// The state of the port an open session's car is on: done, charging or idle.
pub fn session_state(facts: &SiteFacts, session: &Session, now: DateTime<Utc>) -> PortState {
    match done_reason(facts, session, now) {
        Some(reason) => PortState::Done(reason),
        None if session.power.get() >= DRAWING_KW => PortState::Charging,
        None => PortState::Idle,
    }
}

/// Why the session's car is done at `now`, if it is.
pub fn done_reason(facts: &SiteFacts, session: &Session, now: DateTime<Utc>) -> Option<DoneReason> {
    let requested = facts.requests.get(&session.id).and_then(|r| r.energy.kwh());
    if requested.is_some_and(|kwh| session.energy.get() >= kwh - MET_TOLERANCE_KWH) {
        return Some(DoneReason::RequestMet);
    }
    let idle = Duration::minutes(i64::from(facts.settings.done_idle_min));
    if now - session.started_at < idle || session.power.get() >= DRAWING_KW {
        return None;
    }
    let samples = facts
        .samples
        .get(&session.id)
        .map_or(&[][..], Vec::as_slice);
    let window: Vec<&MeterSample> = samples.iter().filter(|s| s.at >= now - idle).collect();
    // Readings through the whole window (the first near its start), none of them drawing.
    let covered = window
        .first()
        .is_some_and(|first| first.at <= now - idle + idle / 4);
    let quiet = window.iter().all(|s| s.power.get() < DRAWING_KW);
    (covered && quiet && allowed_to_draw(facts, session, now)).then_some(DoneReason::StoppedDrawing)
}

/// Whether the plan lets the car draw now (a car the plan pauses is not done, only waiting;
/// a session the plan does not control could draw at will).
fn allowed_to_draw(facts: &SiteFacts, session: &Session, now: DateTime<Utc>) -> bool {
    let Some(plan) = &facts.plan else {
        return true;
    };
    let Some(planned) = plan.session(&session.id) else {
        return true;
    };
    plan.slot_index(now)
        .and_then(|slot| planned.power_kw.get(usize::try_from(slot).ok()?))
        .is_some_and(|kw| *kw >= DRAWING_KW)
}

fn car_status(
    facts: &SiteFacts,
    port: &Port,
    session: &Session,
    done: bool,
    now: DateTime<Utc>,
) -> CarStatus {
    let request = facts.requests.get(&session.id);
    let planned_completion = facts
        .plan
        .as_ref()
        .and_then(|plan| plan.session(&session.id))
        .and_then(|planned| planned.completion);
    let expected_free_at = if done {
        now
    } else {
        planned_completion
            .or(request.map(|r| r.departure))
            .unwrap_or(session.started_at + facts.default_stay)
            .max(now)
    };
    let note = facts.notes.get(&session.id);
    CarStatus {
        session_id: session.id.clone(),
        energy_kwh: session.energy.get(),
        requested_kwh: request.and_then(|r| r.energy.kwh()),
        power_kw: session.power.get(),
        planned_completion,
        expected_free_at,
        owner_back_at: note.and_then(|n| n.owner_back_at),
        ok_to_unplug: port.cable_movable && note.is_some_and(|n| n.ok_to_unplug_at.is_some()),
    }
}

#[cfg(test)]
#[path = "ports_tests.rs"]
mod tests;
