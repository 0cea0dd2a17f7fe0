//! Tests of the return-time rules: DST conversion, spans, kinds and limits.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::America::Los_Angeles;
use chrono_tz::Europe::London;

use super::*;

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

#[test]
fn a_wall_time_in_the_spring_gap_becomes_the_instant_the_gap_ends() {
    assert_eq!(
        local_to_utc(local(2026, 3, 8, 2, 30), Los_Angeles),
        instant("2026-03-08T03:00:00-07:00")
    );
    assert_eq!(
        local_to_utc(local(2026, 3, 29, 1, 15), London),
        instant("2026-03-29T02:00:00+01:00")
    );
}

#[test]
fn a_wall_time_in_the_autumn_fold_becomes_the_earlier_instant() {
    assert_eq!(
        local_to_utc(local(2026, 11, 1, 1, 30), Los_Angeles),
        instant("2026-11-01T01:30:00-07:00")
    );
}

#[test]
fn an_ordinary_wall_time_converts_with_its_offset() {
    assert_eq!(
        local_to_utc(local(2026, 1, 15, 9, 0), Los_Angeles),
        instant("2026-01-15T17:00:00Z")
    );
}

#[test]
fn the_span_covers_the_lead_in_and_the_tail_of_the_time() {
    let text = "Sorry! I'll be back in 20 mins or so, grabbing food";
    let now = instant("2026-06-10T14:05:00-07:00");
    let found = find_return_time(text, now, Los_Angeles, &ReturnTimeRules::default()).unwrap();
    assert_eq!(&text[found.span.clone()], "I'll be back in 20 mins or so");
    assert_eq!(found.kind, ReturnTimeKind::Wait);
    assert_eq!(found.at, now + TimeDelta::minutes(20));
}

#[test]
fn clock_times_and_waits_are_told_apart() {
    let now = instant("2026-06-10T14:05:00-07:00");
    let rules = ReturnTimeRules::default();
    let clock = find_return_time("at 4", now, Los_Angeles, &rules).unwrap();
    assert_eq!(clock.kind, ReturnTimeKind::ClockTime);
    let wait = find_return_time("1h", now, Los_Angeles, &rules).unwrap();
    assert_eq!(wait.kind, ReturnTimeKind::Wait);
}

#[test]
fn the_limit_ahead_is_inclusive_and_adjustable() {
    let now = instant("2026-06-10T14:05:00-07:00");
    let rules = ReturnTimeRules::default();
    assert!(find_return_time("in 12 hours", now, Los_Angeles, &rules).is_some());
    assert!(find_return_time("in 12.5 hours", now, Los_Angeles, &rules).is_none());
    let strict = ReturnTimeRules {
        max_ahead: TimeDelta::hours(1),
        ..rules
    };
    assert!(find_return_time("at 4", now, Los_Angeles, &strict).is_none());
    assert!(find_return_time("45 min", now, Los_Angeles, &strict).is_some());
}

#[test]
fn a_few_minutes_is_the_configured_short_wait() {
    let now = instant("2026-06-10T14:05:00-07:00");
    let rules = ReturnTimeRules {
        few_minutes: TimeDelta::minutes(3),
        ..ReturnTimeRules::default()
    };
    let found = find_return_time("a few mins", now, Los_Angeles, &rules).unwrap();
    assert_eq!(found.at, now + TimeDelta::minutes(3));
}

#[test]
fn a_wait_across_the_spring_gap_is_real_elapsed_time() {
    // 01:50 PST + 20 min is 03:10 PDT on the clock: 20 real minutes.
    let now = instant("2026-03-08T01:50:00-08:00");
    let found = find_return_time("20 min", now, Los_Angeles, &ReturnTimeRules::default()).unwrap();
    assert_eq!(found.at, instant("2026-03-08T03:10:00-07:00"));
}
