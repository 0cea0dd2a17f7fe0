//! String identifiers: one newtype per kind of record, plus the OCPI token uid.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Longest accepted identifier, in characters.
pub const MAX_ID_LEN: usize = 64;

/// Longest accepted OCPI token uid (`CiString(36)`).
pub const MAX_TOKEN_UID_LEN: usize = 36;

/// The characters an identifier may hold besides ASCII letters and digits.
pub const ID_PUNCTUATION: &str = "-_.:";

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ID_PUNCTUATION.contains(c)
}

fn check_id(field: &'static str, s: &str) -> Result<(), ValueError> {
    if s.is_empty() {
        return Err(ValueError::invalid(field, "must not be empty"));
    }
    let n = s.chars().count();
    if n > MAX_ID_LEN {
        return Err(ValueError::invalid(
            field,
            format!("must be at most {MAX_ID_LEN} characters, got {n}"),
        ));
    }
    if let Some(bad) = s.chars().find(|&c| !is_id_char(c)) {
        return Err(ValueError::invalid(
            field,
            format!(
                "contains {bad:?}; only ASCII letters, digits and the characters - _ . : are allowed"
            ),
        ));
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $field:literal) => {
        $(#[$meta])*
        ///
        /// 1 to 64 characters: ASCII letters, digits and `-`, `_`, `.`, `:`.
        /// Serialized as a plain string.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `s` as an identifier (it is not trimmed).
            pub fn parse(s: &str) -> Result<Self, ValueError> {
                check_id($field, s)?;
                Ok(Self(s.to_owned()))
            }

            /// A new, time-ordered identifier (UUID v7, hyphenated).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().hyphenated().to_string())
            }

            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;

            fn try_from(s: String) -> Result<Self, ValueError> {
                check_id($field, &s)?;
                Ok(Self(s))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = ValueError;

            fn from_str(s: &str) -> Result<Self, ValueError> {
                Self::parse(s)
            }
        }
    };
}

string_id!(
    /// Identifies a charging site.
    SiteId,
    "site_id"
);
string_id!(
    /// Identifies a circuit (a breaker, panel or feeder) in a site's circuit tree.
    CircuitId,
    "circuit_id"
);
string_id!(
    /// Identifies a charging port (one connector we can control).
    PortId,
    "port_id"
);
string_id!(
    /// Identifies a registered pilot participant (a driver).
    ParticipantId,
    "participant_id"
);
string_id!(
    /// Identifies a charging session (ours, not the vendor's).
    SessionId,
    "session_id"
);
string_id!(
    /// Identifies an optimization plan.
    PlanId,
    "plan_id"
);
string_id!(
    /// Identifies a setpoint (a charging profile sent to a vendor cloud).
    SetpointId,
    "setpoint_id"
);
string_id!(
    /// Identifies a vendor cloud account (one OCPI connection).
    VendorAccountId,
    "vendor_account_id"
);

/// The OCPI `cdr_token.uid` of an RFID card or app user (`CiString(36)`).
///
/// Parsing trims surrounding whitespace and accepts 1 to 36 printable ASCII characters
/// without spaces. OCPI compares these case-insensitively, so the value is stored in
/// UPPERCASE and two uids that differ only in case are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenUid(String);

impl TokenUid {
    /// Validates and normalizes a token uid.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        const FIELD: &str = "token_uid";
        let t = s.trim();
        if t.is_empty() {
            return Err(ValueError::invalid(FIELD, "must not be empty"));
        }
        if let Some(bad) = t.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(ValueError::invalid(
                FIELD,
                format!(
                    "contains {bad:?}; only printable ASCII characters without spaces are allowed"
                ),
            ));
        }
        if t.len() > MAX_TOKEN_UID_LEN {
            return Err(ValueError::invalid(
                FIELD,
                format!(
                    "must be at most {MAX_TOKEN_UID_LEN} characters, got {}",
                    t.len()
                ),
            ));
        }
        Ok(Self(t.to_ascii_uppercase()))
    }

    /// The normalized (uppercase) uid.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TokenUid {
    type Error = ValueError;

    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::parse(&s)
    }
}

impl From<TokenUid> for String {
    fn from(t: TokenUid) -> String {
        t.0
    }
}

