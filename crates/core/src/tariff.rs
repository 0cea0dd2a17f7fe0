//! Site electricity tariffs: time-of-use energy prices, demand charge and billing period.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{ValueError, require_finite};
use crate::ids::SiteId;
use crate::site::start_of_local_day;
use crate::window::LocalWindow;

/// Highest accepted energy price per kWh, in the tariff's currency.
pub const MAX_PRICE_PER_KWH: f64 = 100.0;

/// Highest accepted demand charge per kW, in the tariff's currency.
pub const MAX_DEMAND_CHARGE_PER_KW: f64 = 10_000.0;

/// The days of the month a billing period may start on: those that exist in every month.
pub const BILLING_PERIOD_START_DAYS: std::ops::RangeInclusive<u32> = 1..=28;

/// An energy price that applies during a weekly window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceWindow {
    /// When the price applies, in site local time.
    pub window: LocalWindow,
    /// Energy price per kWh while the window is active.
    pub price_per_kwh: f64,
}

/// A site's tariff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tariff {
    /// The site it applies to.
    pub site_id: SiteId,
    /// ISO 4217 code, three uppercase letters, e.g. `USD`.
    pub currency: String,
    /// Energy price per kWh outside every window.
    pub default_price_per_kwh: f64,
    /// Time-of-use prices; the first window containing an instant wins.
    pub windows: Vec<PriceWindow>,
    /// Charge per kW of the billing period's peak demand.
    pub demand_charge_per_kw: f64,
    /// Day of the month (1 to 28) on which each billing period starts, at local midnight.
    pub billing_period_start_day: u32,
}

fn price(field: &'static str, v: f64, max: f64) -> Result<f64, ValueError> {
    let v = require_finite(field, v)?;
    if v < 0.0 {
        return Err(ValueError::invalid(
            field,
            format!("must not be negative, got {v}"),
        ));
    }
    if v > max {
        return Err(ValueError::invalid(
            field,
            format!("must be at most {max}, got {v}"),
        ));
    }
    Ok(v + 0.0)
}

