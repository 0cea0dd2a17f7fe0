//! The one-time code of a registration: the verification's random id, the six-digit code,
//! the stored hash, and the constant-time check of a code typed by the driver.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chargeplan_store::PhoneVerification;
use chrono::{DateTime, Utc};
use rand::{Rng as _, RngCore as _};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::MAX_ATTEMPTS;

/// Random bytes in a verification id: 128 bits.
const ID_BYTES: usize = 16;
/// Length of an id in URL-safe base64 without padding.
const ID_LEN: usize = 22;
/// Digits in a code.
const CODE_DIGITS: usize = 6;

/// A fresh verification id (URL-safe base64 of 128 random bits).
pub(crate) fn new_id() -> String {
    let mut bytes = [0_u8; ID_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `id` has the shape of one of our ids (checked before any lookup).
pub(crate) fn looks_like_id(id: &str) -> bool {
    id.len() == ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh code: six random digits, leading zeros kept.
pub(crate) fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000_u32))
}

/// What the store keeps of a code: lowercase hex SHA-256 of `id:code`.
pub(crate) fn code_hash(id: &str, code: &str) -> String {
    Sha256::digest(format!("{id}:{code}").as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The code as typed with spaces and dashes removed, or `None` when it is not six digits
/// (such input is never the right code and does not count as an attempt).
pub(crate) fn normalise(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// Whether `code` is the verification's code, comparing the hashes in constant time.
pub(crate) fn matches(verification: &PhoneVerification, code: &str) -> bool {
    let typed = code_hash(&verification.id, code);
    typed
        .as_bytes()
        .ct_eq(verification.code_hash.as_bytes())
        .into()
}

/// Why a verification can no longer be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// The right code was entered already.
    Used,
    /// Too many wrong codes.
    Locked,
    /// Older than its time to live.
    Expired,
}

impl Closed {
    /// Why the verification cannot take a code at `now`, or `None` when it can.
    pub(crate) fn check(verification: &PhoneVerification, now: DateTime<Utc>) -> Option<Self> {
        if verification.verified_at.is_some() {
            Some(Self::Used)
        } else if verification.attempts >= MAX_ATTEMPTS {
            Some(Self::Locked)
        } else if now >= verification.expires_at {
            Some(Self::Expired)
        } else {
            None
        }
    }

    /// One sentence for the driver.
    pub(crate) fn sentence(self) -> &'static str {
        match self {
            Self::Used => "This code has already been used.",
            Self::Locked => "The code was entered wrongly too many times.",
            Self::Expired => "This code has expired.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_url_safe_and_recognised() {
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        assert!(looks_like_id(&a), "{a}");
        assert!(!looks_like_id("short"));
        assert!(!looks_like_id(&format!("{}/", &a[..21])));
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(normalise(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typed_codes_may_have_spaces_but_must_be_six_digits() {
        assert_eq!(normalise(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(normalise("123-456").as_deref(), Some("123456"));
        assert_eq!(normalise("12345"), None);
        assert_eq!(normalise("12345a"), None);
        assert_eq!(normalise(""), None);
    }

    #[test]
    fn the_hash_is_sha256_hex_of_id_and_code() {
        assert_eq!(
            code_hash("abc", "123456"),
            "71f79ddc5dba7d98fd09ade46f1d21c8c1ea9965b2acc9b4ccaf41fba8dd808e"
        );
        assert_ne!(code_hash("abc", "123456"), code_hash("abd", "123456"));
    }
}
