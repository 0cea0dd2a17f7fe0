//! The replayed drivers: each submits the request ACN-Data recorded for them (the kWh they
//! asked for and their own estimate of when they would leave) as soon as their session
//! appears in the store, the way a driver would answer the Welcome text. `replay --wire` has
//! every driver do so; `demo` only some, leaving the others to whoever tries it.

use std::collections::{HashMap, HashSet};

use chargeplan_core::{ChargingRequest, EnergyNeed, SessionId, SiteId};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreError};
use chrono::{DateTime, Utc};

/// The bundled day, read again for the two columns `chargeplan_sim::AcnSession` leaves out:
/// `estimated_departure` and `claimed`.
const DAY_CSV: &str = include_str!("../../crates/sim/data/caltech_2019-06-14.csv");

/// One recorded session, keyed by the token the simulator gives its car.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// `ACN-0001`… in arrival order, as `chargeplan_sim::replay_arrivals` numbers them.
    pub token: String,
    /// Unplug, as recorded.
    pub departure: DateTime<Utc>,
    /// The kWh the driver asked for in the ACN app; ACN-Data fills in the delivered energy
    /// where the driver gave nothing.
    pub requested_kwh: f64,
    /// What the car took at Caltech: the simulated car's battery accepts exactly this.
    pub car_kwh: f64,
    /// The driver's own estimate of when they would leave, when the data has it.
    pub estimated_departure: Option<DateTime<Utc>>,
    /// Whether the driver claimed the session in the app, i.e. really made the request.
    pub claimed: bool,
}

impl Recorded {
    /// What the driver submits: their requested kWh and estimated departure (the actual one
    /// when the data has no estimate); `None` for a driver who made no request.
    pub fn request(&self) -> Option<(DateTime<Utc>, f64)> {
        (self.claimed && self.requested_kwh > 0.0).then(|| {
            (
                self.estimated_departure.unwrap_or(self.departure),
                self.requested_kwh,
            )
        })
    }
}

fn parse_local(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%:z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The day's sessions by token, joined with their estimate and claim by ACN's session id.
pub fn recorded_day() -> HashMap<String, Recorded> {
    let extras: HashMap<&str, (Option<DateTime<Utc>>, bool)> = DAY_CSV
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let estimated = fields.get(6).and_then(|f| parse_local(f));
            let claimed = fields.get(7).is_some_and(|f| f.trim() == "True");
            Some((*fields.get(5)?, (estimated, claimed)))
        })
        .collect();
    chargeplan_sim::acn_day()
        .into_iter()
        .enumerate()
        .map(|(n, session)| {
            let token = format!("ACN-{:04}", n + 1);
            let (estimated_departure, claimed) = extras
                .get(session.session_id.as_str())
                .copied()
                .unwrap_or((None, false));
            let recorded = Recorded {
                token: token.clone(),
                departure: session.departure,
                requested_kwh: session.requested_kwh,
                car_kwh: session.delivered_kwh,
                estimated_departure,
                claimed,
            };
            (token, recorded)
        })
        .collect()
}

/// What became of the sessions the drivers saw appear.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Submissions {
    /// Requests stored.
    pub submitted: usize,
    /// Drivers who made no request in the app.
    pub no_request: usize,
    /// Requests whose departure had passed when the session appeared.
    pub departure_past: usize,
    /// Requests refused (validation, or a request already there); logged.
    pub refused: usize,
    /// Attempts the store could not take (busy), tried again at the next look.
    pub retried: usize,
    /// Sessions with a token that is not one of the day's (or of the drivers picked).
    pub unknown: usize,
}

/// The replayed drivers, watching the store for their sessions.
#[derive(Debug)]
pub struct Drivers {
    day: HashMap<String, Recorded>,
    seen: HashSet<SessionId>,
    /// What they did so far.
    pub submissions: Submissions,
}

impl Drivers {
    /// The drivers of the bundled day, none of them plugged in yet.
    pub fn new() -> Self {
        Self::only(|_| true)
    }