impl Tariff {
    /// Validates a tariff. The currency is trimmed and uppercased; prices must be finite,
    /// 0 to 100 per kWh; the demand charge 0 to 10 000 per kW; the billing day 1 to 28.
    pub fn new(
        site_id: SiteId,
        currency: &str,
        default_price_per_kwh: f64,
        windows: Vec<PriceWindow>,
        demand_charge_per_kw: f64,
        billing_period_start_day: u32,
    ) -> Result<Self, ValueError> {
        let currency = currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ValueError::invalid(
                "currency",
                format!("must be a three-letter ISO 4217 code such as USD, got '{currency}'"),
            ));
        }
        let default_price_per_kwh = price(
            "default_price_per_kwh",
            default_price_per_kwh,
            MAX_PRICE_PER_KWH,
        )?;
        let windows = windows
            .into_iter()
            .map(|w| {
                Ok(PriceWindow {
                    price_per_kwh: price("price_per_kwh", w.price_per_kwh, MAX_PRICE_PER_KWH)?,
                    window: w.window,
                })
            })
            .collect::<Result<Vec<_>, ValueError>>()?;
        let demand_charge_per_kw = price(
            "demand_charge_per_kw",
            demand_charge_per_kw,
            MAX_DEMAND_CHARGE_PER_KW,
        )?;
        if !BILLING_PERIOD_START_DAYS.contains(&billing_period_start_day) {
            let (first, last) = BILLING_PERIOD_START_DAYS.into_inner();
            return Err(ValueError::invalid(
                "billing_period_start_day",
                format!(
                    "must be a day of the month from {first} to {last}, got {billing_period_start_day}"
                ),
            ));
        }
        Ok(Self {
            site_id,
            currency,
            default_price_per_kwh,
            windows,
            demand_charge_per_kw,
            billing_period_start_day,
        })
    }

    /// Energy price per kWh at `at`: the first window containing it, else the default.
    pub fn price_at(&self, tz: Tz, at: DateTime<Utc>) -> f64 {
        self.windows
            .iter()
            .find(|w| w.window.contains(tz, at))
            .map_or(self.default_price_per_kwh, |w| w.price_per_kwh)
    }

    /// Start of the billing period containing `at`: local midnight (site time) of the most
    /// recent billing start day on or before `at`'s local date.
    pub fn billing_period_start(&self, tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
        let local = at.with_timezone(&tz).date_naive();
        // `billing_period_start_day` is 1..=28 by construction, so it exists in every month;
        // the fallbacks only guard against a hand-built, invalid `Tariff`.
        let (first, last) = BILLING_PERIOD_START_DAYS.into_inner();
        let day = self.billing_period_start_day.clamp(first, last);
        let this_month = NaiveDate::from_ymd_opt(local.year(), local.month(), day).unwrap_or(local);
        let start = if local.day() >= day {
            this_month
        } else {
            this_month
                .checked_sub_months(Months::new(1))
                .unwrap_or(this_month)
        };
        start_of_local_day(tz, start)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;
    use chrono_tz::America::{Los_Angeles, Santiago};

    use super::*;
    use crate::window::WeekdaySet;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn window(start: u32, end: u32, price_per_kwh: f64) -> PriceWindow {
        let hm = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        PriceWindow {
            window: LocalWindow::new(WeekdaySet::ALL, hm(start), hm(end)).unwrap(),
            price_per_kwh,
        }
    }

    fn tariff(windows: Vec<PriceWindow>, billing_day: u32) -> Result<Tariff, ValueError> {
        Tariff::new(
            SiteId::parse("lot-b").unwrap(),
            "USD",
            0.25,
            windows,
            18.5,
            billing_day,
        )
    }

    fn time_of_use() -> Tariff {
        // Off-peak overnight 22:00–06:00, peak 16:00–21:00, 0.25 otherwise.
        tariff(vec![window(22, 6, 0.10), window(16, 21, 0.50)], 1).unwrap()
    }

    #[test]
    fn an_overnight_price_window_applies_on_both_sides_of_midnight() {
        // 2026-01-15, Los Angeles on PST (UTC-8).
        let tariff = time_of_use();
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-15T21:59:00Z")),
            0.25
        ); // 13:59
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T06:00:00Z")),
            0.10
        ); // 22:00
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T08:00:00Z")),
            0.10
        ); // 00:00
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T13:59:00Z")),
            0.10
        ); // 05:59
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T14:00:00Z")),
            0.25
        ); // 06:00
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T01:00:00Z")),
            0.50
        ); // 17:00
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T05:00:00Z")),
            0.25
        ); // 21:00
    }

    #[test]
    fn the_first_matching_window_wins_where_windows_overlap() {
        let tariff = tariff(vec![window(16, 21, 0.50), window(12, 20, 0.30)], 1).unwrap();
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-16T02:00:00Z")),
            0.50
        ); // 18:00
        assert_eq!(
            tariff.price_at(Los_Angeles, t("2026-01-15T21:00:00Z")),
            0.30
        ); // 13:00
    }

    #[test]
    fn the_currency_is_a_three_letter_code_uppercased() {
        let site = SiteId::parse("lot-b").unwrap();
        assert_eq!(
            Tariff::new(site.clone(), " eur ", 0.3, vec![], 0.0, 1)
                .unwrap()
                .currency,
            "EUR"
        );
        for bad in ["US", "USDX", "U5D", "€"] {
            assert_eq!(
                Tariff::new(site.clone(), bad, 0.3, vec![], 0.0, 1)
                    .unwrap_err()
                    .field(),
                "currency",
                "{bad}"
            );
        }
    }

    #[test]
    fn negative_non_finite_or_absurd_prices_are_rejected() {
        let site = SiteId::parse("lot-b").unwrap();
        let new = |price: f64, windows: Vec<PriceWindow>, demand: f64| {
            Tariff::new(site.clone(), "USD", price, windows, demand, 1).map(|_| ())
        };
        assert_eq!(
            new(-0.1, vec![], 0.0).unwrap_err().to_string(),
            "default_price_per_kwh: must not be negative, got -0.1"
        );
        assert_eq!(
            new(f64::NAN, vec![], 0.0).unwrap_err().to_string(),
            "default_price_per_kwh: must be a finite number, got NaN"
        );
        assert_eq!(
            new(0.2, vec![window(1, 2, 101.0)], 0.0)
                .unwrap_err()
                .to_string(),
            "price_per_kwh: must be at most 100, got 101"
        );
        assert_eq!(
            new(0.2, vec![], 10_001.0).unwrap_err().field(),
            "demand_charge_per_kw"
        );
        assert_eq!(
            new(0.2, vec![], f64::INFINITY).unwrap_err().field(),
            "demand_charge_per_kw"
        );
        assert!(new(100.0, vec![window(1, 2, 0.0)], 10_000.0).is_ok());
    }

    #[test]
    fn the_billing_day_must_exist_in_every_month() {
        assert!(tariff(vec![], 28).is_ok());
        assert_eq!(
            tariff(vec![], 29).unwrap_err().to_string(),
            "billing_period_start_day: must be a day of the month from 1 to 28, got 29"
        );
        assert_eq!(
            tariff(vec![], 0).unwrap_err().field(),
            "billing_period_start_day"
        );
    }

    #[test]
    fn the_billing_period_starts_at_local_midnight_of_the_start_day() {
        let tariff = tariff(vec![], 15).unwrap();
        // 2026-03-20 local: this month's 15th, midnight PDT.
        assert_eq!(
            tariff.billing_period_start(Los_Angeles, t("2026-03-20T12:00:00Z")),
            t("2026-03-15T07:00:00Z")
        );
        // 2026-03-10 local: last month's 15th, midnight PST.
        assert_eq!(
            tariff.billing_period_start(Los_Angeles, t("2026-03-10T12:00:00Z")),
            t("2026-02-15T08:00:00Z")
        );
        // Across the new year.
        assert_eq!(
            tariff.billing_period_start(Los_Angeles, t("2026-01-05T12:00:00Z")),
            t("2025-12-15T08:00:00Z")
        );
    }

    #[test]
    fn the_billing_period_boundary_is_exact() {
        let tariff = tariff(vec![], 15).unwrap();
        let start = t("2026-03-15T07:00:00Z");
        assert_eq!(tariff.billing_period_start(Los_Angeles, start), start);
        assert_eq!(
            tariff.billing_period_start(Los_Angeles, start - chrono::Duration::seconds(1)),
            t("2026-02-15T08:00:00Z")
        );
    }

    #[test]
    fn the_billing_period_follows_the_local_date_not_the_utc_date() {
        let tariff = tariff(vec![], 1).unwrap();
        // 2026-04-01T03:00Z is still 2026-03-31 20:00 in Los Angeles.
        assert_eq!(
            tariff.billing_period_start(Los_Angeles, t("2026-04-01T03:00:00Z")),
            t("2026-03-01T08:00:00Z")
        );
        // The November period starts at midnight PDT, before the 02:00 fall back.
        assert_eq!(
            tariff.billing_period_start(Los_Angeles, t("2026-11-20T12:00:00Z")),
            t("2026-11-01T07:00:00Z")
        );
    }

    #[test]
    fn a_billing_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() {
        let tariff = tariff(vec![], 6).unwrap();
        assert_eq!(
            tariff.billing_period_start(Santiago, t("2026-09-10T12:00:00Z")),
            t("2026-09-06T04:00:00Z")
        );
    }
}
