//! The words of a projection: one sentence that says what the driver will have and, when it
//! is less than they asked for, what limits it and what they can do.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{PowerLimit, Projection, ShortfallCause, non_negative};
use crate::time_format::ClockFormat;

/// The sentence for the driver.
///
/// * met: "You'll have ~18 kWh (~60 mi) by 17:00." (the amount asked for, when one was)
/// * the car is the limit: "Your car is drawing 1.1 kW, so by 12:21 you will have about 6.6
///   of the 20 kWh you asked for; leave later or ask for less."
/// * the charger: "This charger gives at most 7.2 kW, so by …"
/// * the site: "The site is at its power limit with other cars charging, so by …"
/// * power steps: "This charger cannot run below its minimum power, so by …"
///
/// Miles are added when `wh_per_mile` is given. Amounts of 10 or more are whole numbers,
/// smaller ones have one decimal. The time is in the site's clock format, with the weekday
/// ("by Mon 07:30") when departure is not on the same local day as `now`.
pub(super) fn sentence(
    p: &Projection,
    tz: Tz,
    clock: ClockFormat,
    wh_per_mile: Option<f64>,
    now: DateTime<Utc>,
) -> String {
    let kwh = non_negative(p.delivered_kwh);
    let wh = wh_per_mile.filter(|wh| wh.is_finite() && *wh > 0.0);
    let miles = |kwh: f64| wh.map(|wh| format_amount(kwh * 1000.0 / wh));
    let by = clock.local_time(p.departure, tz, now);
    let amount = format_amount(kwh);
    let requested = p.requested_kwh.map(non_negative);
    let (true, Some(requested)) = (!p.is_met(), requested) else {
        // A met request is promised as asked: what the plan gives differs only by rounding.
        let kwh = requested.unwrap_or(kwh);
        let miles = miles(kwh)
            .map(|m| format!(" (~{m} mi)"))
            .unwrap_or_default();
        return format!("You'll have ~{} kWh{miles} by {by}.", format_amount(kwh));
    };
    let of = match (miles(kwh), miles(requested)) {
        (Some(have), Some(asked)) => format!(
            "about {amount} of the {} kWh (~{have} of {asked} mi) you asked for",
            format_amount(requested)
        ),
        _ => format!(
            "about {amount} of the {} kWh you asked for",
            format_amount(requested)
        ),
    };
    let limit = match (p.cause, p.limit) {
        (_, Some(PowerLimit::Car { kw })) => {
            format!("Your car is drawing {}, so by", format_kw(kw))
        }
        (_, Some(PowerLimit::Charger { kw })) => {
            format!("This charger gives at most {}, so by", format_kw(kw))
        }
        (Some(ShortfallCause::NotEnoughTime), None) => {
            "This charger cannot deliver that much before you leave: by".to_owned()
        }
        (Some(ShortfallCause::SiteAtCapacity), None) => {
            "The site is at its power limit with other cars charging, so by".to_owned()
        }
        (Some(ShortfallCause::PowerSteps), None) => {
            "This charger cannot run below its minimum power, so by".to_owned()
        }
        (None, None) => "By".to_owned(),
    };
    format!("{limit} {by} you will have {of}; leave later or ask for less.")
}

/// Whole numbers from 10 up, one decimal below ("18", "9.5", "0.4").
pub(super) fn format_amount(v: f64) -> String {
    let v = non_negative(v);
    let tenths = (v * 10.0).round() / 10.0;
    if tenths >= 10.0 {
        format!("{:.0}", v.round())
    } else {
        format!("{tenths:.1}")
    }
}

/// A power with one decimal: "1.1 kW".
fn format_kw(kw: f64) -> String {
    format!("{:.1} kW", non_negative(kw))
}
