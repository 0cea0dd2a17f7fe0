//! The time axis of the charts (the driver's page and the dashboard): ticks on whole local
//! hours, spaced so that they stay readable.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone as _, Timelike as _, Utc};
use chrono_tz::Tz;

/// Whole local hours between `t0` and `t1`, every 1, 2, 3, 4, 6, 12 or 24 hours so that there
/// are at most `max_ticks`, each as the instant and the local time it shows. Hours skipped by
/// a DST change are left out; a repeated hour is shown once, at its first occurrence.
pub(crate) fn hour_ticks(
    t0: DateTime<Utc>,
    t1: DateTime<Utc>,
    tz: Tz,
    max_ticks: u32,
) -> Vec<(DateTime<Utc>, NaiveDateTime)> {
    let hours = (t1 - t0).num_minutes() as f64 / 60.0;
    let stride = [1, 2, 3, 4, 6, 12, 24]
        .into_iter()
        .find(|s| hours / f64::from(*s) <= f64::from(max_ticks))
        .unwrap_or(24);
    let local = t0.with_timezone(&tz).naive_local();
    let first_hour = local.hour() - local.hour() % stride;
    let Some(base) = local.date().and_hms_opt(first_hour, 0, 0) else {
        return Vec::new();
    };
    let mut ticks = Vec::new();
    // Bounded: a chart spanning weeks gets no more than a few hundred candidate ticks.
    for k in 0..(max_ticks * 24 + 24) {
        let naive = base + Duration::hours(i64::from(stride * k));
        let Some(at) = tz.from_local_datetime(&naive).earliest() else {
            continue;
        };
        let at = at.with_timezone(&Utc);
        if at > t1 {
            break;
        }
        if at >= t0 {
            ticks.push((at, naive));
        }
    }
    ticks
}
