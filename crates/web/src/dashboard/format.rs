//! Numbers and times as the dashboard shows them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A power or energy for people: one decimal ("40.0"); NaN and negatives show as 0.
pub(crate) fn kw(v: f64) -> String {
    format!("{:.1}", finite(v))
}

/// A power for machines and short texts: at most two decimals, no trailing zeros ("40",
/// "62.45").
pub(crate) fn kw_attr(v: f64) -> String {
    let rounded = (finite(v) * 100.0).round() / 100.0;
    format!("{}", rounded + 0.0)
}

/// `v` when finite and positive, else 0.
pub(crate) fn finite(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// "14:05" in the site's time zone.
pub(crate) fn clock_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_powers_have_no_trailing_zeros() {
        assert_eq!(kw_attr(40.0), "40");
        assert_eq!(kw_attr(62.449), "62.45");
        assert_eq!(kw_attr(-3.0), "0");
        assert_eq!(kw_attr(f64::NAN), "0");
        assert_eq!(kw(7.26), "7.3");
    }
}
