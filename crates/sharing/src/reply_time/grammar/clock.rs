//! Clock times in a reply: "15:30", "15.30", "15h30", "3pm", "at 4", "1530", "noon",
//! "half 4", "quarter to 4".

use super::duration::{Unit, unit_at};
use super::{
    Reading, Spec, is_word, num, number_at, number_word, punct, quantity_follows, touches, word,
};
use crate::reply_time::tokens::Token;

/// "pm", "PM", "p.m.", and "p"/"a" touching the number ("3p").
fn meridiem_at(t: &[Token], i: usize) -> Option<(Reading, usize)> {
    let w = word(t, i)?;
    let reading = match w {
        "am" | "a" => Reading::Am,
        "pm" | "p" => Reading::Pm,
        "noon" => Reading::Pm,
        "midnight" => Reading::Am,
        _ => return None,
    };
    let mut end = i + 1;
    if matches!(w, "a" | "p") {
        if punct(t, end) == Some('.') && is_word(t, end + 1, &["m"]) {
            end += 2;
        } else if !touches(t, i) {
            return None;
        }
    }
    if w.len() <= 2 && punct(t, end) == Some('.') && touches(t, end) {
        end += 1;
    }
    Some((reading, end))
}

/// "this afternoon", "tonight", "in the morning" within the next few tokens.
fn day_part_after(t: &[Token], i: usize) -> Option<Reading> {
    (i..(i + 3).min(t.len())).find_map(|k| match word(t, k)? {
        "afternoon" | "evening" | "tonight" | "tonite" | "night" => Some(Reading::Pm),
        "morning" => Some(Reading::Am),
        _ => None,
    })
}

fn hour_reading(hour: u32, digits: usize, t: &[Token], end: usize) -> Option<(Spec, usize)> {
    let (reading, end) = match meridiem_at(t, end) {
        Some((_, _)) if hour == 0 => return None,
        Some((Reading::Am, _)) if hour > 12 => return None,
        Some((_, e)) if hour > 12 => (Reading::TwentyFour, e),
        Some((r, e)) => (r, e),
        None if hour == 0 || hour > 12 || (digits == 2 && hour < 10) => (Reading::TwentyFour, end),
        None => (
            day_part_after(t, end).unwrap_or(Reading::EitherHalfDay),
            end,
        ),
    };
    Some((
        Spec::Clock {
            hour,
            minute: 0,
            reading,
        },
        end,
    ))
}

fn with_minute(spec: (Spec, usize), minute: u32) -> (Spec, usize) {
    match spec {
        (Spec::Clock { hour, reading, .. }, end) => (
            Spec::Clock {
                hour,
                minute,
                reading,
            },
            end,
        ),
        other => other,
    }
}

