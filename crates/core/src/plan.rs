//! Optimization results: per-session power per slot over the planning horizon.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{PlanId, SessionId, SiteId};
use crate::units::SlotMinutes;

/// What the plan does for one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPlan {
    /// The session.
    pub session_id: SessionId,
    /// Planned power in kW for each slot of the horizon (`horizon_slots` entries; zero
    /// after departure).
    pub power_kw: Vec<f64>,
    /// Energy the plan delivers over the horizon, in kWh.
    pub energy_kwh: f64,
    /// Energy asked for that the plan cannot deliver before departure, in kWh.
    pub shortfall_kwh: f64,
    /// When the requested energy will have been delivered, if it will be.
    pub completion: Option<DateTime<Utc>>,
    /// Why there is a shortfall, in words for the driver (e.g. "the site is at its cap").
    pub shortfall_reason: Option<String>,
}

/// A site plan made at `created_at`, covering `horizon_slots` slots from `start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Stable identifier.
    pub id: PlanId,
    /// The site planned.
    pub site_id: SiteId,
    /// When the plan was made.
    pub created_at: DateTime<Utc>,
    /// Start of slot 0.
    pub start: DateTime<Utc>,
    /// Length of every slot.
    pub slot_minutes: SlotMinutes,
    /// Number of slots in the horizon.
    pub horizon_slots: u32,
    /// One entry per controlled session.
    pub sessions: Vec<SessionPlan>,
}

impl Plan {
    /// Start of slot `i` (slot `horizon_slots` is the end of the horizon).
    pub fn slot_start(&self, i: u32) -> DateTime<Utc> {
        self.start + self.slot_minutes.duration() * i32::try_from(i).unwrap_or(i32::MAX)
    }

    /// End of the horizon.
    pub fn end(&self) -> DateTime<Utc> {
        self.slot_start(self.horizon_slots)
    }

    /// The index of the slot containing `at`, if it is within the horizon.
    pub fn slot_index(&self, at: DateTime<Utc>) -> Option<u32> {
        if at < self.start {
            return None;
        }
        let secs = (at - self.start).num_seconds();
        let i = u32::try_from(secs / (i64::from(self.slot_minutes.get()) * 60)).ok()?;
        (i < self.horizon_slots).then_some(i)
    }

    /// Energy `planned` still gives its session from `now` on, the current slot prorated (kWh).
    pub fn remaining_kwh(&self, planned: &SessionPlan, now: DateTime<Utc>) -> f64 {
        let slot_s = self.slot_minutes.duration().num_seconds() as f64;
        (0_u32..)
            .zip(&planned.power_kw)
            .map(|(i, kw)| {
                let left_s =
                    ((self.slot_start(i) - now).num_seconds() as f64 + slot_s).clamp(0.0, slot_s);
                kw * left_s / 3600.0
            })
            .sum()
    }

    /// The plan for one session.
    pub fn session(&self, id: &SessionId) -> Option<&SessionPlan> {
        self.sessions.iter().find(|s| &s.session_id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn plan() -> Plan {
        Plan {
            id: PlanId::parse("plan-1").unwrap(),
            site_id: SiteId::parse("lot-b").unwrap(),
            created_at: t("2026-06-01T16:00:03Z"),
            start: t("2026-06-01T16:00:00Z"),
            slot_minutes: SlotMinutes::new(15).unwrap(),
            horizon_slots: 4,
            sessions: vec![SessionPlan {
                session_id: SessionId::parse("s1").unwrap(),
                power_kw: vec![7.2, 7.2, 3.6, 0.0],
                energy_kwh: 4.5,
                shortfall_kwh: 1.5,
                completion: None,
                shortfall_reason: Some("the site is at its evening cap".into()),
            }],
        }
    }

    #[test]
    fn slots_start_every_slot_length_from_the_plan_start() {
        let p = plan();
        assert_eq!(p.slot_start(0), t("2026-06-01T16:00:00Z"));
        assert_eq!(p.slot_start(3), t("2026-06-01T16:45:00Z"));
        assert_eq!(p.end(), t("2026-06-01T17:00:00Z"));
    }

    #[test]
    fn an_instant_maps_to_its_slot_within_the_horizon() {
        let p = plan();
        assert_eq!(p.slot_index(t("2026-06-01T15:59:59Z")), None);
        assert_eq!(p.slot_index(t("2026-06-01T16:00:00Z")), Some(0));
        assert_eq!(p.slot_index(t("2026-06-01T16:29:59Z")), Some(1));
        assert_eq!(p.slot_index(t("2026-06-01T16:59:59Z")), Some(3));
        assert_eq!(p.slot_index(t("2026-06-01T17:00:00Z")), None);
    }

    #[test]
    fn a_session_plan_is_found_by_session_id() {
        let p = plan();
        assert_eq!(
            p.session(&SessionId::parse("s1").unwrap())
                .unwrap()
                .energy_kwh,
            4.5
        );
        assert!(p.session(&SessionId::parse("s2").unwrap()).is_none());
    }

    #[test]
    fn a_plan_round_trips_through_json() {
        let p = plan();
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"slot_minutes\":15"), "{json}");
        assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), p);
    }
}
