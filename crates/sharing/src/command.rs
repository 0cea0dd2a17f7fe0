//! What an inbound text (one that is not a carrier keyword) asks for: a new contact by member
//! ID, a message into a relay thread, or one of the feature words BLOCK, UNBLOCK, CLOSE,
//! WAIT, LEAVE, TAKE and SKIP.
//!
//! Parsing needs no store. Feature words count only when the text is the word alone (case
//! and surrounding punctuation ignored), with an optional thread code or site code and
//! polite words: "Take!", "skip please", "BLOCK K7", `[K7] close`. Anything longer ("wait,
//! I'll be back in 5") is a message into a thread, so a reply is never mistaken for a
//! command. The carriers' words (STOP, START, YES, HELP, ...) are not feature words: the SMS
//! layer handles them before this is called.

use chargeplan_core::{MEMBER_ID_LEN, MemberId, ThreadCode};

/// A parsed inbound text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The text starts with a member ID: a waiting driver reaching a car's owner. `message`
    /// is the rest of the text, trimmed (possibly empty); the caller sanitizes it.
    Contact { member: MemberId, message: String },
    /// A message into a relay thread: the one named by `code` when the text starts with one
    /// (`K7`, `[K7]`, `k7:`), else the sender's most recent open thread (the caller answers
    /// with help when there is none). `body` is the text after the code, trimmed; classify
    /// an owner's body with [`crate::OwnerReply::classify`] and check a waiting driver's
    /// with [`crate::is_share`].
    Thread {
        code: Option<ThreadCode>,
        body: String,
    },
    /// "BLOCK K7", "block": the other side of the thread may never reach the sender again.
    Block { code: Option<ThreadCode> },
    /// "UNBLOCK K7": blocks are undone on the driver's page, not by text; parsed so the
    /// service can answer with that page instead of relaying the word.
    Unblock { code: Option<ThreadCode> },
    /// "CLOSE K7", "close": ends the thread.
    Close { code: Option<ThreadCode> },
    /// "WAIT caltech", "wait": join a site's waitlist; the site code in lower case.
    Wait { site_code: Option<String> },
    /// "LEAVE": leave the waitlist.
    Leave,
    /// "TAKE": hold the offered port.
    Take,
    /// "SKIP": pass on the offered port.
    Skip,
    /// Nothing but white space.
    Empty,
}

/// Words that may follow a feature word without changing it.
const POLITE: &[&str] = &[
    "please", "pls", "plz", "thanks", "thx", "thank", "you", "ty", "now", "ok", "it",
];

/// Punctuation ignored around a word.
fn strip(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

fn code_of(word: &str) -> Option<ThreadCode> {
    ThreadCode::parse(strip(word)).ok()
}

impl Command {
    /// Parses an inbound text.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let mut words = text.split_whitespace();
        let Some(first) = words.next() else {
            return Self::Empty;
        };
        let core = strip(first);
        if core.chars().count() == MEMBER_ID_LEN
            && let Ok(member) = MemberId::parse(core)
        {
            return Self::Contact {
                member,
                message: text[first.len()..].trim().to_owned(),
            };
        }
        // "[K7] ...": a code, then a feature word or the body.
        if let Some(code) = code_of(first).filter(|_| is_code_token(first)) {
            let rest = text[first.len()..]
                .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | ','))
                .trim();
            if let Some(command) = feature(rest, Some(code)) {
                return command;
            }
            return Self::Thread {
                code: Some(code),
                body: rest.to_owned(),
            };
        }
        if let Some(command) = feature(text, None) {
            return command;
        }
        Self::Thread {
            code: None,
            body: text.to_owned(),
        }
    }
}

/// Whether a first word is a thread code as people type it: "K7", "[K7]", "k7:", "(K7)",
/// not "K7's" or "K7-ish".
fn is_code_token(word: &str) -> bool {
    let inner = word.trim_start_matches(['[', '(', '#']);
    let inner = inner.trim_end_matches([']', ')', ':', ',', '.', '-', '!']);
    inner.len() == 2
}

/// A feature word with its argument, when `text` is nothing more.
fn feature(text: &str, code_before: Option<ThreadCode>) -> Option<Command> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(strip)
        .filter(|w| !w.is_empty())
        .collect();
    let (first, rest) = words.split_first()?;
    let rest: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|w| !POLITE.iter().any(|p| p.eq_ignore_ascii_case(w)))
        .collect();
    let keyword = first.to_ascii_uppercase();
    let code = || -> Option<Option<ThreadCode>> {
        match rest.as_slice() {
            [] => Some(code_before),
            [one] if code_before.is_none() => code_of(one).map(Some),
            _ => None,
        }
    };
    let bare = rest.is_empty();
    match keyword.as_str() {
        "BLOCK" => code().map(|code| Command::Block { code }),
        "UNBLOCK" => code().map(|code| Command::Unblock { code }),
        "CLOSE" => code().map(|code| Command::Close { code }),
        "LEAVE" if bare || rest_is(&rest, &["list", "waitlist", "queue", "the"]) => {
            Some(Command::Leave)
        }
        "TAKE" if bare => Some(Command::Take),
        "SKIP" if bare || rest_is(&rest, &["this", "one"]) => Some(Command::Skip),
        "WAIT" if code_before.is_none() => match rest.as_slice() {
            [] => Some(Command::Wait { site_code: None }),
            [site] if site.chars().any(char::is_alphabetic) => Some(Command::Wait {
                site_code: Some(site.to_lowercase()),
            }),
            _ => None,
        },
        _ => None,
    }
}

fn rest_is(rest: &[&str], allowed: &[&str]) -> bool {
    rest.iter()
        .all(|w| allowed.iter().any(|a| a.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests;
