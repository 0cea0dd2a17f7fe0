//! Waits in a reply: "20 min", "1.5 hours", "an hour and a half", "2h30", "back in 20".

use chrono::TimeDelta;

use super::{is_word, num, number_at, punct, quantity_follows, touches, word};
use crate::reply_time::tokens::Token;

const MINUTE_UNITS: &[&str] = &[
    "m", "min", "mins", "minute", "minutes", "mn", "mns", "mnt", "mnts", "minuts", "minits",
    "minite", "minites", "minuets", "mintues", "mintes",
];
const HOUR_UNITS: &[&str] = &[
    "h", "hr", "hrs", "hour", "hours", "hs", "hrz", "hous", "hors",
];
const SECOND_UNITS: &[&str] = &["s", "sec", "secs", "second", "seconds"];

/// How much of a unit a duration names.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Amount {
    Exact(f64),
    /// "a", "an": one hour, but "a minute" or "a sec" means a short while.
    One,
    /// "a few", "a couple (of)".
    Few,
    Couple,
}

fn amount_at(t: &[Token], i: usize) -> Option<(Amount, usize)> {
    if let Some((whole, digits)) = num(t, i) {
        if digits > 3 {
            return None;
        }
        if whole == 1 && punct(t, i + 1) == Some('/') && num(t, i + 2) == Some((2, 1)) {
            return Some((Amount::Exact(0.5), i + 3)); // "1/2 hour"
        }
        if matches!(punct(t, i + 1), Some('.' | ','))
            && touches(t, i + 1)
            && touches(t, i + 2)
            && let Some((frac, frac_digits)) = num(t, i + 2).filter(|(_, d)| *d <= 2)
        {
            let scale = if frac_digits == 1 { 10.0 } else { 100.0 };
            let value = f64::from(whole) + f64::from(frac) / scale;
            return Some((Amount::Exact(value), i + 3));
        }
        return Some((Amount::Exact(f64::from(whole)), i + 1));
    }
    match word(t, i)? {
        "a" | "an" => match word(t, i + 1) {
            Some("few") => Some((Amount::Few, i + 2)),
            Some("couple") => Some((Amount::Couple, skip_of(t, i + 2))),
            Some("half") => Some((Amount::Exact(0.5), i + 2)),
            Some("quarter") => Some((Amount::Exact(0.25), skip_article(t, skip_of(t, i + 2)))),
            _ => Some((Amount::One, i + 1)),
        },
        "few" => Some((Amount::Few, i + 1)),
        "couple" => Some((Amount::Couple, skip_of(t, i + 1))),
        "half" => Some((Amount::Exact(0.5), skip_article(t, i + 1))),
        "quarter" => Some((Amount::Exact(0.25), skip_article(t, skip_of(t, i + 1)))),
        _ => number_at(t, i).map(|(n, j)| (Amount::Exact(f64::from(n)), j)),
    }
}

fn skip_of(t: &[Token], i: usize) -> usize {
    if is_word(t, i, &["of"]) { i + 1 } else { i }
}

