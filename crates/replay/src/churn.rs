//! How much a re-plan changes what the previous plan promised: the churn between consecutive
//! plans, and the promises deferred (a session that was to get power soon and, in the next
//! plan, gets much less of it in that same time).

use chargeplan_core::Plan;
use chrono::{DateTime, Duration, Utc};

/// A promise counts over this much time from the re-plan.
const PROMISE_WINDOW_MIN: i64 = 15;
/// A promise is deferred when the new plan gives less than this share of it.
const DEFERRED_SHARE: f64 = 0.5;
/// Promises below this are not counted, kWh.
const MIN_PROMISE_KWH: f64 = 0.05;

/// The change from `old` to `new` at `now`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// Σ |new − old| over Σ old, the energy of the sessions in both plans from `now` to the
    /// end of the old plan (0 when the old plan promised nothing).
    pub churn: f64,
    /// Sessions of both plans whose energy in the next 15 minutes the new plan cut by more
    /// than half.
    pub deferred: usize,
}

/// Energy a plan gives a session over `[from, to)`, kWh, the plan's slots cut at both ends;
/// only the slots that overlap the span are visited.
fn energy_between(plan: &Plan, power_kw: &[f64], from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    let slot_ms = plan.slot_minutes.duration().num_milliseconds().max(1);
    let offset = |at: DateTime<Utc>| (at - plan.start).num_milliseconds();
    let first = offset(from).div_euclid(slot_ms).max(0);
    let last = (offset(to) - 1).div_euclid(slot_ms);
    let last = last.min(i64::try_from(power_kw.len()).unwrap_or(i64::MAX) - 1);
    (first..=last)
        .map(|i| {
            let lo = (i * slot_ms).max(offset(from));
            let hi = ((i + 1) * slot_ms).min(offset(to));
            let kw = usize::try_from(i)
                .ok()
                .and_then(|i| power_kw.get(i))
                .copied();
            kw.unwrap_or(0.0) * (hi - lo).max(0) as f64 / 3.6e6
        })
        .sum()
}

/// Compares `new` with `old` from `now` on, slot by slot of the old plan.
pub fn between(old: &Plan, new: &Plan, now: DateTime<Utc>) -> Change {
    let (mut moved, mut promised) = (0.0, 0.0);
    let mut deferred = 0;
    let soon = now + Duration::minutes(PROMISE_WINDOW_MIN);
    for before in &old.sessions {
        let Some(after) = new.session(&before.session_id) else {
            continue;
        };
        for i in (0_u32..).take(before.power_kw.len()) {
            let (lo, hi) = (old.slot_start(i).max(now), old.slot_start(i + 1));
            if hi <= lo {
                continue;
            }
            let was = energy_between(old, &before.power_kw, lo, hi);
            let is = energy_between(new, &after.power_kw, lo, hi);
            moved += (is - was).abs();
            promised += was;
        }
        let was = energy_between(old, &before.power_kw, now, soon);
        let is = energy_between(new, &after.power_kw, now, soon);
        if was >= MIN_PROMISE_KWH && is < DEFERRED_SHARE * was {
            deferred += 1;
        }
    }
    Change {
        churn: if promised > 0.0 {
            moved / promised
        } else {
            0.0
        },
        deferred,
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{PlanId, SessionId, SessionPlan, SiteId, SlotMinutes};

    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        "2026-06-15T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(min)
    }

    fn plan(start_min: i64, sessions: &[(&str, &[f64])]) -> Plan {
        Plan {
            id: PlanId::generate(),
            site_id: SiteId::parse("s").unwrap(),
            created_at: at(start_min),
            start: at(start_min),
            slot_minutes: SlotMinutes::new(5).unwrap(),
            horizon_slots: sessions
                .iter()
                .map(|(_, p)| p.len() as u32)
                .max()
                .unwrap_or(0),
            sessions: sessions
                .iter()
                .map(|(id, p)| SessionPlan {
                    session_id: SessionId::parse(id).unwrap(),
                    power_kw: p.to_vec(),
                    energy_kwh: 0.0,
                    shortfall_kwh: 0.0,
                    completion: None,
                    shortfall_reason: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_same_schedule_a_minute_later_has_no_churn() {
        let old = plan(0, &[("a", &[6.0, 6.0, 0.0, 0.0])]);
        // The same powers, from a start one minute later.
        let new = plan(1, &[("a", &[6.0, 6.0, 0.0, 0.0])]);
        let change = between(&old, &plan(0, &[("a", &[6.0, 6.0, 0.0, 0.0])]), at(1));
        assert_eq!(
            change,
            Change {
                churn: 0.0,
                deferred: 0
            }
        );
        // Shifted by a minute, the tail runs a minute longer: 0.1 kWh (6 kW × 1 min) after
        // 10:10, of the 0.9 kWh promised from 10:01.
        let shifted = between(&old, &new, at(1));
        assert!((shifted.churn - 1.0 / 9.0).abs() < 1e-9, "{shifted:?}");
        assert_eq!(shifted.deferred, 0);
    }

    #[test]
    fn a_turn_pushed_later_again_is_a_deferred_promise() {
        // "0 now, 6 kW from +5 min", then "0 until +15 min".
        let old = plan(
            0,
            &[("a", &[0.0, 6.0, 6.0, 6.0]), ("b", &[6.0, 0.0, 0.0, 0.0])],
        );
        let new = plan(
            0,
            &[("a", &[0.0, 0.0, 0.0, 6.0]), ("b", &[6.0, 6.0, 6.0, 0.0])],
        );
        let change = between(&old, &new, at(0));
        assert_eq!(change.deferred, 1);
        // a moved 1 kWh (two slots of 0.5), b 1 kWh, of 2 kWh promised.
        assert!((change.churn - 1.0).abs() < 1e-9, "{change:?}");
    }
}
