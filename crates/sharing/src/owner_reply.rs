//! What an owner's reply in a relay thread means: consent to unplug (OK), a refusal (NO),
//! SHARE (send my number), a return time with an optional note, or plain text.
//!
//! OK is read only when the whole reply is consent ("ok", "sure go ahead", "yes you can
//! unplug it"): "ok I'm coming" is not, because a false OK lets a stranger unplug the car.
//! Bare "YES" is a carrier opt-in word and never reaches this code; "yes." on its own is
//! plain text. Everything that is not one of these is relayed as it was written.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::reply_time::{Kind, ReturnTimeRules, find_return_time, tokenize};

/// The meaning of an owner's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerReply {
    /// The waiting driver may unplug the car.
    Ok,
    /// The owner does not want the car unplugged.
    No,
    /// The owner asks for their number to be sent to the waiting driver.
    Share,
    /// The owner will be back at `at`; `note` is what the reply says besides the time
    /// ("sorry running late" in "sorry running late - 4pm"), as written.
    ReturnAt {
        at: DateTime<Utc>,
        note: Option<String>,
    },
    /// Anything else, trimmed.
    Text(String),
}

const POLITE: &[&str] = &[
    "please", "pls", "plz", "thanks", "thx", "thank", "ty", "cheers", "mate", "buddy", "hi", "hey",
    "hello",
];
const OK_WORDS: &str = concat!(
    "ok okay okey oki okie k kk sure yes yeah yea yep yup ya yh go ahead for it fine np ",
    "of course thing you can may unplug me my car the absolutely totally all good alright ",
    "allright right cool do take charger plug free feel be guest its thats sweet ",
    "definitely certainly to that is ",
);
const STRONG_OK: &str = concat!(
    "ok okay okey oki okie k kk sure go fine np course unplug absolutely alright allright ",
    "cool yeah yea yep yup ya yh free guest sweet definitely certainly good ",
);
const NO_WORDS: &str = concat!(
    "no nope nah not now sorry dont do unplug it me my car you way never cant can i need ",
    "still charging im its yet the please touch leave plugged in rather wouldnt prefer ",
    "you thanks ",
);
const STRONG_NO: &[&str] = &[
    "no", "nope", "nah", "dont", "not", "never", "cant", "wouldnt",
];
const SHARE_WORDS: &[&str] = &["my", "number", "num", "phone", "it", "ok", "sure", "yes"];
/// Words that, around a time, say nothing more than the time does.
const NOTE_FILLERS: &str = concat!(
    "back bk b be there here ill im i will ok okay k sure yes yeah yep thanks thank you ",
    "thx ty cheers please pls sorry in at by around about approx roughly hopefully ",
    "probably should gonna going to the latest or so ish min mins minutes hour hours omw ",
    "on my way coming now just like np hi hey hello and see ya then can get am pm a an x ",
    "xx lol mate it is its that ll from give me gimme today tonight tonite this afternoon ",
    "evening morning night eta tomorrow tmrw tmr tmrow tomoro tomorow tomorrw tomoz ",
);
/// Characters trimmed off the ends of a note.
const NOTE_TRIM: &[char] = &[
    '-', '–', '—', ',', '.', ';', ':', '!', '?', '~', '(', ')', '[', ']', '/', '|', '*', '&', '+',
];

/// Whether `word` is one of the space-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// The lower-case words of `text`, with "no problem" and "no worries" read as one word.
fn words(text: &str) -> Vec<String> {
    let raw: Vec<String> = tokenize(text)
        .into_iter()
        .filter_map(|t| match t.kind {
            Kind::Word(w) => Some(w),
            Kind::Num { .. } | Kind::Punct(_) => None,
        })
        .collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let next = raw.get(i + 1).map(String::as_str);
        let after = raw.get(i + 2).map(String::as_str);
        let easy = matches!(
            next,
            Some("problem" | "problems" | "prob" | "probs" | "worries")
        );
        if raw[i] == "no" && easy {
            out.push("np".to_owned());
            i += 2;
        } else if raw[i] == "not" && next == Some("a") && after == Some("problem") {
            out.push("np".to_owned());
            i += 3;
        } else {
            out.push(raw[i].clone());
            i += 1;
        }
    }
    out
}

fn only_words(text: &str) -> bool {
    tokenize(text)
        .iter()
        .all(|t| !matches!(t.kind, Kind::Num { .. }))
}

fn is_ok(words: &[String]) -> bool {
    let strong = words.iter().any(|w| listed(STRONG_OK, w))
        || (words.len() >= 2 && words.iter().any(|w| w == "yes"));
    strong && words.iter().all(|w| listed(OK_WORDS, w))
}

fn is_no(words: &[String]) -> bool {
    words.iter().any(|w| STRONG_NO.contains(&w.as_str()))
        && words.iter().all(|w| listed(NO_WORDS, w))
}

/// Whether `text` asks to share the sender's number: "SHARE", "share my number", "Share!".
/// Used for the owner's replies and for the waiting driver's own SHARE.
pub fn is_share(text: &str) -> bool {
    let words: Vec<String> = words(text)
        .into_iter()
        .filter(|w| !POLITE.contains(&w.as_str()))
        .collect();
    only_words(text)
        && words.first().is_some_and(|w| w == "share")
        && words[1..].iter().all(|w| SHARE_WORDS.contains(&w.as_str()))
}

impl OwnerReply {
    /// Classifies an owner's reply, reading times in the site's zone `tz` relative to
    /// `now` under the default [`ReturnTimeRules`].
    pub fn classify(text: &str, now: DateTime<Utc>, tz: Tz) -> Self {
        Self::classify_with(text, now, tz, &ReturnTimeRules::default())
    }

    /// [`OwnerReply::classify`] under the given rules.
    pub fn classify_with(text: &str, now: DateTime<Utc>, tz: Tz, rules: &ReturnTimeRules) -> Self {
        let text = text.trim();
        if is_share(text) {
            return Self::Share;
        }
        let words: Vec<String> = words(text)
            .into_iter()
            .filter(|w| !POLITE.contains(&w.as_str()) || w == "please")
            .collect();
        if only_words(text) && !words.is_empty() {
            let without_please: Vec<String> =
                words.iter().filter(|w| *w != "please").cloned().collect();
            if !without_please.is_empty() && is_ok(&without_please) {
                return Self::Ok;
            }
            if is_no(&words) {
                return Self::No;
            }
        }
        if let Some(found) = find_return_time(text, now, tz, rules) {
            return Self::ReturnAt {
                at: found.at,
                note: note_around(text, found.span),
            };
        }
        Self::Text(text.to_owned())
    }
}

/// What `text` says outside `span`, when that is more than filler.
fn note_around(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let parts: Vec<&str> = [&text[..span.start], &text[span.end..]]
        .into_iter()
        .map(|p| p.trim_matches(|c: char| c.is_whitespace() || NOTE_TRIM.contains(&c)))
        .filter(|p| !p.is_empty())
        .collect();
    let says_more = parts
        .iter()
        .flat_map(|p| words(p))
        .any(|w| !listed(NOTE_FILLERS, &w));
    says_more.then(|| {
        parts
            .iter()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

#[cfg(test)]
mod tests;
