//! Evaluation of a charging profile: the limit at an instant, the next change, the composite schedule.

use chrono::{DateTime, Duration, Utc};

use crate::site::EvseSpec;
use crate::wire::{ChargingProfile, ChargingProfilePeriod, ChargingRateUnit};

/// A profile installed on a session, with the instant its periods count from.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledProfile {
    /// The profile as received.
    pub profile: ChargingProfile,
    /// `start_date_time`, or the session start when absent.
    pub base: DateTime<Utc>,
}

impl InstalledProfile {
    /// Installs `profile` for a session that started at `session_start`.
    pub fn new(profile: ChargingProfile, session_start: DateTime<Utc>) -> Self {
        let base = profile.start_date_time.unwrap_or(session_start);
        Self { profile, base }
    }

    fn end(&self) -> Option<DateTime<Utc>> {
        self.profile
            .duration
            .map(|d| self.base + Duration::seconds(d))
    }

    /// The limit in kW at `t` for `evse`, or `None` when no period is in force (before the start,
    /// after `duration`, or before the first `start_period`). `W` is total power; `A` is per phase.
    pub fn limit_kw_at(&self, t: DateTime<Utc>, evse: &EvseSpec) -> Option<f64> {
        if t < self.base || self.end().is_some_and(|end| t >= end) {
            return None;
        }
        let elapsed = (t - self.base).num_milliseconds() as f64 / 1000.0;
        let period = self
            .profile
            .charging_profile_period
            .iter()
            .filter(|p| (p.start_period as f64) <= elapsed)
            .max_by_key(|p| p.start_period)?;
        Some(
            match self.profile.charging_rate_unit {
                ChargingRateUnit::W => period.limit / 1000.0,
                ChargingRateUnit::A => evse.amps_to_kw(period.limit),
            }
            .max(0.0),
        )
    }

    /// The first instant after `t` at which the limit may change.
    pub fn next_change_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut candidates: Vec<DateTime<Utc>> = self
            .profile
            .charging_profile_period
            .iter()
            .map(|p| self.base + Duration::seconds(p.start_period))
            .collect();
        candidates.push(self.base);
        candidates.extend(self.end());
        candidates.into_iter().filter(|c| *c > t).min()
    }
}

/// The effective limit (profile capped at the port maximum) from `from` for `duration_s`, in W,
/// as the periods of an `ActiveChargingProfile`.
pub fn composite_w(
    profile: Option<&InstalledProfile>,
    evse: &EvseSpec,
    from: DateTime<Utc>,
    duration_s: i64,
) -> ChargingProfile {
    let max_kw = evse.max_power_kw();
    let limit_w = |t: DateTime<Utc>| {
        let kw = profile
            .and_then(|p| p.limit_kw_at(t, evse))
            .map_or(max_kw, |l| l.min(max_kw));
        (kw * 10_000.0).round() / 10.0
    };
    let mut periods = vec![ChargingProfilePeriod {
        start_period: 0,
        limit: limit_w(from),
    }];
    let end = from + Duration::seconds(duration_s);
    let mut t = from;
    while let Some(next) = profile
        .and_then(|p| p.next_change_after(t))
        .filter(|n| *n < end)
    {
        let limit = limit_w(next);
        if periods
            .last()
            .is_some_and(|p| (p.limit - limit).abs() > f64::EPSILON)
        {
            periods.push(ChargingProfilePeriod {
                start_period: (next - from).num_seconds(),
                limit,
            });
        }
        t = next;
    }
    ChargingProfile {
        start_date_time: Some(from),
        duration: Some(duration_s),
        charging_rate_unit: ChargingRateUnit::W,
        min_charging_rate: None,
        charging_profile_period: periods,
    }
}

/// Departures from the spec worth flagging in the profile log (the profile is still applied).
pub fn lint(profile: &ChargingProfile) -> Vec<String> {
    let mut warnings = Vec::new();
    let one_decimal = |x: f64| ((x * 10.0).round() - x * 10.0).abs() < 1e-6;
    for p in &profile.charging_profile_period {
        if !one_decimal(p.limit) {
            warnings.push(format!("limit {} has more than one decimal", p.limit));
        }
        if p.limit < 0.0 {
            warnings.push(format!("limit {} is negative", p.limit));
        }
    }
    if profile.min_charging_rate.is_some_and(|m| !one_decimal(m)) {
        warnings.push("min_charging_rate has more than one decimal".into());
    }
    let starts: Vec<i64> = profile
        .charging_profile_period
        .iter()
        .map(|p| p.start_period)
        .collect();
    if starts.windows(2).any(|w| w[0] >= w[1]) {
        warnings.push("charging_profile_period not strictly ordered by start_period".into());
    }
    if starts.first().is_some_and(|s| *s != 0) {
        warnings.push("first start_period is not 0".into());
    }
    if starts.is_empty() {
        warnings.push("no charging_profile_period".into());
    }
    warnings
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::site::PowerType;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, h, m, 0)
            .single()
            .expect("instant")
    }

    fn profile(
        unit: ChargingRateUnit,
        start: Option<DateTime<Utc>>,
        duration: Option<i64>,
    ) -> ChargingProfile {
        ChargingProfile {
            start_date_time: start,
            duration,
            charging_rate_unit: unit,
            min_charging_rate: None,
            charging_profile_period: vec![
                ChargingProfilePeriod {
                    start_period: 0,
                    limit: 16.0,
                },
                ChargingProfilePeriod {
                    start_period: 1800,
                    limit: 8.0,
                },
            ],
        }
    }

    #[test]
    fn amperes_are_per_phase_and_periods_count_from_the_session_start() {
        let evse = EvseSpec::new("E", PowerType::Ac3Phase, 230, 32);
        let p = InstalledProfile::new(profile(ChargingRateUnit::A, None, None), at(8, 0));
        assert_eq!(p.limit_kw_at(at(8, 10), &evse), Some(11.04));
        assert_eq!(p.limit_kw_at(at(9, 0), &evse), Some(5.52));
        assert_eq!(p.next_change_after(at(8, 10)), Some(at(8, 30)));
        let single = EvseSpec::new("S", PowerType::Ac1Phase, 230, 32);
        assert_eq!(p.limit_kw_at(at(8, 10), &single), Some(3.68));
    }

    #[test]
    fn a_profile_limits_nothing_before_its_start_or_after_its_duration() {
        let evse = EvseSpec::new("E", PowerType::Ac3Phase, 230, 32);
        let p = InstalledProfile::new(
            profile(ChargingRateUnit::W, Some(at(9, 0)), Some(3600)),
            at(8, 0),
        );
        assert_eq!(p.limit_kw_at(at(8, 59), &evse), None);
        assert_eq!(p.limit_kw_at(at(9, 0), &evse), Some(0.016));
        assert_eq!(p.limit_kw_at(at(10, 0), &evse), None);
        let composite = composite_w(Some(&p), &evse, at(8, 0), 4 * 3600);
        let limits: Vec<(i64, f64)> = composite
            .charging_profile_period
            .iter()
            .map(|p| (p.start_period, p.limit))
            .collect();
        assert_eq!(
            limits,
            vec![(0, 22080.0), (3600, 16.0), (5400, 8.0), (7200, 22080.0)]
        );
    }
}
