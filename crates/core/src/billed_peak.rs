//! The peak a site has already set in its billing period: its demand charge is owed whatever
//! the rest of the period's plans do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::SiteId;

/// The highest average load measured at a site over one demand interval
/// ([`crate::interval_energy::INTERVAL_MINUTES`], as the reports bill it) of a billing period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BilledPeak {
    pub site_id: SiteId,
    /// Start of the billing period it belongs to.
    pub period_start: DateTime<Utc>,
    /// Average load over the interval, kW.
    pub kw: f64,
    /// Start of the interval it was measured in.
    pub interval_start: DateTime<Utc>,
}

impl BilledPeak {
    /// The peak that holds after `measured`: this one, unless `measured` is of a later billing
    /// period or higher in the same one. A peak of an earlier period never replaces a later one.
    #[must_use]
    pub fn max_with(self, measured: Self) -> Self {
        let later = measured.period_start > self.period_start;
        let higher = measured.period_start == self.period_start && measured.kw > self.kw;
        if later || higher { measured } else { self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peak(period: &str, kw: f64) -> BilledPeak {
        let period_start: DateTime<Utc> = period.parse().unwrap();
        BilledPeak {
            site_id: SiteId::parse("s").unwrap(),
            period_start,
            kw,
            interval_start: period_start,
        }
    }

    #[test]
    fn a_higher_peak_of_the_same_period_replaces_a_lower_one_and_not_the_reverse() {
        let low = peak("2026-06-01T07:00:00Z", 10.0);
        let high = peak("2026-06-01T07:00:00Z", 12.5);
        assert_eq!(low.clone().max_with(high.clone()), high);
        assert_eq!(high.clone().max_with(low), high);
    }

    #[test]
    fn a_new_billing_period_starts_over_and_an_old_one_never_comes_back() {
        let june = peak("2026-06-01T07:00:00Z", 30.0);
        let july = peak("2026-07-01T07:00:00Z", 4.0);
        assert_eq!(june.clone().max_with(july.clone()), july);
        assert_eq!(july.clone().max_with(june), july);
    }
}
