//! Energy per 5-minute interval, and the average power and peak read from it: what the reports
//! bill the demand charge on, and what the control loop measures the billed peak with.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// Length of the intervals every power figure is averaged over, in minutes.
pub const INTERVAL_MINUTES: i64 = 5;

const INTERVAL_MS: i64 = INTERVAL_MINUTES * 60_000;
const INTERVAL_HOURS: f64 = INTERVAL_MINUTES as f64 / 60.0;

/// The peak of a power series: the highest 5-minute average and when its interval starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub kw: f64,
    pub at: DateTime<Utc>,
}

/// Energy delivered in each 5-minute interval of the UTC clock (`:00`, `:05`, …), in kWh.
///
/// Every time zone's offset is a whole number of 5 minutes, so the intervals are also
/// aligned to the local clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntervalEnergy {
    kwh_by_interval: BTreeMap<i64, f64>,
}

fn interval_of(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis().div_euclid(INTERVAL_MS)
}

fn interval_start_ms(interval: i64) -> i64 {
    interval.saturating_mul(INTERVAL_MS)
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl IntervalEnergy {
    /// Adds `kwh` spread evenly over `[from, to)`, each interval getting its share of the
    /// overlap. When `to` is not after `from`, all of it goes to the interval of `from`.
    pub fn add_spread(&mut self, from: DateTime<Utc>, to: DateTime<Utc>, kwh: f64) {
        if kwh <= 0.0 || !kwh.is_finite() {
            return;
        }
        let (start_ms, end_ms) = (from.timestamp_millis(), to.timestamp_millis());
        if end_ms <= start_ms {
            self.add_at(from, kwh);
            return;
        }
        let span_ms = (end_ms - start_ms) as f64;
        for interval in interval_of(from)..=interval_of(instant(end_ms - 1)) {
            let lo = start_ms.max(interval_start_ms(interval));
            let hi = end_ms.min(interval_start_ms(interval + 1));
            if hi > lo {
                self.add(interval, kwh * (hi - lo) as f64 / span_ms);
            }
        }
    }

    /// Adds `kwh` to the interval that contains `at` (nothing when it is not positive).
    pub fn add_at(&mut self, at: DateTime<Utc>, kwh: f64) {
        if kwh > 0.0 && kwh.is_finite() {
            self.add(interval_of(at), kwh);
        }
    }

    /// Adds every interval of `other` to this one.
    pub fn add_all(&mut self, other: &Self) {
        for (&interval, &kwh) in &other.kwh_by_interval {
            self.add(interval, kwh);
        }
    }

    fn add(&mut self, interval: i64, kwh: f64) {
        *self.kwh_by_interval.entry(interval).or_insert(0.0) += kwh;
    }

    /// Each interval's start and energy, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (DateTime<Utc>, f64)> + '_ {
        self.kwh_by_interval
            .iter()
            .map(|(&interval, &kwh)| (instant(interval_start_ms(interval)), kwh))
    }

    /// The highest average power, `kWh / (5 min)`; the earliest interval wins a tie.
    pub fn peak(&self) -> Option<Peak> {
        self.iter()
            .map(|(at, kwh)| Peak {
                kw: kwh / INTERVAL_HOURS,
                at,
            })
            .fold(None, |best: Option<Peak>, p| match best {
                Some(b) if b.kw >= p.kw => Some(b),
                _ => Some(p),
            })
    }
}

/// The end of the interval that contains `at` (the start of the next one).
pub fn end_of_interval(at: DateTime<Utc>) -> DateTime<Utc> {
    instant(interval_start_ms(interval_of(at) + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn energy_is_spread_over_intervals_in_proportion_to_the_overlap() {
        let mut e = IntervalEnergy::default();
        // 10:02 to 10:12, 1 kWh: 3 min, 5 min and 2 min of it.
        e.add_spread(t("2026-06-01T10:02:00Z"), t("2026-06-01T10:12:00Z"), 1.0);
        let got: Vec<(DateTime<Utc>, f64)> = e.iter().collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, t("2026-06-01T10:00:00Z"));
        assert!((got[0].1 - 0.3).abs() < 1e-12);
        assert!((got[1].1 - 0.5).abs() < 1e-12);
        assert!((got[2].1 - 0.2).abs() < 1e-12);
        let peak = e.peak().unwrap();
        assert_eq!(peak.at, t("2026-06-01T10:05:00Z"));
        assert!((peak.kw - 6.0).abs() < 1e-9);
    }

    #[test]
    fn an_instantaneous_step_goes_to_one_interval() {
        let mut e = IntervalEnergy::default();
        e.add_spread(t("2026-06-01T10:05:00Z"), t("2026-06-01T10:05:00Z"), 0.5);
        assert_eq!(
            e.iter().collect::<Vec<_>>(),
            [(t("2026-06-01T10:05:00Z"), 0.5)]
        );
    }

    #[test]
    fn an_interval_ends_where_the_next_starts() {
        assert_eq!(
            end_of_interval(t("2026-06-01T10:02:00Z")),
            t("2026-06-01T10:05:00Z")
        );
        assert_eq!(
            end_of_interval(t("2026-06-01T10:05:00Z")),
            t("2026-06-01T10:10:00Z")
        );
    }
}