fn skip_article(t: &[Token], i: usize) -> usize {
    if is_word(t, i, &["a", "an"]) {
        i + 1
    } else {
        i
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Second,
    Minute,
    Hour,
}

/// A unit word, with "more" allowed before it ("5 more minutes").
pub(super) fn unit_at(t: &[Token], i: usize) -> Option<(Unit, usize)> {
    let i = if is_word(t, i, &["more", "extra"]) {
        i + 1
    } else {
        i
    };
    let w = word(t, i)?;
    let unit = if MINUTE_UNITS.contains(&w) {
        Unit::Minute
    } else if HOUR_UNITS.contains(&w) {
        Unit::Hour
    } else if SECOND_UNITS.contains(&w) {
        Unit::Second
    } else {
        return None;
    };
    Some((unit, i + 1))
}

fn minutes(m: f64) -> Option<TimeDelta> {
    // The grammar caps amounts at three digits, so this stays far inside i64.
    (m.is_finite() && m >= 0.0).then(|| TimeDelta::seconds((m * 60.0).round() as i64))
}

fn span_of(amount: Amount, unit: Unit, few: TimeDelta) -> Option<TimeDelta> {
    match (unit, amount) {
        (Unit::Hour, Amount::Exact(h)) => minutes(h * 60.0),
        (Unit::Hour, Amount::One) => Some(TimeDelta::hours(1)),
        (Unit::Hour, Amount::Couple) => Some(TimeDelta::hours(2)),
        (Unit::Hour, Amount::Few) => Some(TimeDelta::hours(3)),
        (Unit::Minute, Amount::Exact(m)) => minutes(m),
        (Unit::Second, Amount::Exact(s)) if s > 1.0 => minutes(s / 60.0),
        (Unit::Minute | Unit::Second, _) => Some(few),
    }
}

/// "20 min", "1.5 hours", "an hour and a half", "2h30", "1 hr 15 min", "20-30 mins".
pub(super) fn duration_at(t: &[Token], i: usize, few: TimeDelta) -> Option<(TimeDelta, usize)> {
    let (mut amount, mut j) = amount_at(t, i)?;
    if (matches!(punct(t, j), Some('-' | '–' | '/')) || is_word(t, j, &["to", "or"]))
        && let Some((upper, k)) = amount_at(t, j + 1).filter(|(_, k)| unit_at(t, *k).is_some())
    {
        amount = upper;
        j = k;
    }
    if let Amount::Exact(n) = amount {
        // "2 and a half hours"
        let half = is_word(t, j, &["and", "n"]) && is_word(t, j + 1, &["a"]);
        if half && is_word(t, j + 2, &["half"]) {
            amount = Amount::Exact(n + 0.5);
            j += 3;
        }
    }
    let (unit, mut end) = unit_at(t, j)?;
    if touches(t, j) && word(t, end).is_some() && touches(t, end) {
        return None; // "20minsx" or "3hrsago": not a unit after all
    }
    let mut delta = span_of(amount, unit, few)?;
    if unit == Unit::Hour {
        let and = if is_word(t, end, &["and", "n"]) {
            end + 1
        } else {
            end
        };
        if is_word(t, and, &["a"]) && is_word(t, and + 1, &["half"]) {
            delta += TimeDelta::minutes(30);
            end = and + 2;
        } else if is_word(t, and, &["half"]) {
            delta += TimeDelta::minutes(30);
            end = and + 1;
        } else if let Some((m, k)) = number_at(t, and).filter(|(m, _)| *m < 60) {
            let with_unit = unit_at(t, k).filter(|(u, _)| *u == Unit::Minute);
            if let Some((_, k2)) = with_unit {
                delta += TimeDelta::minutes(i64::from(m));
                end = k2;
            } else if touches(t, and) && and == end {
                delta += TimeDelta::minutes(i64::from(m)); // "2h30"
                end = k;
            }
        }
    }
    Some((delta, end))
}

/// "in 20", "back in about 5", "in a few", "give me 10": a number after "in" or "give me"
/// without a unit is minutes.
pub(super) fn bare_in_at(t: &[Token], i: usize, few: TimeDelta) -> Option<(TimeDelta, usize)> {
    let mut j = match word(t, i) {
        Some("in" | "gimme") => i + 1,
        Some("give") if is_word(t, i + 1, &["me"]) => i + 2,
        _ => return None,
    };
    if is_word(t, j, &["about", "around", "like", "approx", "roughly"]) || punct(t, j) == Some('~')
    {
        j += 1;
    }
    if is_word(t, j, &["a"]) && is_word(t, j + 1, &["few", "couple"]) {
        return Some((few, j + 2));
    }
    let (n, end) = number_at(t, j)?;
    if !(1..=180).contains(&n) || quantity_follows(t, end) {
        return None;
    }
    Some((TimeDelta::minutes(i64::from(n)), end))
}
