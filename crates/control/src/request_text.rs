//! A charging request in a text: "leave 17:30 need 20 kwh", "17:30 20kWh", "till 5pm, 30
//! miles", "tmrw 7am as much as possible". Reads the departure time (a clock time as the
//! page reads it, in the site's clock format, or "in 3 hours") and the amount (kWh, miles,
//! km, or as much as possible); how they become a request is `request_reply`'s.

use chargeplan_core::{ClockFormat, EnergyNeed, TypedTime};
use chrono::{Duration, NaiveTime};

/// Kilometres in a mile.
const KM_PER_MILE: f64 = 1.609_344;

/// Words after which a bare number is a departure time ("leave 5", "by 1730").
const DEPARTURE_WORDS: &[&str] = &[
    "leave",
    "leaving",
    "depart",
    "departing",
    "departure",
    "go",
    "going",
    "out",
    "until",
    "till",
    "til",
    "by",
    "at",
    "before",
    "pickup",
    "@",
];
/// Words that name tomorrow.
const TOMORROW: &[&str] = &[
    "tomorrow", "tmrw", "tmr", "tmrow", "tomoro", "tomorow", "2moro",
];
/// Words that ask for as much as possible.
const AS_MUCH: &[&[&str]] = &[
    &["as", "much", "as", "possible"],
    &["as", "much", "as", "you", "can"],
    &["full"],
    &["fill", "up"],
    &["100%"],
];

/// When the driver leaves, as texted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextedDeparture {
    /// A local clock time: the next one, or tomorrow's when `tomorrow` is set.
    At(NaiveTime),
    /// A wait: "in 3 hours".
    In(Duration),
    /// A 1–12 hour without am or pm at a 12-hour site, which is not guessed.
    NeedsHalfDay,
}

/// What a text says about a request; either part may be missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextedRequest {
    pub departure: Option<TextedDeparture>,
    pub need: Option<EnergyNeed>,
    /// The text said "tomorrow".
    pub tomorrow: bool,
    /// The text used a word that only a departure has ("leave", "till"): with a time, it is
    /// a request even without an amount.
    pub says_leave: bool,
}

impl TextedRequest {
    /// Whether the text is about the driver's own charging rather than a message for another
    /// driver: it names an amount, or a departure with a word such as "leave".
    pub fn is_request(&self) -> bool {
        self.need.is_some() || (self.departure.is_some() && self.says_leave)
    }
}

/// Reads `text` at a site writing times in `clock`.
pub fn read(text: &str, clock: ClockFormat) -> TextedRequest {
    let words = words(text);
    let mut used = vec![false; words.len()];
    let need = read_need(&words, &mut used);
    let tomorrow = words.iter().any(|w| TOMORROW.contains(&w.as_str()));
    let says_leave = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "leave" | "leaving" | "depart" | "departing" | "until" | "till" | "til" | "pickup"
        )
    });
    let departure = read_departure(&words, &used, clock);
    TextedRequest {
        departure,
        need,
        tomorrow,
        says_leave,
    }
}

/// Lower-case words, with numbers split from units ("20kwh" → "20", "kwh") and am/pm kept
/// on their time ("5pm"); spaces, commas (but not a decimal comma, "12,5"), semicolons and
/// brackets separate words.
fn words(text: &str) -> Vec<String> {
    let lower = text
        .to_lowercase()
        .replace("a.m.", "am")
        .replace("p.m.", "pm");
    let chars: Vec<char> = lower.chars().collect();
    let spaced: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_digits = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            match c {
                ',' if between_digits => '.',
                ',' | ';' | '!' | '?' | '(' | ')' | '[' | ']' | '"' | '/' => ' ',
                c => c,
            }
        })
        .collect();
    let mut out = Vec::new();
    for raw in spaced.split_whitespace() {
        let raw = raw.trim_end_matches(['.', ':', '-']);
        let raw = match raw.strip_prefix('-') {
            Some(rest) if !rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => raw,
        };
        if raw.is_empty() {
            continue;
        }
        // "20kwh" and "30mi" are a number and a unit; "5pm", "17h30" and "2h" stay whole.
        let unit_at = raw.find(|c: char| c.is_alphabetic()).filter(|&i| {
            i > 0
                && raw[..i].chars().all(|c| c.is_ascii_digit() || c == '.')
                && raw[i..].chars().all(char::is_alphabetic)
                && !matches!(&raw[i..], "am" | "pm" | "a" | "p" | "h")
        });
        match unit_at {
            Some(i) => {
                out.push(raw[..i].to_owned());
                out.push(raw[i..].to_owned());
            }
            None => out.push(raw.to_owned()),
        }
    }
    out
}

