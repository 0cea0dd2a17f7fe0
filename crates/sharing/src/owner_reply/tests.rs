//! The table of real-world owner replies, each with the absolute time it must mean.

use chrono::{DateTime, Utc};
use chrono_tz::America::Los_Angeles;
use chrono_tz::Europe::London;
use chrono_tz::Tz;

use super::*;

/// What a reply must classify as; times are written with their UTC offset, so the
/// expectation does not depend on the conversion under test.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Ok,
    No,
    Share,
    At(&'static str),
    AtWithNote(&'static str, &'static str),
    Text,
}
use Expect::{At, AtWithNote, No, Ok as Yes, Share, Text};

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .with_timezone(&Utc)
}

fn check(now: &str, tz: Tz, table: &[(&str, Expect)]) -> usize {
    let now = instant(now);
    let mut failures = Vec::new();
    for &(text, expect) in table {
        let got = OwnerReply::classify(text, now, tz);
        let want = match expect {
            Yes => OwnerReply::Ok,
            No => OwnerReply::No,
            Share => OwnerReply::Share,
            At(at) => OwnerReply::ReturnAt {
                at: instant(at),
                note: None,
            },
            AtWithNote(at, note) => OwnerReply::ReturnAt {
                at: instant(at),
                note: Some(note.to_owned()),
            },
            Text => OwnerReply::Text(text.trim().to_owned()),
        };
        if got != want {
            failures.push(format!("{text:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    table.len()
}

#[test]
fn replies_on_a_summer_afternoon_in_los_angeles_mean_these_times() {
    // Wednesday 2026-06-10, 14:05 PDT.
    check(
        "2026-06-10T14:05:00-07:00",
        Los_Angeles,
        &[
            ("15:30", At("2026-06-10T15:30:00-07:00")),
            ("15.30", At("2026-06-10T15:30:00-07:00")),
            ("3:30pm", At("2026-06-10T15:30:00-07:00")),
            ("3:30 PM", At("2026-06-10T15:30:00-07:00")),
            ("3pm", At("2026-06-10T15:00:00-07:00")),
            ("3 p.m.", At("2026-06-10T15:00:00-07:00")),
            ("4 pm", At("2026-06-10T16:00:00-07:00")),
            ("4pm", At("2026-06-10T16:00:00-07:00")),
            ("4:45", At("2026-06-10T16:45:00-07:00")),
            ("14:30", At("2026-06-10T14:30:00-07:00")),
            ("1530", At("2026-06-10T15:30:00-07:00")),
            ("15h30", At("2026-06-10T15:30:00-07:00")),
            ("half 4", At("2026-06-10T16:30:00-07:00")),
            ("quarter past 3", At("2026-06-10T15:15:00-07:00")),
            ("quarter to 4", At("2026-06-10T15:45:00-07:00")),
            ("ten to five", At("2026-06-10T16:50:00-07:00")),
            ("at 4", At("2026-06-10T16:00:00-07:00")),
            ("by 4", At("2026-06-10T16:00:00-07:00")),
            ("at 16", At("2026-06-10T16:00:00-07:00")),
            ("Be back @ 4", At("2026-06-10T16:00:00-07:00")),
            ("back at 3", At("2026-06-10T15:00:00-07:00")),
            ("b back at 3", At("2026-06-10T15:00:00-07:00")),
            ("I'll be back around 4ish", At("2026-06-10T16:00:00-07:00")),
            ("around 6", At("2026-06-10T18:00:00-07:00")),
            ("back at 5:30 pm", At("2026-06-10T17:30:00-07:00")),
            ("quarter past 6 tonight", At("2026-06-10T18:15:00-07:00")),
            ("back at 10:30", At("2026-06-10T22:30:00-07:00")),
            ("at 930", At("2026-06-10T21:30:00-07:00")),
            ("930pm", At("2026-06-10T21:30:00-07:00")),
            ("at 1030", At("2026-06-10T22:30:00-07:00")),
            ("midnight", At("2026-06-11T00:00:00-07:00")),
            ("20 min", At("2026-06-10T14:25:00-07:00")),
            ("20 mins", At("2026-06-10T14:25:00-07:00")),
            ("20m", At("2026-06-10T14:25:00-07:00")),
            ("back in 20", At("2026-06-10T14:25:00-07:00")),
            ("in 20", At("2026-06-10T14:25:00-07:00")),
            ("Back in 20!!", At("2026-06-10T14:25:00-07:00")),
            ("in twenty", At("2026-06-10T14:25:00-07:00")),
            ("ten minutes", At("2026-06-10T14:15:00-07:00")),
            ("1h", At("2026-06-10T15:05:00-07:00")),
            ("1 hr", At("2026-06-10T15:05:00-07:00")),
            ("2 hrs", At("2026-06-10T16:05:00-07:00")),
            ("an hour", At("2026-06-10T15:05:00-07:00")),
            ("half an hour", At("2026-06-10T14:35:00-07:00")),
            ("1.5 hours", At("2026-06-10T15:35:00-07:00")),
            ("90 minutes", At("2026-06-10T15:35:00-07:00")),
            ("2h30", At("2026-06-10T16:35:00-07:00")),
            ("1 hour 15 minutes", At("2026-06-10T15:20:00-07:00")),
            (
                "back in an hour and a half",
                At("2026-06-10T15:35:00-07:00"),
            ),
            ("20-30 min", At("2026-06-10T14:35:00-07:00")),
            ("a few minutes", At("2026-06-10T14:10:00-07:00")),
            ("a couple of minutes", At("2026-06-10T14:10:00-07:00")),
            ("5 more minutes", At("2026-06-10T14:10:00-07:00")),
            ("omw 10 min", At("2026-06-10T14:15:00-07:00")),
            ("be there in 5", At("2026-06-10T14:10:00-07:00")),
            ("5 min away", At("2026-06-10T14:10:00-07:00")),
            ("gimme 10", At("2026-06-10T14:15:00-07:00")),
            ("give me 15 mins pls", At("2026-06-10T14:20:00-07:00")),
            ("BACK IN 15 MINS", At("2026-06-10T14:20:00-07:00")),
            ("in 10 minutes or so", At("2026-06-10T14:15:00-07:00")),
            (
                "sorry running late - 4pm",
                AtWithNote("2026-06-10T16:00:00-07:00", "sorry running late"),
            ),
            (
                "Back by 4:15, in a meeting",
                AtWithNote("2026-06-10T16:15:00-07:00", "in a meeting"),
            ),
            (
                "stuck in traffic, 20 mins",
                AtWithNote("2026-06-10T14:25:00-07:00", "stuck in traffic"),
            ),
            (
                "18 kWh so far, back at 5",
                AtWithNote("2026-06-10T17:00:00-07:00", "18 kWh so far"),
            ),
            (
                "Im at level 3, back in 10",
                AtWithNote("2026-06-10T14:15:00-07:00", "Im at level 3"),
            ),
            ("4.30pm", At("2026-06-10T16:30:00-07:00")),
            ("20 past 3", At("2026-06-10T15:20:00-07:00")),
            ("10 to 4", At("2026-06-10T15:50:00-07:00")),
            ("at four", At("2026-06-10T16:00:00-07:00")),
            ("by five pm", At("2026-06-10T17:00:00-07:00")),
            ("ETA 4:10", At("2026-06-10T16:10:00-07:00")),
            ("2 and a half hours", At("2026-06-10T16:35:00-07:00")),
            ("1/2 hour", At("2026-06-10T14:35:00-07:00")),
            ("back in 1h30", At("2026-06-10T15:35:00-07:00")),
            ("10 to 15 mins", At("2026-06-10T14:20:00-07:00")),
            ("in a sec", At("2026-06-10T14:10:00-07:00")),
            (
                "spot 12 at 4",
                AtWithNote("2026-06-10T16:00:00-07:00", "spot 12"),
            ),
            ("I'm at 80%", Text),
            ("in bay 4", Text),
            ("at 5 kwh", Text),
            ("$15.30", Text),
            ("room 1530", Text),
            ("ok", Yes),
            ("OK!", Yes),
            ("ok go ahead", Yes),
            ("Ok, go ahead.", Yes),
            ("sure", Yes),
            ("Sure thing!", Yes),
            ("yes go ahead", Yes),
            ("yes you can unplug it", Yes),
            ("go ahead", Yes),
            ("k", Yes),
            ("no problem", Yes),
            ("No worries, go for it", Yes),
            ("no", No),
            ("NO.", No),
            ("no sorry", No),
            ("nope", No),
            ("please don't unplug", No),
            ("Not now", No),
            ("SHARE", Share),
            ("share my number", Share),
            ("yes.", Text),
            ("ok I'm coming", Text),
            ("call me", Text),
            ("👍", Text),
            ("on my way", Text),
            ("tomorrow at 9", Text),
            ("at 8am", Text),
            ("in 18 hours", Text),
            ("back at 2", Text),
            ("level 2 bay 14", Text),
            ("  who is this?  ", Text),
            ("", Text),
        ],
    );
}

#[test]
fn replies_on_a_morning_in_los_angeles_read_the_coming_half_day() {
    // 09:10 PDT: "at 4" is this afternoon, "at 9" has just passed.
    check(
        "2026-06-10T09:10:00-07:00",
        Los_Angeles,
        &[
            ("noon", At("2026-06-10T12:00:00-07:00")),
            ("12 noon", At("2026-06-10T12:00:00-07:00")),
            ("at 4", At("2026-06-10T16:00:00-07:00")),
            ("12:15", At("2026-06-10T12:15:00-07:00")),
            ("half 10", At("2026-06-10T10:30:00-07:00")),
            ("at 11", At("2026-06-10T11:00:00-07:00")),
            ("9:05", Text),
            ("at 9", Text),
            ("09:30", At("2026-06-10T09:30:00-07:00")),
        ],
    );
}

#[test]
fn replies_on_the_spring_forward_day_in_los_angeles_skip_the_missing_hour() {
    // 2026-03-08 01:30 PST; at 02:00 the clocks jump to 03:00 PDT.
    check(
        "2026-03-08T01:30:00-08:00",
        Los_Angeles,
        &[
            ("in 1 hour", At("2026-03-08T03:30:00-07:00")),
            ("back in 45", At("2026-03-08T03:15:00-07:00")),
            ("2:30", At("2026-03-08T03:00:00-07:00")),
            ("3am", At("2026-03-08T03:00:00-07:00")),
            ("4:15", At("2026-03-08T04:15:00-07:00")),
            ("at 10", At("2026-03-08T10:00:00-07:00")),
            ("1:45", At("2026-03-08T01:45:00-08:00")),
        ],
    );
}

#[test]
fn replies_on_the_fall_back_day_in_los_angeles_take_the_first_coming_one_thirty() {
    // 2026-11-01 00:50 PDT; at 02:00 PDT the clocks go back to 01:00 PST.
    check(
        "2026-11-01T00:50:00-07:00",
        Los_Angeles,
        &[
            ("1:30", At("2026-11-01T01:30:00-07:00")),
            ("in 90 minutes", At("2026-11-01T01:20:00-08:00")),
            ("2am", At("2026-11-01T02:00:00-08:00")),
            ("back at 4", At("2026-11-01T04:00:00-08:00")),
        ],
    );
    // 01:10 PST, the second time round: the earlier 01:30 (PDT) is past, the later is not.
    check(
        "2026-11-01T01:10:00-08:00",
        Los_Angeles,
        &[
            ("1:30", At("2026-11-01T01:30:00-08:00")),
            ("20 min", At("2026-11-01T01:30:00-08:00")),
        ],
    );
}

#[test]
fn replies_in_london_read_british_times() {
    // 22:40 BST.
    check(
        "2026-06-10T22:40:00+01:00",
        London,
        &[
            ("back at 11", At("2026-06-10T23:00:00+01:00")),
            ("half 11", At("2026-06-10T23:30:00+01:00")),
            ("quarter to 12", At("2026-06-10T23:45:00+01:00")),
            ("20 mins mate", At("2026-06-10T23:00:00+01:00")),
            ("7am", At("2026-06-11T07:00:00+01:00")),
            ("00:30", At("2026-06-11T00:30:00+01:00")),
            ("cheers, no worries", Yes),
        ],
    );
    // 2026-03-29 00:40 GMT; at 01:00 the clocks jump to 02:00 BST.
    check(
        "2026-03-29T00:40:00+00:00",
        London,
        &[
            ("1:30", At("2026-03-29T02:00:00+01:00")),
            ("half 2", At("2026-03-29T02:30:00+01:00")),
        ],
    );
    // 2026-10-25 00:30 BST; at 02:00 BST the clocks go back to 01:00 GMT.
    check(
        "2026-10-25T00:30:00+01:00",
        London,
        &[("1:15", At("2026-10-25T01:15:00+01:00"))],
    );
}

#[test]
fn a_wider_limit_lets_a_reply_name_tomorrow_morning() {
    let now = instant("2026-06-10T14:05:00-07:00");
    let rules = ReturnTimeRules {
        max_ahead: chrono::TimeDelta::hours(24),
        ..ReturnTimeRules::default()
    };
    assert_eq!(
        OwnerReply::classify_with("tomorrow at 9", now, Los_Angeles, &rules),
        OwnerReply::ReturnAt {
            at: instant("2026-06-11T09:00:00-07:00"),
            note: None
        }
    );
}
