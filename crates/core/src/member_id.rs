//! Short codes people read and type: a participant's member ID (printed on their sticker,
//! texted by whoever needs to reach them) and the two-character code of a relay thread.
//!
//! Both use one alphabet without look-alikes (no 0/O, 1/I/L), are read in any case and are
//! shown in upper case.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Letters of the code alphabet: A–Z without I, L and O.
pub const CODE_LETTERS: &str = "ABCDEFGHJKMNPQRSTUVWXYZ";
/// Digits of the code alphabet: 2–9 (no 0 or 1).
pub const CODE_DIGITS: &str = "23456789";
/// Length of a member ID.
pub const MEMBER_ID_LEN: usize = 6;

fn is_code_letter(c: char) -> bool {
    CODE_LETTERS.contains(c)
}

fn is_code_digit(c: char) -> bool {
    CODE_DIGITS.contains(c)
}

fn pick(rng: &mut impl Rng, set: &str) -> char {
    let bytes = set.as_bytes();
    char::from(bytes[rng.random_range(0..bytes.len())])
}

/// A participant's member ID: 6 characters of the code alphabet with at least one letter and
/// at least one digit, so that no English word ("THANKS", "PLEASE") can be one. Random, not
/// sequential; unique across all sites (the store enforces it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberId(String);

impl MemberId {
    /// Reads a member ID in any case, with surrounding spaces ignored.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let upper = s.trim().to_ascii_uppercase();
        let n = upper.chars().count();
        if n != MEMBER_ID_LEN {
            return Err(ValueError::invalid(
                "member_id",
                format!("must be {MEMBER_ID_LEN} characters, got {n}"),
            ));
        }
        if let Some(bad) = upper
            .chars()
            .find(|&c| !is_code_letter(c) && !is_code_digit(c))
        {
            return Err(ValueError::invalid(
                "member_id",
                format!("contains {bad:?}; only letters and digits 2-9 without I, L and O"),
            ));
        }
        if !upper.chars().any(is_code_digit) || !upper.chars().any(is_code_letter) {
            return Err(ValueError::invalid(
                "member_id",
                "must hold at least one letter and one digit",
            ));
        }
        Ok(Self(upper))
    }

    /// A new random member ID (about 29 bits of entropy). The caller retries on the rare
    /// collision with an existing one.
    pub fn generate(rng: &mut impl Rng) -> Self {
        loop {
            let candidate: String = (0..MEMBER_ID_LEN)
                .map(|_| {
                    if rng.random_range(0..31) < 23 {
                        pick(rng, CODE_LETTERS)
                    } else {
                        pick(rng, CODE_DIGITS)
                    }
                })
                .collect();
            if let Ok(id) = Self::parse(&candidate) {
                return id;
            }
        }
    }

    /// The ID in upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for MemberId {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<MemberId> for String {
    fn from(id: MemberId) -> String {
        id.0
    }
}

impl FromStr for MemberId {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::parse(s)
    }
}

/// The code of one relay thread, shown as `[K7]` at the start of every relayed text: a letter
/// then a digit, so it never reads as a word such as `OK` or `NO`. Unique among the open
/// threads of each of its two phones, not globally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadCode([u8; 2]);

impl ThreadCode {
    /// Reads a code such as `k7` or `K7` (surrounding spaces and brackets ignored).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_uppercase();
        let mut chars = t.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some(l), Some(d), None) if is_code_letter(l) && is_code_digit(d) => {
                Ok(Self([l as u8, d as u8]))
            }
            _ => Err(ValueError::invalid(
                "thread_code",
                "must be a letter and a digit, e.g. K7",
            )),
        }
    }

    /// A random code not in `taken`, or `None` when every code is taken.
    pub fn generate_avoiding(rng: &mut impl Rng, taken: &[ThreadCode]) -> Option<Self> {
        let free: Vec<ThreadCode> = Self::all().filter(|c| !taken.contains(c)).collect();
        if free.is_empty() {
            return None;
        }
        Some(free[rng.random_range(0..free.len())])
    }

    /// Every possible code (23 letters × 8 digits = 184).
    pub fn all() -> impl Iterator<Item = ThreadCode> {
        CODE_LETTERS
            .bytes()
            .flat_map(|l| CODE_DIGITS.bytes().map(move |d| ThreadCode([l, d])))
    }

    /// The code as text, e.g. `K7`.
    pub fn as_str(&self) -> &str {
        // Both bytes come from the ASCII alphabets above.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for ThreadCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ThreadCode {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ids_are_read_in_any_case_and_shown_in_upper_case() {
        assert_eq!(MemberId::parse(" k7qx2m ").unwrap().as_str(), "K7QX2M");
    }

    #[test]
    fn member_ids_refuse_look_alikes_words_and_wrong_lengths() {
        for bad in [
            "K7QX2", "K7QX2MM", "K0QX2M", "K1QX2M", "KOQX2M", "KIQX2M", "KLQX2M", "THANKS",
            "234567", "K7-X2M", "",
        ] {
            assert!(MemberId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_member_ids_are_valid_and_spread() {
        let mut rng = rand::rng();
        let ids: std::collections::HashSet<MemberId> =
            (0..2000).map(|_| MemberId::generate(&mut rng)).collect();
        assert!(ids.len() > 1990, "only {} distinct of 2000", ids.len());
        for id in &ids {
            assert_eq!(MemberId::parse(id.as_str()).as_ref(), Ok(id));
        }
    }

    #[test]
    fn thread_codes_are_a_letter_and_a_digit() {
        assert_eq!(ThreadCode::parse("k7").unwrap().as_str(), "K7");
        assert_eq!(ThreadCode::parse("[K7]").unwrap().as_str(), "K7");
        for bad in ["OK", "NO", "7K", "K", "K77", "I7", "K1", ""] {
            assert!(ThreadCode::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(ThreadCode::all().count(), 184);
    }

    #[test]
    fn a_generated_thread_code_avoids_the_taken_ones() {
        let mut rng = rand::rng();
        let taken: Vec<ThreadCode> = ThreadCode::all().skip(1).collect();
        let code = ThreadCode::generate_avoiding(&mut rng, &taken).unwrap();
        assert_eq!(code, ThreadCode::all().next().unwrap());
        let all: Vec<ThreadCode> = ThreadCode::all().collect();
        assert_eq!(ThreadCode::generate_avoiding(&mut rng, &all), None);
    }
}
