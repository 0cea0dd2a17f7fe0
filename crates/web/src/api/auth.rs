//! Bearer authentication of the operator API against the configured admin token's hash.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::error::ApiError;
use crate::AppState;

/// Proof that the request carries the admin token; every API handler takes one first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = state.admin_token_hash.as_deref() else {
            return Err(ApiError::Off);
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
            .ok_or(ApiError::Unauthorized)?;
        if token_matches(presented, expected) {
            Ok(Self)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether SHA-256 of `presented` is `expected_hash` (hex), compared in constant time.
fn token_matches(presented: &str, expected_hash: &str) -> bool {
    let hash: String = Sha256::digest(presented.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let expected = expected_hash.trim().to_ascii_lowercase();
    hash.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of "abc".
    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn only_the_token_whose_hash_is_configured_matches() {
        assert!(token_matches("abc", ABC));
        assert!(token_matches("abc", &ABC.to_ascii_uppercase()));
        assert!(!token_matches("abd", ABC));
        assert!(!token_matches("abc", ""));
    }
}
