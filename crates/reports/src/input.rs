//! The already-loaded data a report is computed from.

use chargeplan_core::{ChargingRequest, MeterSample, ParticipantId, Port, Session, Site, Tariff};
use chargeplan_store::{RelayLogEntry, RelayThread, WaitlistEntry, WaitlistOffer};

use crate::period::Period;

/// Everything [`compute`](crate::compute) needs, loaded beforehand (by [`load`](crate::load)
/// or by a test).
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The site; its time zone defines the period.
    pub site: Site,
    /// The site's ports, for their maximum power.
    pub ports: Vec<Port>,
    /// The site's tariff; without one the report has no cost figures.
    pub tariff: Option<Tariff>,
    /// The sessions that started in the period. Others are ignored.
    pub sessions: Vec<SessionInput>,
    /// The period reported on.
    pub period: Period,
    /// The site's relay threads opened in the period (others are ignored).
    pub relay_threads: Vec<RelayThread>,
    /// The log lines of those threads, replies after the period's end included (lines of
    /// other threads are ignored).
    pub relay_log: Vec<RelayLogEntry>,
    /// The site's waitlist entries that joined in the period (others are ignored).
    pub waitlist_entries: Vec<WaitlistEntry>,
    /// The site's offers made from the period's start on (those made after its end count
    /// only for the wait of drivers who joined in it).
    pub waitlist_offers: Vec<WaitlistOffer>,
}

/// One session with its latest request and its meter samples.
#[derive(Debug, Clone)]
pub struct SessionInput {
    /// The session as last reported by its vendor cloud.
    pub session: Session,
    /// The registered driver whose card or app started it, if any (for the driver's alias).
    pub participant: Option<ParticipantId>,
    /// The driver's latest request revision, if they made one.
    pub latest_request: Option<ChargingRequest>,
    /// The session's meter samples, in any order. Samples of other sessions are ignored.
    pub samples: Vec<MeterSample>,
}
