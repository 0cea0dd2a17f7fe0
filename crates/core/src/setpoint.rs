//! Setpoints: the power-limit schedules we send to vendor clouds for one port and session.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{PlanId, PortId, SessionId, SetpointId, SiteId};

/// Where a setpoint is in its round trip to the vendor cloud. Serialized lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SetpointState {
    /// Not yet sent, or sent without a final answer.
    Pending,
    /// The station accepted it.
    Accepted,
    /// The station or cloud refused it.
    Rejected,
    /// Could not be delivered (timeout, unreachable, error).
    Failed,
}

impl SetpointState {
    /// The lowercase name, e.g. `"accepted"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    /// Parses the lowercase name (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        [Self::Pending, Self::Accepted, Self::Rejected, Self::Failed]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                ValueError::invalid(
                    "state",
                    format!("unknown setpoint state '{s}', expected pending, accepted, rejected or failed"),
                )
            })
    }
}

/// From `start_offset_s` seconds after the setpoint starts until the next period, the
/// port may draw at most `limit_kw`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LimitPeriod {
    /// Seconds from the setpoint's `starts_at`.
    pub start_offset_s: u32,
    /// Power limit in kW.
    pub limit_kw: f64,
}

/// A power-limit schedule for one port and session (an OCPI charging profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setpoint {
    /// Stable identifier.
    pub id: SetpointId,
    /// The site.
    pub site_id: SiteId,
    /// The plan it comes from; `None` for a manual or fallback setpoint.
    pub plan_id: Option<PlanId>,
    /// The port it limits.
    pub port_id: PortId,
    /// The session it is for (OCPI profiles are set per session).
    pub session_id: SessionId,
    /// When period offsets count from.
    pub starts_at: DateTime<Utc>,
    /// The schedule; see [`Setpoint::validate_periods`].
    pub periods: Vec<LimitPeriod>,
    /// Delivery state.
    pub state: SetpointState,
    /// Why it is not in force, for a refused (`rejected`) or unknown (`failed`) outcome:
    /// `rejected`, `not_supported`, `http_503`, `timeout`, `reset`, `unreadable_body`,
    /// `no_result`, ...; `None` while pending and once accepted.
    pub reason: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When `state` last changed.
    pub updated_at: DateTime<Utc>,
}