impl FromStr for TokenUid {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_id_parses_and_displays_unchanged() {
        let id = SiteId::parse("lot-B_2.north:1").unwrap();
        assert_eq!(id.as_str(), "lot-B_2.north:1");
        assert_eq!(id.to_string(), "lot-B_2.north:1");
        assert_eq!("lot-B_2.north:1".parse::<SiteId>().unwrap(), id);
    }

    #[test]
    fn an_empty_id_is_rejected_naming_the_field() {
        assert_eq!(
            SiteId::parse("").unwrap_err().to_string(),
            "site_id: must not be empty"
        );
        assert_eq!(PortId::parse("").unwrap_err().field(), "port_id");
        assert_eq!(
            VendorAccountId::parse("").unwrap_err().field(),
            "vendor_account_id"
        );
    }

    #[test]
    fn ids_of_64_characters_are_accepted_and_65_rejected() {
        assert!(CircuitId::parse(&"a".repeat(64)).is_ok());
        assert_eq!(
            CircuitId::parse(&"a".repeat(65)).unwrap_err().to_string(),
            "circuit_id: must be at most 64 characters, got 65"
        );
    }

    #[test]
    fn ids_with_characters_outside_the_charset_are_rejected() {
        for bad in ["a b", "a/b", "é", "a\nb", " a", "a#", "a@b"] {
            let e = SessionId::parse(bad).unwrap_err();
            assert_eq!(e.field(), "session_id", "{bad:?}");
            assert!(e.to_string().contains("only ASCII letters"), "{e}");
        }
    }

    #[test]
    fn generated_ids_are_valid_distinct_hyphenated_uuid_v7() {
        let a = PlanId::generate();
        let b = PlanId::generate();
        assert_ne!(a, b);
        assert_eq!(PlanId::parse(a.as_str()).unwrap(), a);
        let u = uuid::Uuid::parse_str(a.as_str()).unwrap();
        assert_eq!(u.get_version_num(), 7);
        assert_eq!(a.as_str().len(), 36);
        assert_eq!(a.as_str().matches('-').count(), 4);
    }

    #[test]
    fn ids_serialize_as_plain_strings_and_deserializing_validates() {
        let id = ParticipantId::parse("p-1").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"p-1\"");
        assert_eq!(
            serde_json::from_str::<ParticipantId>("\"p-1\"").unwrap(),
            id
        );
        let e = serde_json::from_str::<ParticipantId>("\"p 1\"").unwrap_err();
        assert!(e.to_string().contains("participant_id"), "{e}");
        assert!(serde_json::from_str::<SetpointId>("\"\"").is_err());
    }

    #[test]
    fn ids_convert_to_and_from_string() {
        let id = SetpointId::try_from("sp.1".to_owned()).unwrap();
        assert_eq!(String::from(id), "sp.1");
        assert!(SetpointId::try_from("sp 1".to_owned()).is_err());
    }

    #[test]
    fn token_uids_are_trimmed_and_uppercased_so_case_does_not_matter() {
        let a = TokenUid::parse("  04a2b3c4d5e6 \n").unwrap();
        assert_eq!(a.as_str(), "04A2B3C4D5E6");
        assert_eq!(a, TokenUid::parse("04A2b3C4d5E6").unwrap());
        assert_eq!(a.to_string(), "04A2B3C4D5E6");
        assert_eq!("x-1".parse::<TokenUid>().unwrap().as_str(), "X-1");
    }

    #[test]
    fn token_uids_longer_than_36_characters_are_rejected() {
        assert!(TokenUid::parse(&"A".repeat(36)).is_ok());
        assert_eq!(
            TokenUid::parse(&"A".repeat(37)).unwrap_err().to_string(),
            "token_uid: must be at most 36 characters, got 37"
        );
    }

    #[test]
    fn token_uids_that_are_empty_or_contain_spaces_or_non_ascii_are_rejected() {
        assert_eq!(
            TokenUid::parse("   ").unwrap_err().to_string(),
            "token_uid: must not be empty"
        );
        for bad in ["AB CD", "ÄBC", "AB\tCD", "A\u{7f}"] {
            assert_eq!(
                TokenUid::parse(bad).unwrap_err().field(),
                "token_uid",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn token_uids_deserialize_normalized() {
        let t: TokenUid = serde_json::from_str("\" abc123 \"").unwrap();
        assert_eq!(t.as_str(), "ABC123");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"ABC123\"");
        assert!(serde_json::from_str::<TokenUid>("\"a b\"").is_err());
    }
}
