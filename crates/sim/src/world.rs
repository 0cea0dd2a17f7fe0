//! The simulated world: sessions on EVSEs, their cars, and the physics that steps them in simulated time.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::SimError;
use crate::profile::InstalledProfile;
use crate::scenario::{ArrivalSpec, ProfileLogEntry, SessionStatus, SimSession};
use crate::site::{EvseSpec, Site};
use crate::vehicle::Vehicle;

/// A new charging period opens when the drawn power moves by more than this (kW).
const PERIOD_POWER_STEP_KW: f64 = 0.1;

/// One charging period as the simulator keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Period {
    pub start: DateTime<Utc>,
    /// Power drawn when the period opened; a move away from it opens the next period.
    pub start_power_kw: f64,
    pub energy_kwh: f64,
    /// State of charge at the latest instant of the period (0–1).
    pub soc_end: f64,
}

/// A session and the car behind it.
#[derive(Debug, Clone)]
pub(crate) struct SessionState {
    pub id: String,
    pub location_id: String,
    pub evse: EvseSpec,
    pub token_uid: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub departure: Option<DateTime<Utc>>,
    pub vehicle: Vehicle,
    pub kwh: f64,
    pub periods: Vec<Period>,
    pub last_updated: DateTime<Utc>,
    pub profile: Option<InstalledProfile>,
    /// Last accepted PUT, for the `TOO_OFTEN` interval.
    pub last_put_at: Option<DateTime<Utc>>,
    /// The peer successfully PUT a profile at least once (gates `ActiveChargingProfile` pushes).
    pub put_accepted_once: bool,
}

impl SessionState {
    pub fn is_active(&self) -> bool {
        self.end.is_none()
    }

    /// The profile limit in force at `t`, kW.
    pub fn limit_kw_at(&self, t: DateTime<Utc>) -> Option<f64> {
        self.profile
            .as_ref()
            .and_then(|p| p.limit_kw_at(t, &self.evse))
    }

    /// What the car draws at `t`: min(acceptance, profile limit, port maximum).
    pub fn power_at(&self, t: DateTime<Utc>) -> f64 {
        if !self.is_active() {
            return 0.0;
        }
        let mut p = self.vehicle.acceptance_kw().min(self.evse.max_power_kw());
        if let Some(limit) = self.limit_kw_at(t) {
            p = p.min(limit);
        }
        p.max(0.0)
    }
}

/// Something the peer may want pushed after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Started(String),
    PeriodClosed(String, usize),
    Completed(String),
}

/// The whole mutable state of the simulated cloud.
#[derive(Debug)]
pub(crate) struct World {
    pub now: DateTime<Utc>,
    pub site: Site,
    pub physics_step: Duration,
    pub sessions: Vec<SessionState>,
    pub index: HashMap<String, usize>,
    /// Scripted arrivals not yet due, any order.
    pub pending: Vec<ArrivalSpec>,
    pub profile_log: Vec<ProfileLogEntry>,
    /// `last_updated` of each EVSE (status changes bump it and its location).
    pub evse_updated: HashMap<String, DateTime<Utc>>,
    /// Active session id per occupied EVSE uid.
    pub occupied: HashMap<String, String>,
    /// Changes since the last drain, for pushes.
    pub changes: Vec<Change>,
    next_id: u64,
}

impl World {
    pub fn new(site: Site, start: DateTime<Utc>, physics_step: Duration) -> Self {
        let evse_updated = site.evses().map(|e| (e.uid.clone(), start)).collect();
        Self {
            now: start,
            site,
            physics_step: physics_step.max(Duration::seconds(1)),
            sessions: Vec::new(),
            index: HashMap::new(),
            pending: Vec::new(),
            profile_log: Vec::new(),
            evse_updated,
            occupied: HashMap::new(),
            changes: Vec::new(),
            next_id: 1,
        }
    }

    pub fn session(&self, id: &str) -> Option<&SessionState> {
        self.index.get(id).map(|i| &self.sessions[*i])
    }

    pub fn session_mut(&mut self, id: &str) -> Option<&mut SessionState> {
        self.index.get(id).map(|i| &mut self.sessions[*i])
    }

    fn occupant(&self, evse_uid: &str) -> Option<&SessionState> {
        self.sessions
            .iter()
            .find(|s| s.is_active() && s.evse.uid == evse_uid)
    }

    /// Schedules an arrival (or starts it now when due); checks the EVSE exists.
    pub fn plug_in(&mut self, spec: ArrivalSpec) -> Result<Option<String>, SimError> {
        if self.site.find_evse(&spec.evse).is_none() {
            return Err(SimError::UnknownEvse(spec.evse));
        }
        if spec.arrival <= self.now {
            if self.occupant(&spec.evse).is_some() {
                return Err(SimError::EvseOccupied(spec.evse));
            }
            return Ok(self.start_session(spec));
        }
        self.pending.push(spec);
        Ok(None)
    }