impl Setpoint {
    /// Checks a schedule: not empty, first period at offset 0, offsets strictly increasing,
    /// limits finite and not negative.
    pub fn validate_periods(periods: &[LimitPeriod]) -> Result<(), ValueError> {
        const FIELD: &str = "periods";
        let Some(first) = periods.first() else {
            return Err(ValueError::invalid(FIELD, "must have at least one period"));
        };
        if first.start_offset_s != 0 {
            return Err(ValueError::invalid(
                FIELD,
                format!(
                    "the first period must start at offset 0, got {} s",
                    first.start_offset_s
                ),
            ));
        }
        for (i, pair) in periods.windows(2).enumerate() {
            if pair[1].start_offset_s <= pair[0].start_offset_s {
                return Err(ValueError::invalid(
                    FIELD,
                    format!(
                        "period {} starts at {} s, not after the previous one at {} s",
                        i + 1,
                        pair[1].start_offset_s,
                        pair[0].start_offset_s
                    ),
                ));
            }
        }
        for (i, p) in periods.iter().enumerate() {
            if !p.limit_kw.is_finite() || p.limit_kw < 0.0 {
                return Err(ValueError::invalid(
                    FIELD,
                    format!(
                        "period {i} has limit {} kW; it must be a finite number of kW, 0 or more",
                        p.limit_kw
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A new pending setpoint made at `now`, with a fresh id; the periods are validated.
    pub fn new(
        site_id: SiteId,
        plan_id: Option<PlanId>,
        port_id: PortId,
        session_id: SessionId,
        starts_at: DateTime<Utc>,
        periods: Vec<LimitPeriod>,
        now: DateTime<Utc>,
    ) -> Result<Self, ValueError> {
        Self::validate_periods(&periods)?;
        Ok(Self {
            id: SetpointId::generate(),
            site_id,
            plan_id,
            port_id,
            session_id,
            starts_at,
            periods,
            state: SetpointState::Pending,
            reason: None,
            created_at: now,
            updated_at: now,
        })
    }

    /// The limit in kW at `at`: the last period started at or before `at`. `None` before
    /// `starts_at`. The last period lasts until the setpoint is replaced.
    pub fn limit_at(&self, at: DateTime<Utc>) -> Option<f64> {
        if at < self.starts_at {
            return None;
        }
        let offset = (at - self.starts_at).num_seconds();
        self.periods
            .iter()
            .take_while(|p| i64::from(p.start_offset_s) <= offset)
            .last()
            .map(|p| p.limit_kw)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn p(start_offset_s: u32, limit_kw: f64) -> LimitPeriod {
        LimitPeriod {
            start_offset_s,
            limit_kw,
        }
    }

    fn err(periods: &[LimitPeriod]) -> String {
        Setpoint::validate_periods(periods).unwrap_err().to_string()
    }

    fn setpoint(periods: Vec<LimitPeriod>) -> Result<Setpoint, ValueError> {
        Setpoint::new(
            SiteId::parse("lot-b").unwrap(),
            Some(PlanId::parse("plan-1").unwrap()),
            PortId::parse("p1").unwrap(),
            SessionId::parse("s1").unwrap(),
            t("2026-06-01T16:00:00Z"),
            periods,
            t("2026-06-01T15:59:58Z"),
        )
    }

    #[test]
    fn a_well_formed_schedule_is_accepted() {
        assert!(Setpoint::validate_periods(&[p(0, 7.2)]).is_ok());
        assert!(Setpoint::validate_periods(&[p(0, 7.2), p(900, 0.0), p(1800, 3.6)]).is_ok());
    }

    #[test]
    fn an_empty_schedule_is_rejected() {
        assert_eq!(err(&[]), "periods: must have at least one period");
    }

    #[test]
    fn a_schedule_must_start_at_offset_zero() {
        assert_eq!(
            err(&[p(60, 7.2)]),
            "periods: the first period must start at offset 0, got 60 s"
        );
    }

    #[test]
    fn period_offsets_must_strictly_increase() {
        assert_eq!(
            err(&[p(0, 7.2), p(900, 3.6), p(900, 1.0)]),
            "periods: period 2 starts at 900 s, not after the previous one at 900 s"
        );
        assert!(Setpoint::validate_periods(&[p(0, 7.2), p(900, 3.6), p(300, 1.0)]).is_err());
    }

    #[test]
    fn negative_or_non_finite_limits_are_rejected() {
        assert_eq!(
            err(&[p(0, 7.2), p(900, -1.0)]),
            "periods: period 1 has limit -1 kW; it must be a finite number of kW, 0 or more"
        );
        assert!(Setpoint::validate_periods(&[p(0, f64::NAN)]).is_err());
        assert!(Setpoint::validate_periods(&[p(0, f64::INFINITY)]).is_err());
    }

    #[test]
    fn the_limit_is_that_of_the_last_period_started() {
        let sp = setpoint(vec![p(0, 7.2), p(900, 0.0), p(1800, 3.6)]).unwrap();
        let at = |s: i64| sp.starts_at + Duration::seconds(s);
        assert_eq!(sp.limit_at(at(-1)), None);
        assert_eq!(sp.limit_at(at(0)), Some(7.2));
        assert_eq!(sp.limit_at(at(899)), Some(7.2));
        assert_eq!(sp.limit_at(at(900)), Some(0.0));
        assert_eq!(sp.limit_at(at(1800)), Some(3.6));
        assert_eq!(sp.limit_at(at(86_400)), Some(3.6));
    }

    #[test]
    fn a_new_setpoint_is_pending_and_validated() {
        let sp = setpoint(vec![p(0, 7.2)]).unwrap();
        assert_eq!(sp.state, SetpointState::Pending);
        assert_eq!(sp.created_at, sp.updated_at);
        assert_eq!(setpoint(vec![]).unwrap_err().field(), "periods");
    }

    #[test]
    fn setpoint_states_use_lowercase_names() {
        for s in [
            SetpointState::Pending,
            SetpointState::Accepted,
            SetpointState::Rejected,
            SetpointState::Failed,
        ] {
            assert_eq!(SetpointState::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(SetpointState::Accepted.as_str(), "accepted");
        assert_eq!(
            SetpointState::parse("REJECTED").unwrap(),
            SetpointState::Rejected
        );
        assert_eq!(
            SetpointState::parse("done").unwrap_err().to_string(),
            "state: unknown setpoint state 'done', expected pending, accepted, rejected or failed"
        );
    }

    #[test]
    fn a_setpoint_round_trips_through_json() {
        let sp = setpoint(vec![p(0, 7.2), p(900, 3.6)]).unwrap();
        let json = serde_json::to_string(&sp).unwrap();
        assert_eq!(serde_json::from_str::<Setpoint>(&json).unwrap(), sp);
    }
}
