//! Phone numbers as people type them, in any country: read with the site's country as the
//! default region and checked against the real numbering plans (libphonenumber's metadata,
//! through the `phonenumber` crate), so "07700 900123" at a London site is +447700900123 and
//! "+1 555" — a number no network could text — is refused with a message naming the form
//! expected in that country.

use std::fmt;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, Type};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::phone::PhoneNumber;

/// A country by its ISO 3166-1 alpha-2 code (`GB`, `US`, `DE`), one that has a numbering
/// plan in the metadata. A site's country is the default region of the numbers typed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country(Id);

impl Country {
    /// Reads a two-letter country code, in either case.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let code = s.trim().to_ascii_uppercase();
        code.parse::<Id>()
            .ok()
            .filter(|id| DATABASE.by_id(id.as_ref()).is_some())
            .map(Self)
            .ok_or_else(|| {
                ValueError::invalid(
                    "country",
                    format!(
                        "unknown country '{code}', use a two-letter ISO 3166 code such as GB or US"
                    ),
                )
            })
    }

    /// The two-letter code.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }

    /// A mobile number of this country as its people write it, e.g. "07400 123456" for GB.
    pub fn example_mobile(self) -> Option<String> {
        let meta = DATABASE.by_id(self.0.as_ref())?;
        let example = meta.descriptors().mobile()?.example()?;
        let number = phonenumber::parse(Some(self.0), example).ok()?;
        Some(number.format().mode(Mode::National).to_string())
    }
}

impl Default for Country {
    /// The United States, whose ten-digit numbers the first sites were given.
    fn default() -> Self {
        Self(Id::US)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

impl TryFrom<String> for Country {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<Country> for String {
    fn from(c: Country) -> String {
        c.to_string()
    }
}

/// Ofcom's range of mobile numbers set aside for drama, 07700 900000 to 07700 900999: real
/// in form, never given to anyone, and the numbers people use in demonstrations and tests.
/// The metadata does not list them as valid, so they are allowed here by name.
const OFCOM_DRAMA_RANGE: &str = "+447700900";

/// Kinds of number that cannot receive a text message.
fn cannot_take_texts(kind: Type) -> bool {
    matches!(
        kind,
        Type::FixedLine | Type::TollFree | Type::PremiumRate | Type::SharedCost | Type::Uan
    )
}

impl PhoneNumber {
    /// Reads a number as a person types it: with spaces, dashes, dots or parentheses, in
    /// national form for `country` ("07700 900123" in GB, "415 555 0123" in the US) or
    /// international (`+` and the country code, or `00`). It must be a number the country's
    /// numbering plan gives out and one that can take texts (not a landline, freephone or
    /// premium-rate number). The error says what form is expected.
    pub fn from_typed(typed: &str, country: Option<Country>) -> Result<Self, ValueError> {
        let how = expected_form(country);
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(ValueError::invalid(
                "phone",
                format!("enter a mobile number: {how}"),
            ));
        }
        let parsed = phonenumber::parse(country.map(|c| c.0), typed)
            .map_err(|_| ValueError::invalid("phone", format!("not a phone number: {how}")))?;
        let e164 = parsed.format().mode(Mode::E164).to_string();
        let fictional = e164.starts_with(OFCOM_DRAMA_RANGE) && e164.len() == 13;
        if !fictional && !parsed.is_valid() {
            return Err(ValueError::invalid(
                "phone",
                format!("no network gives out that number: {how}"),
            ));
        }
        if !fictional && cannot_take_texts(parsed.number_type(&DATABASE)) {
            return Err(ValueError::invalid(
                "phone",
                format!("that number cannot receive texts: {how}"),
            ));
        }
        PhoneNumber::parse(&e164).map_err(|_| ValueError::invalid("phone", how))
    }
}

/// "enter it as 07400 123456 or with the country code, e.g. +44 7400 123456".
fn expected_form(country: Option<Country>) -> String {
    let example = country.and_then(|c| {
        let national = c.example_mobile()?;
        let international = phonenumber::parse(Some(c.0), &national)
            .ok()?
            .format()
            .mode(Mode::International)
            .to_string();
        Some((c, national, international))
    });
    match example {
        Some((c, national, international)) => format!(
            "use a {c} mobile number such as {national}, or another country's with its code, such as {international}"
        ),
        None => "use the international form with + and the country code, such as +44 7400 123456"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> Option<Country> {
        Some(Country::parse("gb").unwrap())
    }

    fn us() -> Option<Country> {
        Some(Country::parse("US").unwrap())
    }

    fn e164(typed: &str, country: Option<Country>) -> String {
        PhoneNumber::from_typed(typed, country)
            .unwrap_or_else(|e| panic!("{typed:?}: {e}"))
            .as_e164()
            .to_owned()
    }

    #[test]
    fn national_numbers_are_read_in_the_sites_country() {
        assert_eq!(e164("07700 900123", gb()), "+447700900123");
        assert_eq!(e164("07400 123456", gb()), "+447400123456");
        assert_eq!(e164("(07400) 123-456", gb()), "+447400123456");
        assert_eq!(e164("415 555 0123", us()), "+14155550123");
        assert_eq!(e164("(201) 555-0123", us()), "+12015550123");
        assert_eq!(e164("1 201 555 0123", us()), "+12015550123");
        assert_eq!(
            e164("0151 12345678", Some(Country::parse("DE").unwrap())),
            "+4915112345678"
        );
    }

    #[test]
    fn international_numbers_are_read_anywhere() {
        assert_eq!(e164("+44 7700 900123", us()), "+447700900123");
        assert_eq!(e164("0044 7400 123456", gb()), "+447400123456");
        assert_eq!(e164("+1 415 555 0123", gb()), "+14155550123");
        assert_eq!(e164("+1.415.555.0123", None), "+14155550123");
    }

    #[test]
    fn numbers_no_network_gives_out_are_refused_with_the_expected_form() {
        let e = PhoneNumber::from_typed("+1 555", us()).unwrap_err();
        assert_eq!(e.field(), "phone");
        assert_eq!(
            e.to_string(),
            "phone: no network gives out that number: use a US mobile number such as (201) 555-0123, or another country's with its code, such as +1 201-555-0123"
        );
        for typed in ["+1 555 555 0123", "+44 1234", "0770", "+999 123456789"] {
            assert!(PhoneNumber::from_typed(typed, gb()).is_err(), "{typed:?}");
        }
        let e = PhoneNumber::from_typed("hello", gb()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "phone: not a phone number: use a GB mobile number such as 07400 123456, or another country's with its code, such as +44 7400 123456"
        );
    }

    #[test]
    fn numbers_that_cannot_take_texts_are_refused() {
        // A London landline and a freephone number.
        for typed in ["020 7946 0018", "0800 123 4567"] {
            let e = PhoneNumber::from_typed(typed, gb()).unwrap_err();
            assert!(
                e.to_string().contains("cannot receive texts"),
                "{typed:?}: {e}"
            );
        }
    }

    #[test]
    fn without_a_country_only_international_numbers_are_understood() {
        let e = PhoneNumber::from_typed("07400 123456", None).unwrap_err();
        assert!(e.to_string().contains("+ and the country code"), "{e}");
        assert!(PhoneNumber::from_typed("", None).is_err());
    }

    #[test]
    fn countries_are_two_letter_codes_with_a_numbering_plan() {
        assert_eq!(Country::parse(" de ").unwrap().code(), "DE");
        assert!(Country::parse("UK").is_err());
        assert!(Country::parse("GBR").is_err());
        assert_eq!(
            gb().unwrap().example_mobile().as_deref(),
            Some("07400 123456")
        );
    }
}