/// The amount: a number and its unit, or a phrase for as much as possible. Marks the words
/// it used, so the number is not read as a time.
fn read_need(words: &[String], used: &mut [bool]) -> Option<EnergyNeed> {
    for i in 0..words.len() {
        let Some(value) = number(&words[i]) else {
            continue;
        };
        let unit = words.get(i + 1).map(String::as_str);
        let next = words.get(i + 2).map(String::as_str);
        let (need, len) = match (unit, next) {
            (
                Some("kw" | "kilowatt" | "kilowatts"),
                Some("h" | "hr" | "hrs" | "hours" | "hour"),
            ) => (EnergyNeed::Kwh(value), 3),
            (Some("kwh" | "kwhs" | "kw" | "kws"), _) => (EnergyNeed::Kwh(value), 2),
            (Some("kilowatt" | "kilowatts" | "kilowatthours" | "units"), _) => {
                (EnergyNeed::Kwh(value), 2)
            }
            (Some("mi" | "mile" | "miles" | "mls"), _) => (EnergyNeed::Miles(value), 2),
            (Some("km" | "kms" | "kilometer" | "kilometers" | "kilometre" | "kilometres"), _) => {
                (EnergyNeed::Miles(value / KM_PER_MILE), 2)
            }
            _ => continue,
        };
        if value <= 0.0 {
            continue;
        }
        used[i..i + len].iter_mut().for_each(|u| *u = true);
        return Some(need);
    }
    for i in 0..words.len() {
        for phrase in AS_MUCH {
            let fits = phrase
                .iter()
                .enumerate()
                .all(|(k, w)| words.get(i + k).is_some_and(|x| x == w));
            if fits {
                used[i..i + phrase.len()].iter_mut().for_each(|u| *u = true);
                return Some(EnergyNeed::AsMuchAsPossible);
            }
        }
    }
    None
}

/// The departure: the first clock time or wait among the words the amount did not use.
fn read_departure(words: &[String], used: &[bool], clock: ClockFormat) -> Option<TextedDeparture> {
    let mut half_day_missing = false;
    for i in 0..words.len() {
        if used[i] {
            continue;
        }
        let word = words[i].as_str();
        match word {
            "noon" | "midday" => return NaiveTime::from_hms_opt(12, 0, 0).map(TextedDeparture::At),
            "midnight" => return Some(TextedDeparture::At(NaiveTime::MIN)),
            "in" => {
                if let Some(wait) = wait(words, i + 1) {
                    return Some(TextedDeparture::In(wait));
                }
                continue;
            }
            _ => {}
        }
        let after_departure_word = i > 0 && DEPARTURE_WORDS.contains(&words[i - 1].as_str());
        let looks_like_time = word.contains(':')
            || word.ends_with("am")
            || word.ends_with("pm")
            || (word.contains('h') && word.starts_with(|c: char| c.is_ascii_digit()))
            || (word.contains('.') && after_departure_word);
        let bare_number = word.bytes().all(|b| b.is_ascii_digit()) && !word.is_empty();
        let half = words
            .get(i + 1)
            .filter(|w| matches!(w.as_str(), "am" | "pm" | "a" | "p") && !used[i + 1]);
        if !(looks_like_time || (bare_number && (after_departure_word || half.is_some()))) {
            continue;
        }
        let typed = match half {
            Some(half) => format!("{word} {half}"),
            None => word.replace('h', ":"),
        };
        let typed = typed.trim_end_matches(':').to_owned();
        match clock.read(&typed) {
            TypedTime::At(time) => return Some(TextedDeparture::At(time)),
            TypedTime::NeedsHalfDay => half_day_missing = true,
            TypedTime::NotATime => {}
        }
    }
    half_day_missing.then_some(TextedDeparture::NeedsHalfDay)
}

/// "3 hours", "2h", "90 min", "an hour" from `words[at]` on.
fn wait(words: &[String], at: usize) -> Option<Duration> {
    let first = words.get(at)?.as_str();
    let digits = first.trim_end_matches(char::is_alphabetic);
    let (n, unit) = match first {
        "an" | "a" | "one" => (1.0, words.get(at + 1)?.as_str()),
        // "2h", "90min".
        _ if digits.len() < first.len() => (number(digits)?, &first[digits.len()..]),
        _ => (number(first)?, words.get(at + 1).map_or("", String::as_str)),
    };
    let minutes = match unit {
        "h" | "hr" | "hrs" | "hour" | "hours" => n * 60.0,
        "m" | "min" | "mins" | "minute" | "minutes" => n,
        _ => return None,
    };
    (minutes > 0.0 && minutes <= 48.0 * 60.0).then(|| Duration::minutes(minutes.round() as i64))
}

/// A positive decimal number as typed ("20", "12.5", "12,5").
fn number(word: &str) -> Option<f64> {
    let word = word.replace(',', ".");
    if !word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    word.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests;
