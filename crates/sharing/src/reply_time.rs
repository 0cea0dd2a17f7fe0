//! When an owner says they will be back: finds a clock time ("15:30", "3pm", "half 4") or a
//! wait ("20 min", "back in 20", "an hour") in a reply and turns it into an instant.
//!
//! The grammar is a small hand-written tokenizer and matcher (`tokens`, `grammar`). The
//! maintained English date crate on crates.io, `interim` (the successor of the unmaintained
//! `chrono-english`), was checked and does not fit: it parses a whole string as one date
//! expression, so it cannot find a time inside free text ("sorry running late - 4pm"); its
//! documented grammar is about dates ("next friday 8pm", "April 1") and reads "m" as months,
//! so "20m" would be twenty months; it has no "half 4", "quarter to 4", "2h30", "back in 20"
//! or "a few minutes"; and it applies its own rules to past times and DST. Our rules are
//! what matter here, so the grammar is ours too: a few hundred lines, deterministic.
//!
//! Rules (see README.md for the whole grammar):
//! - A clock time without am/pm whose hour is 1–12 ("at 4", "3:30", "half 4") is whichever
//!   of the two readings (04:00 or 16:00) comes next after `now`. An hour of 0 or 13–23, or
//!   a written leading zero ("09:30"), is a 24-hour time.
//! - A clock time already past means its next occurrence (tomorrow), except that one that
//!   passed less than [`ReturnTimeRules::just_past`] ago, and nearer to `now` than its next
//!   occurrence, is not a return time at all: the owner is late or the text was slow, and
//!   "3:30" sent at 15:40 does not mean 03:30.
//! - "tomorrow" in the reply moves a clock time to tomorrow's date.
//! - Nothing further ahead than [`ReturnTimeRules::max_ahead`] (12 hours) is a return time.
//! - Wall times become instants with [`local_to_utc`]; waits are added to `now` in UTC.

mod grammar;
mod tokens;

use std::ops::Range;

use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use grammar::{Reading, Spec};
pub(crate) use tokens::{Kind, Token, tokenize};

/// A return time further ahead than this is not one: the reply is free text.
pub const MAX_RETURN_AHEAD: TimeDelta = TimeDelta::hours(12);
/// A clock time that passed less than this long ago is not a return time.
pub const JUST_PAST: TimeDelta = TimeDelta::hours(1);
/// What "a few minutes", "a couple of minutes", "a minute" and "a sec" mean.
pub const FEW_MINUTES: TimeDelta = TimeDelta::minutes(5);

/// The adjustable limits of reading a return time; [`Default`] gives the constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnTimeRules {
    /// A time further ahead of `now` than this is not a return time.
    pub max_ahead: TimeDelta,
    /// A clock time that passed less than this long ago is not a return time (rather than
    /// meaning tomorrow, or the other half of the day).
    pub just_past: TimeDelta,
    /// The wait a vague "a few minutes" stands for.
    pub few_minutes: TimeDelta,
}

impl Default for ReturnTimeRules {
    fn default() -> Self {
        Self {
            max_ahead: MAX_RETURN_AHEAD,
            just_past: JUST_PAST,
            few_minutes: FEW_MINUTES,
        }
    }
}

/// Whether the reply named a wall-clock time or a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnTimeKind {
    /// "15:30", "4pm", "half 4", "at 4".
    ClockTime,
    /// "20 min", "back in 20", "an hour".
    Wait,
}

/// A return time found in a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTime {
    /// When the owner will be back.
    pub at: DateTime<Utc>,
    /// Byte range of the words that said so in the reply, with lead-ins such as "back in"
    /// and tails such as "ish" included; the rest of the reply is the owner's note.
    pub span: Range<usize>,
    pub kind: ReturnTimeKind,
}

/// Words right before a time that belong to it ("I'll be back in", "omw", "another").
const LEAD_INS: &[&str] = &[
    "back",
    "bk",
    "b",
    "be",
    "there",
    "here",
    "ill",
    "im",
    "i",
    "will",
    "gonna",
    "should",
    "around",
    "about",
    "approx",
    "approximately",
    "roughly",
    "like",
    "in",
    "at",
    "by",
    "another",
    "omw",
    "returning",
    "coming",
    "til",
    "till",
    "before",
    "after",
];
/// Words right after a time that belong to it ("ish", "or so", "at the latest", "from now").
const TAILS: &[&[&str]] = &[
    &["ish"],
    &["or", "so"],
    &["at", "the", "latest"],
    &["latest"],
    &["max"],
    &["tops"],
    &["from", "now"],
    &["away"],
    &["out"],
];
const TOMORROW: &[&str] = &[
    "tomorrow", "tmrw", "tmr", "tmrow", "tomoro", "tomorow", "tomorrw", "tomoz", "2moro",
];

