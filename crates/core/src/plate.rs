//! A participant's licence plate with its region: optional extra data an operator may store
//! to recognise a car. Plates are not unique across regions and people drive several cars, so
//! a plate never identifies a member (the member ID does) and is never shown to other drivers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Longest plate number accepted, in characters (the longest real ones have about 10).
pub const MAX_PLATE_CHARS: usize = 12;
/// Longest region accepted, in characters ("Baden-Württemberg", "British Columbia").
pub const MAX_PLATE_REGION_CHARS: usize = 40;

/// A licence plate number and, optionally, where it was issued (free text: "CA", "Ontario",
/// "D"). Both are kept as typed apart from surrounding spaces, runs of spaces and the case of
/// the number. `Debug` hides the number, so a plate never reaches a log whole.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Plate {
    number: String,
    region: Option<String>,
}

impl Plate {
    /// Reads a plate number (1 to 12 characters with at least one letter or digit, upper
    /// case) and an optional region (1 to 40 characters; empty means none). Errors name the
    /// field: `plate` or `plate_region`.
    pub fn parse(number: &str, region: Option<&str>) -> Result<Self, ValueError> {
        let number = clean("plate", number, MAX_PLATE_CHARS)?.to_uppercase();
        if number.is_empty() {
            return Err(ValueError::invalid("plate", "must not be empty"));
        }
        if !number.chars().any(char::is_alphanumeric) {
            return Err(ValueError::invalid(
                "plate",
                "must hold at least one letter or digit",
            ));
        }
        let region = match region {
            Some(text) => {
                Some(clean("plate_region", text, MAX_PLATE_REGION_CHARS)?).filter(|r| !r.is_empty())
            }
            None => None,
        };
        Ok(Self { number, region })
    }

    /// The plate number, upper case.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// Where the plate was issued, if known.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

impl fmt::Debug for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plate")
            .field("number", &"•••")
            .field("region", &self.region)
            .finish()
    }
}

/// `text` trimmed with runs of whitespace made one space; no control characters and at most
/// `max` characters.
fn clean(field: &'static str, text: &str, max: usize) -> Result<String, ValueError> {
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(ValueError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    let cleaned = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = cleaned.chars().count();
    if n > max {
        return Err(ValueError::invalid(
            field,
            format!("at most {max} characters, got {n}"),
        ));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plate_is_trimmed_upper_cased_and_keeps_its_region_as_typed() {
        let plate = Plate::parse("  7abc  123 ", Some(" British   Columbia ")).unwrap();
        assert_eq!(plate.number(), "7ABC 123");
        assert_eq!(plate.region(), Some("British Columbia"));
        let german = Plate::parse("m-äb 1234", Some("")).unwrap();
        assert_eq!(german.number(), "M-ÄB 1234");
        assert_eq!(german.region(), None);
    }

    #[test]
    fn empty_long_and_control_character_plates_are_refused_by_field() {
        let long_region = "x".repeat(41);
        let cases: [(&str, Option<&str>, &str); 7] = [
            ("", None, "plate"),
            ("  ", None, "plate"),
            ("--", None, "plate"),
            ("ABCDEFGHIJKLM", None, "plate"),
            ("AB\u{0}12", None, "plate"),
            ("AB12", Some(&long_region), "plate_region"),
            ("AB12", Some("C\u{7}A"), "plate_region"),
        ];
        for (number, region, field) in cases {
            let error = Plate::parse(number, region).unwrap_err();
            assert_eq!(error.field(), field, "{number:?} {region:?}: {error}");
        }
        assert!(Plate::parse(&"Ü".repeat(12), Some(&"é".repeat(40))).is_ok());
    }

    #[test]
    fn a_plate_number_never_shows_in_debug_output() {
        let plate = Plate::parse("7ABC123", Some("CA")).unwrap();
        let shown = format!("{plate:?}");
        assert!(!shown.contains("7ABC123"), "{shown}");
        assert!(shown.contains("CA"), "{shown}");
    }
}
