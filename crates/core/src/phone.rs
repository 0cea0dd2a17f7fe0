//! Phone numbers in E.164 form, which never show up whole in logs.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// A phone number in E.164 international format, e.g. `+14155550123`.
///
/// There is deliberately no `Display` impl, and `Debug` prints the [masked](Self::masked)
/// form: phone numbers must never reach logs. Use [`as_e164`](Self::as_e164) where the full
/// number is really needed (the SMS gateway, the store). Serialized as the E.164 string.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

const FIELD: &str = "phone";
const EXAMPLE: &str = "must be in international format, e.g. +14155550123";

impl PhoneNumber {
    /// Parses a phone number typed by a person: spaces, dashes, dots and parentheses are
    /// removed, then a leading `+` and 8 to 15 digits (the first not 0) are required.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')') && !c.is_whitespace())
            .collect();
        let Some(digits) = compact.strip_prefix('+') else {
            return Err(ValueError::invalid(FIELD, EXAMPLE));
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::invalid(FIELD, EXAMPLE));
        }
        if digits.starts_with('0') {
            return Err(ValueError::invalid(
                FIELD,
                "the country code cannot start with 0; must be in international format, e.g. +14155550123",
            ));
        }
        let n = digits.len();
        if !(8..=15).contains(&n) {
            return Err(ValueError::invalid(
                FIELD,
                format!("must have 8 to 15 digits after the +, got {n}; e.g. +14155550123"),
            ));
        }
        Ok(Self(compact))
    }

    /// The full number in E.164 form. Do not log it.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The number with every digit but the last two hidden, e.g. `+••••••••••09`.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let (hidden, shown) = digits.split_at(digits.len() - 2);
        let mut out = String::with_capacity(1 + hidden.len() * '•'.len_utf8() + 2);
        out.push('+');
        out.extend(hidden.chars().map(|_| '•'));
        out.push_str(shown);
        out
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.masked()).finish()
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE_ERR: &str = "phone: must be in international format, e.g. +14155550123";

    #[test]
    fn spaces_dashes_dots_and_parentheses_are_stripped() {
        for typed in [
            "+1 (415) 555-0123",
            "+1.415.555.0123",
            " +1 415 555 0123 ",
            "+14155550123",
        ] {
            assert_eq!(
                PhoneNumber::parse(typed).unwrap().as_e164(),
                "+14155550123",
                "{typed:?}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("+49 30 1234-5678").unwrap().as_e164(),
            "+493012345678"
        );
    }

    #[test]
    fn a_number_without_the_plus_is_rejected() {
        assert_eq!(
            PhoneNumber::parse("4155550123").unwrap_err().to_string(),
            EXAMPLE_ERR
        );
        assert_eq!(
            PhoneNumber::parse("(415) 555-0123")
                .unwrap_err()
                .to_string(),
            EXAMPLE_ERR
        );
        assert_eq!(PhoneNumber::parse("").unwrap_err().to_string(), EXAMPLE_ERR);
        assert_eq!(
            PhoneNumber::parse("+").unwrap_err().to_string(),
            EXAMPLE_ERR
        );
    }

    #[test]
    fn a_number_with_letters_or_a_second_plus_is_rejected() {
        assert_eq!(
            PhoneNumber::parse("+1415CALLNOW").unwrap_err().to_string(),
            EXAMPLE_ERR
        );
        assert_eq!(
            PhoneNumber::parse("+1415555012x").unwrap_err().field(),
            "phone"
        );
        assert_eq!(
            PhoneNumber::parse("++14155550123").unwrap_err().field(),
            "phone"
        );
    }

    #[test]
    fn a_number_needs_8_to_15_digits() {
        assert_eq!(
            PhoneNumber::parse("+1234567").unwrap_err().to_string(),
            "phone: must have 8 to 15 digits after the +, got 7; e.g. +14155550123"
        );
        assert!(PhoneNumber::parse("+12345678").is_ok());
        assert!(PhoneNumber::parse("+123456789012345").is_ok());
        assert!(
            PhoneNumber::parse("+1234567890123456")
                .unwrap_err()
                .to_string()
                .contains("got 16")
        );
    }

    #[test]
    fn a_country_code_starting_with_zero_is_rejected() {
        let e = PhoneNumber::parse("+014155550123").unwrap_err();
        assert_eq!(e.field(), "phone");
        assert!(e.to_string().contains("cannot start with 0"), "{e}");
    }

    #[test]
    fn masked_shows_only_the_last_two_digits() {
        let p = PhoneNumber::parse("+14155550123").unwrap();
        assert_eq!(p.masked(), "+•••••••••23");
        let p = PhoneNumber::parse("+447700900109").unwrap();
        assert_eq!(p.masked(), "+••••••••••09");
    }

    #[test]
    fn debug_output_never_contains_the_number() {
        let p = PhoneNumber::parse("+14155550123").unwrap();
        let debug = format!("{p:?} {:?}", Some(&p));
        assert!(!debug.contains("4155550123"), "{debug}");
        assert!(!debug.contains("555"), "{debug}");
        assert!(debug.contains("23"));
    }

    #[test]
    fn phone_numbers_serialize_as_e164_and_deserializing_validates() {
        let p = PhoneNumber::parse("+1 415 555 0123").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+14155550123\"");
        assert_eq!(
            serde_json::from_str::<PhoneNumber>("\"+14155550123\"").unwrap(),
            p
        );
        assert!(serde_json::from_str::<PhoneNumber>("\"4155550123\"").is_err());
    }
}
