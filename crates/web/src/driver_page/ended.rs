//! What an ended session comes to: how long the car was plugged in, and what its energy cost
//! under the site's tariff, priced interval by interval as the reports price it.

use chargeplan_core::interval_energy::IntervalEnergy;
use chargeplan_core::{MeterSample, Tariff};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// The price of a session's energy.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionCost {
    /// ISO 4217 code of the tariff, e.g. "USD".
    pub currency: String,
    /// The energy cost, in `currency`.
    pub amount: f64,
}

/// Prices the energy of a session that started at `started_at` and delivered `energy_kwh`
/// in all: each meter sample's increase at the price in force over its 5-minute intervals,
/// and whatever the samples do not account for at the price when the session started.
pub fn session_cost(
    tariff: &Tariff,
    tz: Tz,
    started_at: DateTime<Utc>,
    energy_kwh: f64,
    samples: &[MeterSample],
) -> SessionCost {
    let mut samples: Vec<&MeterSample> = samples.iter().collect();
    samples.sort_by_key(|sample| sample.at);
    let mut measured = IntervalEnergy::default();
    let (mut at, mut kwh) = (started_at, 0.0);
    for sample in samples {
        let total = sample.energy.get();
        measured.add_spread(at, sample.at, total - kwh);
        (at, kwh) = (sample.at, total.max(kwh));
    }
    let priced: f64 = measured
        .iter()
        .map(|(start, kwh)| kwh * tariff.price_at(tz, start))
        .sum();
    let unmeasured = (energy_kwh - kwh).max(0.0) * tariff.price_at(tz, started_at);
    SessionCost {
        currency: tariff.currency.clone(),
        amount: priced + unmeasured,
    }
}

/// "3 h 25 min", "45 min", "2 days 1 h".
pub fn plugged_in_for(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let span = (to - from).max(Duration::zero());
    let (days, hours, minutes) = (
        span.num_days(),
        span.num_hours() % 24,
        span.num_minutes() % 60,
    );
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, h) => format!("{h} h {minutes} min"),
        (1, h) => format!("1 day {h} h"),
        (d, h) => format!("{d} days {h} h"),
    }
}

/// "USD 3.42", "GBP 0.80": the currency code and the amount to the cent, halves up.
pub fn money(cost: &SessionCost) -> String {
    let cents = (cost.amount.max(0.0) * 100.0).round() / 100.0;
    format!("{} {cents:.2}", cost.currency)
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{
        KilowattHours, Kilowatts, LocalWindow, PriceWindow, SessionId, SiteId, WeekdaySet,
    };
    use chrono::NaiveTime;
    use chrono_tz::Europe;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// 0.20 a kWh, 0.50 from 17:00 to 19:00 London time every day.
    fn tariff() -> Tariff {
        let peak = PriceWindow {
            window: LocalWindow::new(
                WeekdaySet::ALL,
                NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
            )
            .unwrap(),
            price_per_kwh: 0.5,
        };
        Tariff::new(SiteId::parse("s").unwrap(), "GBP", 0.2, vec![peak], 0.0, 1).unwrap()
    }

    fn sample(at: &str, kwh: f64) -> MeterSample {
        MeterSample {
            session_id: SessionId::parse("s1").unwrap(),
            at: t(at),
            energy: KilowattHours::new(kwh).unwrap(),
            power: Kilowatts::new(0.0).unwrap(),
            state_of_charge_pct: None,
        }
    }

    #[test]
    fn energy_is_priced_at_the_price_in_force_when_it_was_drawn() {
        // 15:00 to 17:00 BST (14:00Z–16:00Z) at 0.20, then 17:00 to 18:00 at 0.50.
        let samples = [
            sample("2026-06-05T16:00:00Z", 10.0),
            sample("2026-06-05T17:00:00Z", 15.0),
        ];
        let cost = session_cost(
            &tariff(),
            Europe::London,
            t("2026-06-05T14:00:00Z"),
            15.0,
            &samples,
        );
        assert_eq!(cost.currency, "GBP");
        assert!((cost.amount - 4.5).abs() < 1e-9, "{}", cost.amount);
        assert_eq!(money(&cost), "GBP 4.50");
        let half = SessionCost {
            currency: "GBP".into(),
            amount: 3.625,
        };
        assert_eq!(money(&half), "GBP 3.63");
    }

    #[test]
    fn energy_without_samples_is_priced_when_the_session_started() {
        let cost = session_cost(
            &tariff(),
            Europe::London,
            t("2026-06-05T16:30:00Z"),
            4.0,
            &[],
        );
        assert!((cost.amount - 2.0).abs() < 1e-9, "{}", cost.amount);
    }

    #[test]
    fn plugged_in_time_reads_as_people_say_it() {
        let from = t("2026-06-05T08:00:00Z");
        assert_eq!(plugged_in_for(from, from + Duration::minutes(45)), "45 min");
        assert_eq!(
            plugged_in_for(from, from + Duration::minutes(205)),
            "3 h 25 min"
        );
        assert_eq!(
            plugged_in_for(from, from + Duration::hours(25)),
            "1 day 1 h"
        );
        assert_eq!(
            plugged_in_for(from, from + Duration::hours(50)),
            "2 days 2 h"
        );
        assert_eq!(plugged_in_for(from, from - Duration::hours(1)), "0 min");
    }
}