/// The first return time in `text`, read with the site's time zone `tz` relative to `now`,
/// or `None` when the reply names no time within the rules.
pub fn find_return_time(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
    rules: &ReturnTimeRules,
) -> Option<ReturnTime> {
    let tokens = tokenize(text);
    let tomorrow = tokens
        .iter()
        .any(|t| matches!(&t.kind, Kind::Word(w) if TOMORROW.contains(&w.as_str())));
    // A time that is not a return time hides the pieces inside it: "in 12.5 hours" must
    // not become "5 hours".
    let mut refused: Vec<Range<usize>> = Vec::new();
    grammar::find_all(&tokens, rules.few_minutes)
        .into_iter()
        .find_map(|m| {
            let inside = |r: &Range<usize>| m.tokens.start > r.start && m.tokens.start < r.end;
            if refused.iter().any(inside) {
                return None;
            }
            let found = resolve(&m, tomorrow, now, tz, rules);
            if found.is_none() {
                refused.push(m.tokens.clone());
            }
            let (at, kind) = found?;
            let range = widen(&tokens, m.tokens);
            Some(ReturnTime {
                at,
                span: tokens[range.start].span.start..tokens[range.end - 1].span.end,
                kind,
            })
        })
}

/// The instant a match names, when it is a return time under the rules.
fn resolve(
    m: &grammar::Match,
    tomorrow: bool,
    now: DateTime<Utc>,
    tz: Tz,
    rules: &ReturnTimeRules,
) -> Option<(DateTime<Utc>, ReturnTimeKind)> {
    let (at, kind) = match m.spec {
        Spec::After(wait) => (now + wait, ReturnTimeKind::Wait),
        Spec::Clock {
            hour,
            minute,
            reading,
        } => (
            resolve_clock(hour, minute, reading, tomorrow, now, tz, rules)?,
            ReturnTimeKind::ClockTime,
        ),
    };
    (at >= now && at - now <= rules.max_ahead).then_some((at, kind))
}

/// Takes lead-ins and tails into the token range of a time.
fn widen(tokens: &[Token], range: Range<usize>) -> Range<usize> {
    let (mut start, mut end) = (range.start, range.end);
    while start > 0 {
        let lead_in = match &tokens[start - 1].kind {
            Kind::Word(w) => LEAD_INS.contains(&w.as_str()),
            Kind::Punct(c) => matches!(c, '~' | '@'),
            Kind::Num { .. } => false,
        };
        if !lead_in {
            break;
        }
        start -= 1;
    }
    'tails: loop {
        for tail in TAILS {
            let matches = tail.iter().enumerate().all(|(k, w)| {
                matches!(tokens.get(end + k).map(|t| &t.kind), Some(Kind::Word(x)) if x == w)
            });
            if matches {
                end += tail.len();
                continue 'tails;
            }
        }
        break;
    }
    start..end
}

/// The next instant at which the site's clocks show `hour:minute` under `reading`.
fn resolve_clock(
    hour: u32,
    minute: u32,
    reading: Reading,
    tomorrow: bool,
    now: DateTime<Utc>,
    tz: Tz,
    rules: &ReturnTimeRules,
) -> Option<DateTime<Utc>> {
    let hours: &[u32] = match reading {
        Reading::TwentyFour => &[hour % 24],
        Reading::Am => &[hour % 12],
        Reading::Pm => &[hour % 12 + 12],
        Reading::EitherHalfDay => &[hour % 12, hour % 12 + 12],
    };
    let today = now.with_timezone(&tz).date_naive();
    let days: &[u64] = if tomorrow { &[1] } else { &[0, 1] };
    let mut candidates = Vec::new();
    for &h in hours {
        let time = NaiveTime::from_hms_opt(h, minute, 0)?;
        for &d in days {
            let date = today.checked_add_days(Days::new(d))?;
            candidates.extend(local_instants(date.and_time(time), tz));
        }
    }
    let next = candidates.iter().copied().filter(|&c| c >= now).min()?;
    let just_past = candidates
        .iter()
        .any(|&c| c < now && now - c < rules.just_past && now - c < next - now);
    (!just_past).then_some(next)
}

/// Every instant at which the clocks of `tz` show `local`: one, two on a fold (the earlier
/// first), and on a gap the instant the gap ends.
fn local_instants(local: NaiveDateTime, tz: Tz) -> Vec<DateTime<Utc>> {
    use chrono::LocalResult;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t.with_timezone(&Utc)],
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            vec![a.min(b), a.max(b)]
        }
        LocalResult::None => vec![after_gap(local, tz)],
    }
}

/// Converts a wall time of `tz` to UTC: on a DST gap (a time that does not exist) the instant
/// the gap ends, on a fold (a time that happens twice) the earlier instant.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    local_instants(local, tz)[0]
}

/// The first instant after the gap that swallowed `local`: the earliest wall time after it
/// that exists (transitions fall on whole minutes; the longest gap on record is a day).
fn after_gap(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let start = local.date().and_time(NaiveTime::MIN) + TimeDelta::minutes(local_minutes(local));
    (1..=2 * 24 * 60)
        .find_map(|m| {
            tz.from_local_datetime(&(start + TimeDelta::minutes(m)))
                .earliest()
        })
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

fn local_minutes(local: NaiveDateTime) -> i64 {
    let midnight = local.date().and_time(NaiveTime::MIN);
    (local - midnight).num_minutes()
}

#[cfg(test)]
mod tests;