    /// The drivers of the bundled day that `submits` picks; the others' sessions count as
    /// `unknown` and get no request from here.
    pub fn only(submits: impl Fn(&Recorded) -> bool) -> Self {
        let mut day = recorded_day();
        day.retain(|_, recorded| submits(recorded));
        Self {
            day,
            seen: HashSet::new(),
            submissions: Submissions::default(),
        }
    }

    /// Every open session of `site` not seen before gets its driver's request (revision 1).
    ///
    /// # Errors
    /// When the open sessions cannot be listed.
    pub async fn submit_new(
        &mut self,
        store: &dyn Store,
        site: &SiteId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        for session in store.list_open_sessions(site).await? {
            if !self.seen.insert(session.id.clone()) {
                continue;
            }
            let Some(recorded) = session
                .token_uid
                .as_ref()
                .and_then(|token| self.day.get(token.as_str()))
            else {
                self.submissions.unknown += 1;
                continue;
            };
            let Some((departure, kwh)) = recorded.request() else {
                self.submissions.no_request += 1;
                continue;
            };
            if departure <= now {
                self.submissions.departure_past += 1;
                continue;
            }
            let request = match ChargingRequest::new(
                session.id.clone(),
                1,
                departure,
                EnergyNeed::Kwh(kwh),
                None,
                now,
            ) {
                Ok(request) => request,
                Err(error) => {
                    self.refused(&session.id, &error.into());
                    continue;
                }
            };
            match store.add_request_revision(&request, &Effects::none()).await {
                Ok(()) => self.submissions.submitted += 1,
                Err(error @ StoreError::Conflict(_)) => self.refused(&session.id, &error.into()),
                Err(error) => {
                    // Busy or unreachable: the driver tries again at the next look.
                    self.seen.remove(&session.id);
                    self.submissions.retried += 1;
                    tracing::warn!(
                        session.id = %session.id,
                        error = %error,
                        "a replayed request could not be stored; trying again"
                    );
                }
            }
        }
        Ok(())
    }

    fn refused(&mut self, session: &SessionId, error: &anyhow::Error) {
        self.submissions.refused += 1;
        tracing::warn!(
            session.id = %session,
            error = format!("{error:#}"),
            "a replayed request was refused"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_session_has_a_token_and_claimed_ones_have_an_estimate() {
        let day = recorded_day();

        assert_eq!(day.len(), 49);
        assert!(day.contains_key("ACN-0001") && day.contains_key("ACN-0049"));
        let claimed: Vec<&Recorded> = day.values().filter(|r| r.claimed).collect();
        assert_eq!(claimed.len(), 38);
        assert!(claimed.iter().all(|r| r.estimated_departure.is_some()));
    }

    #[test]
    fn a_driver_asks_for_the_recorded_kwh_until_their_own_estimate() {
        let day = recorded_day();
        let first = &day["ACN-0001"];

        let (departure, kwh) = first.request().expect("claimed");

        assert_eq!(Some(departure), first.estimated_departure);
        assert_ne!(departure, first.departure);
        assert!((kwh - 19.95).abs() < 1e-9);
    }

    #[test]
    fn a_driver_who_claimed_nothing_makes_no_request() {
        let unclaimed = day_unclaimed();

        assert!(unclaimed.request().is_none());
    }

    #[test]
    fn without_an_estimate_the_actual_departure_is_asked_for() {
        let mut recorded = recorded_day()["ACN-0002"].clone();
        recorded.estimated_departure = None;

        let (departure, _) = recorded.request().expect("claimed");

        assert_eq!(departure, recorded.departure);
    }

    #[test]
    fn only_the_drivers_picked_are_kept() {
        let odd = Drivers::only(|r| r.token.ends_with(['1', '3', '5', '7', '9']));

        assert_eq!(odd.day.len(), 25, "ACN-0001, ACN-0003, … ACN-0049");
        assert!(odd.day.contains_key("ACN-0049") && !odd.day.contains_key("ACN-0002"));
        assert_eq!(Drivers::new().day.len(), 49);
    }

    fn day_unclaimed() -> Recorded {
        recorded_day()
            .into_values()
            .find(|r| !r.claimed)
            .expect("the day has unclaimed sessions")
    }
}
