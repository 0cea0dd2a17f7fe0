//! What may be in force at the vendor for a session whose newest limit is not known to be:
//! a charging profile replaces the one before it, so the candidates are the last limit the
//! vendor accepted and every limit sent since whose outcome is unknown (a refused one changed
//! nothing). With no accepted limit among them, the car may have no profile at all and draw
//! its port's maximum.

use chargeplan_core::{Setpoint, SetpointState};
use chrono::{DateTime, Utc};

/// The most the session's port may draw from `now` on, kW, from its setpoints (oldest first).
pub fn worst_in_force_kw(setpoints: &[Setpoint], now: DateTime<Utc>, port_max_kw: f64) -> f64 {
    let mut worst: f64 = 0.0;
    for setpoint in setpoints.iter().rev() {
        match setpoint.state {
            SetpointState::Rejected => {}
            SetpointState::Failed | SetpointState::Pending => {
                worst = worst.max(highest_limit_from(setpoint, now));
            }
            SetpointState::Accepted => {
                return worst
                    .max(highest_limit_from(setpoint, now))
                    .min(port_max_kw);
            }
        }
    }
    port_max_kw
}

/// The highest limit of the schedule from `now` on (its last period lasts until replaced).
fn highest_limit_from(setpoint: &Setpoint, now: DateTime<Utc>) -> f64 {
    let offset_now = (now - setpoint.starts_at).num_seconds();
    let periods = &setpoint.periods;
    periods
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            periods
                .get(i + 1)
                .is_none_or(|next| i64::from(next.start_offset_s) > offset_now)
        })
        .map(|(_, p)| p.limit_kw)
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{LimitPeriod, PortId, SessionId, SetpointId, SiteId};
    use chrono::{Duration, TimeZone};

    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0)
            .single()
            .expect("time")
            + Duration::minutes(min)
    }

    fn setpoint(state: SetpointState, at_min: i64, limits: &[(u32, f64)]) -> Setpoint {
        Setpoint {
            id: SetpointId::generate(),
            site_id: SiteId::parse("s").expect("id"),
            plan_id: None,
            port_id: PortId::parse("p").expect("id"),
            session_id: SessionId::parse("sess").expect("id"),
            starts_at: t(at_min),
            periods: limits
                .iter()
                .map(|&(offset_min, limit_kw)| LimitPeriod {
                    start_offset_s: offset_min * 60,
                    limit_kw,
                })
                .collect(),
            state,
            reason: None,
            created_at: t(at_min),
            updated_at: t(at_min),
        }
    }

    #[test]
    fn with_nothing_accepted_the_car_may_draw_the_port_maximum() {
        assert_eq!(worst_in_force_kw(&[], t(0), 11.0), 11.0);
        let failed = [setpoint(SetpointState::Failed, 0, &[(0, 4.0)])];
        assert_eq!(worst_in_force_kw(&failed, t(1), 11.0), 11.0);
    }

    #[test]
    fn an_unknown_outcome_counts_at_the_higher_of_it_and_the_limit_accepted_before() {
        let history = [
            setpoint(SetpointState::Accepted, 0, &[(0, 4.0)]),
            setpoint(SetpointState::Failed, 5, &[(0, 6.0)]),
        ];
        assert_eq!(worst_in_force_kw(&history, t(6), 11.0), 6.0);
        let lower = [
            setpoint(SetpointState::Accepted, 0, &[(0, 7.0)]),
            setpoint(SetpointState::Failed, 5, &[(0, 0.0)]),
        ];
        assert_eq!(worst_in_force_kw(&lower, t(6), 11.0), 7.0);
    }

    #[test]
    fn a_refused_limit_changes_nothing_and_periods_already_over_do_not_count() {
        let history = [
            setpoint(SetpointState::Accepted, 0, &[(0, 9.0), (10, 3.0)]),
            setpoint(SetpointState::Rejected, 12, &[(0, 11.0)]),
        ];
        assert_eq!(worst_in_force_kw(&history, t(12), 11.0), 3.0);
        assert_eq!(worst_in_force_kw(&history, t(5), 11.0), 9.0);
    }

    #[test]
    fn never_more_than_the_port_maximum() {
        let history = [setpoint(SetpointState::Accepted, 0, &[(0, 22.0)])];
        assert_eq!(worst_in_force_kw(&history, t(1), 11.0), 11.0);
    }
}
