//! The reply-time grammar over tokens: clock times and durations, each found with the token
//! range it covers. Which of them is a return time is decided by the caller's rules.

use std::ops::Range;

use chrono::TimeDelta;

use super::tokens::{Kind, Token};

mod clock;
mod duration;

use clock::{clock_at, hour_word_at};
use duration::{bare_in_at, duration_at, unit_at};

/// What a reply names: a wait from now, or a wall-clock time in the site's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spec {
    After(TimeDelta),
    Clock {
        hour: u32,
        minute: u32,
        reading: Reading,
    },
}

/// How the hour of a clock time is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// 0–23 as written ("15:30", "09:30", "0:15").
    TwentyFour,
    Am,
    Pm,
    /// 1–12 without am/pm: whichever of the two comes next ("at 4", "3:30", "half 4").
    EitherHalfDay,
}

/// A time found in the reply and the tokens it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    pub spec: Spec,
    pub tokens: Range<usize>,
}

/// Words that introduce a clock time; after one, a bare hour ("at 4") or four digits
/// ("by 1530") is a time.
const CLOCK_PREPOSITIONS: &[&str] = &["at", "by", "around", "before", "after", "til", "till"];
/// Words after a number that make it a quantity, not a time ("at 80 %", "in 18 kWh").
const QUANTITY_WORDS: &[&str] = &[
    "kwh", "kw", "wh", "w", "mi", "mile", "miles", "km", "kms", "percent", "pct", "bay", "bays",
    "spot", "spots", "level", "floor", "row", "stall", "port", "people", "cars", "car", "dollars",
    "bucks", "x", "times", "days", "day", "weeks", "st", "nd", "rd", "th",
];

pub(crate) fn word(t: &[Token], i: usize) -> Option<&str> {
    match t.get(i).map(|t| &t.kind) {
        Some(Kind::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn is_word(t: &[Token], i: usize, set: &[&str]) -> bool {
    word(t, i).is_some_and(|w| set.contains(&w))
}

fn num(t: &[Token], i: usize) -> Option<(u32, usize)> {
    match t.get(i).map(|t| &t.kind) {
        Some(Kind::Num { value, digits }) => Some((*value, *digits)),
        _ => None,
    }
}

fn punct(t: &[Token], i: usize) -> Option<char> {
    match t.get(i).map(|t| &t.kind) {
        Some(Kind::Punct(c)) => Some(*c),
        _ => None,
    }
}

/// Whether token `i` starts right where token `i - 1` ends.
fn touches(t: &[Token], i: usize) -> bool {
    i > 0 && i < t.len() && t[i - 1].span.end == t[i].span.start
}

fn number_word(w: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(n) = WORDS.iter().position(|x| *x == w) {
        return u32::try_from(n).ok();
    }
    match w {
        "thirty" => Some(30),
        "forty" | "fourty" => Some(40),
        "fifty" => Some(50),
        "sixty" => Some(60),
        "ninety" => Some(90),
        _ => None,
    }
}

/// A whole number of up to four digits, or one in words ("twenty-five", "twenty five").
fn number_at(t: &[Token], i: usize) -> Option<(u32, usize)> {
    if let Some((v, digits)) = num(t, i) {
        return (digits <= 4).then_some((v, i + 1));
    }
    let tens = number_word(word(t, i)?)?;
    if tens >= 20 && tens % 10 == 0 {
        let j = if punct(t, i + 1) == Some('-') {
            i + 2
        } else {
            i + 1
        };
        if let Some(unit) = word(t, j)
            .and_then(number_word)
            .filter(|u| (1..=9).contains(u))
        {
            return Some((tens + unit, j + 1));
        }
    }
    Some((tens, i + 1))
}

/// Whether the number before token `i` is a quantity or part of something longer.
fn quantity_follows(t: &[Token], i: usize) -> bool {
    if is_word(t, i, QUANTITY_WORDS) || unit_at(t, i).is_some() || is_meridiem_word(t, i) {
        return true;
    }
    match t.get(i).map(|t| &t.kind) {
        Some(Kind::Word(w)) => touches(t, i) && w != "ish",
        Some(Kind::Punct(c)) => {
            matches!(c, '%' | ':' | '.' | '/' | '$' | '€' | '£') && num(t, i + 1).is_some()
                || *c == '%'
        }
        Some(Kind::Num { .. }) => touches(t, i),
        None => false,
    }
}

fn is_meridiem_word(t: &[Token], i: usize) -> bool {
    is_word(t, i, &["am", "pm", "noon", "midnight"])
}

/// Every time the grammar finds, left to right; at one position the more specific reading
/// comes first ("2h30" as a duration before "15h30" as a clock time).
pub(crate) fn find_all(t: &[Token], few: TimeDelta) -> Vec<Match> {
    let alone = t
        .iter()
        .filter(|tok| !matches!(tok.kind, Kind::Punct(_)))
        .count()
        == 1;
    let mut found = Vec::new();
    let mut push = |spec: Spec, tokens: Range<usize>| found.push(Match { spec, tokens });
    for i in 0..t.len() {
        let after_prep = is_word(t, i, CLOCK_PREPOSITIONS) || punct(t, i) == Some('@');
        if after_prep {
            let at_word = hour_word_at(t, i + 1);
            if let Some((spec, end)) = clock_at(t, i + 1, true, alone).or(at_word) {
                push(spec, i..end);
            }
        }
        if let Some((d, end)) = bare_in_at(t, i, few) {
            push(Spec::After(d), i..end);
        }
        if let Some((d, end)) = duration_at(t, i, few) {
            push(Spec::After(d), i..end);
        }
        if let Some((spec, end)) = clock_at(t, i, false, alone) {
            push(spec, i..end);
        }
    }
    found
}