/// A clock time starting at token `i`. `after_preposition` allows a bare hour and four
/// digits; `alone` (the reply is nothing but this number) allows four digits too.
pub(super) fn clock_at(
    t: &[Token],
    i: usize,
    after_preposition: bool,
    alone: bool,
) -> Option<(Spec, usize)> {
    match word(t, i) {
        Some("noon" | "midday") => return hour_reading(12, 2, t, i + 1),
        Some("midnight") => return hour_reading(0, 2, t, i + 1),
        Some(_) => return past_to_at(t, i),
        None => {}
    }
    let (hour, digits) = num(t, i)?;
    if let Some(found) = past_to_at(t, i) {
        return Some(found); // "20 past 3", "10 to 4"
    }
    let currency_before = i > 0 && matches!(punct(t, i - 1), Some('$' | '€' | '£'));
    // "15:30", "15.30", "15h30"
    let sep = punct(t, i + 1)
        .filter(|c| matches!(c, ':' | '.'))
        .or_else(|| word(t, i + 1).filter(|w| *w == "h").map(|_| 'h'));
    if let Some(sep) = sep.filter(|_| touches(t, i + 1) && touches(t, i + 2)) {
        let (minute, min_digits) = num(t, i + 2)?;
        if digits > 2 || hour > 23 || min_digits != 2 || minute > 59 || currency_before {
            return None;
        }
        let end = i + 3;
        let clock_like_h = hour > 12 || (digits == 2 && hour < 10) || after_preposition;
        if (sep == 'h' && !clock_like_h)
            || (sep == '.'
                && (quantity_follows(t, end) && meridiem_at(t, end).is_none()
                    || i > 0 && punct(t, i - 1) == Some('.')))
        {
            return None;
        }
        return hour_reading(hour, digits, t, end).map(|s| with_minute(s, minute));
    }
    if currency_before || touches(t, i) && word(t, i - 1).is_some() {
        return None; // "$15", "K7" and the like are not times
    }
    // "1530", "930", "330pm"
    if (3..=4).contains(&digits) {
        let (h, m) = (hour / 100, hour % 100);
        let has_meridiem = meridiem_at(t, i + 1).is_some();
        if h > 23 || m > 59 || !(after_preposition || alone || has_meridiem) {
            return None;
        }
        if quantity_follows(t, i + 1) && !has_meridiem {
            return None;
        }
        return hour_reading(h, if digits == 4 { 2 } else { 1 }, t, i + 1)
            .map(|s| with_minute(s, m));
    }
    if digits > 2 || hour > 23 {
        return None;
    }
    // "3pm", "4 pm", "12 noon"
    if meridiem_at(t, i + 1).is_some() {
        return hour_reading(hour, digits, t, i + 1);
    }
    // "at 4", "by 16", "around 4ish", "at 4 o'clock"
    if after_preposition && !quantity_follows(t, i + 1) {
        let mut end = i + 1;
        if is_word(t, end, &["oclock", "ish"]) {
            end += 1;
        } else if is_word(t, end, &["o"]) && is_word(t, end + 1, &["clock"]) {
            end += 2;
        }
        return hour_reading(hour, digits, t, end);
    }
    None
}

/// "half 4", "half past 4", "quarter to 4", "10 past 3", "twenty to five", or an hour in
/// words after a preposition ("at four").
fn past_to_at(t: &[Token], i: usize) -> Option<(Spec, usize)> {
    let (minute, mut j) = match word(t, i) {
        Some("half") => (30, i + 1),
        Some("quarter") => (15, i + 1),
        Some("a") if is_word(t, i + 1, &["quarter"]) => (15, i + 2),
        _ => {
            let (m, j) = number_at(t, i)?;
            let j = unit_at(t, j)
                .filter(|(u, _)| *u == Unit::Minute)
                .map_or(j, |(_, k)| k);
            if !(1..60).contains(&m) || !is_word(t, j, &["past", "to", "after", "til"]) {
                return None;
            }
            (m, j)
        }
    };
    let to = is_word(t, j, &["to", "til"]);
    if is_word(t, j, &["past", "after", "to", "til"]) {
        j += 1;
    } else if minute != 30 {
        return None; // only "half 4" may leave out "past"
    }
    let (hour, end) = number_at(t, j)?;
    if !(1..=12).contains(&hour) || quantity_follows(t, end) {
        return None;
    }
    let (hour, minute) = if to {
        (if hour == 1 { 12 } else { hour - 1 }, 60 - minute)
    } else {
        (hour, minute)
    };
    hour_reading(hour, 1, t, end).map(|s| with_minute(s, minute))
}

/// An hour in words after a preposition: "at four", "by five pm".
pub(super) fn hour_word_at(t: &[Token], i: usize) -> Option<(Spec, usize)> {
    let hour = word(t, i).and_then(number_word)?;
    if !(1..=12).contains(&hour) {
        return None;
    }
    let mut end = i + 1;
    if is_word(t, end, &["oclock", "ish"]) {
        end += 1;
    } else if is_word(t, end, &["o"]) && is_word(t, end + 1, &["clock"]) {
        end += 2;
    }
    if quantity_follows(t, end) && meridiem_at(t, end).is_none() {
        return None;
    }
    hour_reading(hour, 1, t, end)
}
