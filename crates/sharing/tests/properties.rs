//! Property tests: parsing and sanitizing never panic on arbitrary text, and their outputs
//! keep their promises.

use chargeplan_sharing::{
    Command, MAX_RELAYED_CHARS, MAX_RETURN_AHEAD, OwnerReply, ReturnTimeRules, find_return_time,
    sanitize,
};
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

fn now_in_2026() -> impl Strategy<Value = DateTime<Utc>> {
    // Any minute of 2026, DST days included.
    (0i64..365 * 24 * 60).prop_map(|m| {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + TimeDelta::minutes(m)
    })
}

fn zone() -> impl Strategy<Value = Tz> {
    prop_oneof![
        Just(chrono_tz::America::Los_Angeles),
        Just(chrono_tz::Europe::London),
        Just(chrono_tz::Australia::Lord_Howe),
        Just(chrono_tz::Asia::Kolkata),
    ]
}

/// Text that looks like replies: digits, separators, time words and any character.
fn reply_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,4}",
        Just(":".to_owned()),
        Just(".".to_owned()),
        Just(" ".to_owned()),
        Just("pm".to_owned()),
        Just("h".to_owned()),
        Just(" half ".to_owned()),
        Just(" to ".to_owned()),
        Just(" in ".to_owned()),
        Just(" at ".to_owned()),
        Just(" min".to_owned()),
        Just(" hours".to_owned()),
        Just("tomorrow".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn max_consecutive_digits(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

proptest! {
    #[test]
    fn sanitized_text_is_short_free_of_controls_and_long_digit_runs(
        text in prop::collection::vec(any::<char>(), 0..1600).prop_map(String::from_iter)
    ) {
        let out = sanitize(&text);
        prop_assert!(out.text.chars().count() <= MAX_RELAYED_CHARS);
        prop_assert!(!out.text.chars().any(char::is_control));
        prop_assert!(max_consecutive_digits(&out.text) < 7, "{:?}", out.text);
    }

    #[test]
    fn sanitizing_digit_heavy_text_never_leaves_seven_digits_in_a_row(
        text in "[0-9 ().+\\-a-z:]{0,400}"
    ) {
        let out = sanitize(&text);
        prop_assert!(max_consecutive_digits(&out.text) < 7, "{:?}", out.text);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(
        text in prop::collection::vec(any::<char>(), 0..1600).prop_map(String::from_iter),
        now in now_in_2026(),
        tz in zone(),
    ) {
        let _ = Command::parse(&text);
        let _ = OwnerReply::classify(&text, now, tz);
    }

    #[test]
    fn a_found_return_time_is_never_past_nor_beyond_the_limit(
        text in reply_like(),
        now in now_in_2026(),
        tz in zone(),
    ) {
        if let Some(found) = find_return_time(&text, now, tz, &ReturnTimeRules::default()) {
            prop_assert!(found.at >= now);
            prop_assert!(found.at - now <= MAX_RETURN_AHEAD);
            prop_assert!(text.get(found.span.clone()).is_some());
        }
    }

    #[test]
    fn a_wait_in_minutes_is_that_many_real_minutes(
        minutes in 1i64..=720,
        now in now_in_2026(),
        tz in zone(),
    ) {
        let text = format!("back in {minutes} min");
        let found = find_return_time(&text, now, tz, &ReturnTimeRules::default()).unwrap();
        prop_assert_eq!(found.at, now + TimeDelta::minutes(minutes));
    }

    #[test]
    fn a_24_hour_clock_time_within_the_limit_shows_that_time_on_the_site_clock(
        // 10:00 to 12:59 read as either half of the day, so they are not 24-hour times.
        hour in prop_oneof![0u32..10, 13u32..24],
        minute in 0u32..60,
        now in now_in_2026(),
        tz in zone(),
    ) {
        let text = format!("{hour:02}:{minute:02}");
        if let Some(found) = find_return_time(&text, now, tz, &ReturnTimeRules::default()) {
            let shown = found.at.with_timezone(&tz);
            let wall = chrono::Timelike::hour(&shown) * 60 + chrono::Timelike::minute(&shown);
            let asked = hour * 60 + minute;
            // Equal, or later when the asked time fell into a DST gap.
            prop_assert!(wall == asked || found.at.with_timezone(&tz).naive_local().time()
                > chrono::NaiveTime::from_hms_opt(hour, minute, 0).unwrap(), "{text} → {shown}");
        }
    }
}