    fn start_session(&mut self, spec: ArrivalSpec) -> Option<String> {
        let (location, evse) = self
            .site
            .find_evse(&spec.evse)
            .map(|(l, e)| (l.id.clone(), e.clone()))?;
        let id = format!("SIM-{:06}", self.next_id);
        self.next_id += 1;
        let now = self.now;
        self.evse_updated.insert(evse.uid.clone(), now);
        self.occupied.insert(evse.uid.clone(), id.clone());
        self.index.insert(id.clone(), self.sessions.len());
        self.sessions.push(SessionState {
            id: id.clone(),
            location_id: location,
            evse,
            token_uid: spec.token_uid,
            start: now,
            end: None,
            departure: spec.departure,
            vehicle: Vehicle::new(spec.battery_kwh, spec.soc, spec.max_kw),
            kwh: 0.0,
            periods: Vec::new(),
            last_updated: now,
            profile: None,
            last_put_at: None,
            put_accepted_once: false,
        });
        self.changes.push(Change::Started(id.clone()));
        Some(id)
    }

    /// Sets (or moves) the departure of an active session.
    pub fn schedule_departure(&mut self, id: &str, at: DateTime<Utc>) -> Result<(), SimError> {
        let s = self
            .session_mut(id)
            .filter(|s| s.is_active())
            .ok_or_else(|| SimError::UnknownSession(id.to_owned()))?;
        s.departure = Some(at);
        self.process_events();
        Ok(())
    }

    /// Moves simulated time to `target`, stepping physics and events exactly.
    pub fn advance_to(&mut self, target: DateTime<Utc>) {
        self.process_events();
        while self.now < target {
            let mut next = target.min(self.now + self.physics_step);
            if let Some(event) = self.next_event() {
                next = next.min(event);
            }
            self.step(next);
            self.now = next;
            self.process_events();
        }
    }

    fn next_event(&self) -> Option<DateTime<Utc>> {
        let now = self.now;
        let arrivals = self.pending.iter().map(|a| a.arrival);
        let departures = self
            .sessions
            .iter()
            .filter(|s| s.is_active())
            .filter_map(|s| s.departure);
        let profiles = self
            .sessions
            .iter()
            .filter(|s| s.is_active())
            .filter_map(|s| s.profile.as_ref().and_then(|p| p.next_change_after(now)));
        arrivals
            .chain(departures)
            .chain(profiles)
            .filter(|t| *t > now)
            .min()
    }

    fn step(&mut self, next: DateTime<Utc>) {
        let now = self.now;
        let hours = (next - now).num_milliseconds() as f64 / 3_600_000.0;
        for s in self.sessions.iter_mut().filter(|s| s.is_active()) {
            let p = s.power_at(now);
            let opens = s.periods.last().is_none_or(|last| {
                (p - last.start_power_kw).abs() > PERIOD_POWER_STEP_KW
                    || ((p == 0.0) != (last.start_power_kw == 0.0))
            });
            if opens {
                if !s.periods.is_empty() {
                    self.changes
                        .push(Change::PeriodClosed(s.id.clone(), s.periods.len() - 1));
                }
                s.periods.push(Period {
                    start: now,
                    start_power_kw: p,
                    energy_kwh: 0.0,
                    soc_end: s.vehicle.soc,
                });
                s.last_updated = now;
            }
            let energy = s.vehicle.charge(p, hours);
            s.kwh += energy;
            if let Some(last) = s.periods.last_mut() {
                last.energy_kwh += energy;
                last.soc_end = s.vehicle.soc;
            }
            if energy > 0.0 {
                s.last_updated = next;
            }
        }
    }

    /// Completes sessions whose departure has come, then starts arrivals that are due.
    fn process_events(&mut self) {
        let now = self.now;
        for s in self.sessions.iter_mut().filter(|s| s.is_active()) {
            if s.departure.is_some_and(|d| d <= now) {
                s.end = Some(now);
                s.last_updated = now;
                self.evse_updated.insert(s.evse.uid.clone(), now);
                self.occupied.remove(&s.evse.uid);
                self.changes.push(Change::Completed(s.id.clone()));
            }
        }
        if self.pending.iter().any(|a| a.arrival <= now) {
            let (due, later): (Vec<_>, Vec<_>) =
                self.pending.drain(..).partition(|a| a.arrival <= now);
            self.pending = later;
            let mut due = due;
            due.sort_by_key(|a| a.arrival);
            for spec in due {
                if self.occupant(&spec.evse).is_some() {
                    tracing::warn!(evse = %spec.evse, "arrival skipped: EVSE occupied");
                    continue;
                }
                self.start_session(spec);
            }
        }
    }

    /// The introspection view of a session.
    pub fn view(&self, s: &SessionState) -> SimSession {
        SimSession {
            id: s.id.clone(),
            location_id: s.location_id.clone(),
            evse_uid: s.evse.uid.clone(),
            token_uid: s.token_uid.clone(),
            status: if s.is_active() {
                SessionStatus::Active
            } else {
                SessionStatus::Completed
            },
            start: s.start,
            end: s.end,
            departure: s.departure,
            kwh: s.kwh,
            soc: s.vehicle.soc,
            power_kw: s.power_at(self.now),
            limit_kw: s.limit_kw_at(self.now),
            charging_periods: s.periods.len(),
            last_updated: s.last_updated,
        }
    }

    /// Power per EVSE now (0 for free ports), in layout order.
    pub fn evse_power_kw(&self) -> Vec<(String, f64)> {
        self.site
            .evses()
            .map(|e| {
                let p = self.occupant(&e.uid).map_or(0.0, |s| s.power_at(self.now));
                (e.uid.clone(), p)
            })
            .collect()
    }
}
