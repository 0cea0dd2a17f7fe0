//! The caller of an operator API route: an API token (`Authorization: Bearer …`), the
//! configured bootstrap admin token, or a dashboard session cookie (whose writes must carry
//! the session's CSRF token in `X-CSRF-Token`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use chargeplan_core::{Site, SiteId};
use chargeplan_store::{Operator, OperatorRole, StoreError};

use super::cookies::{SESSION_COOKIE, read_cookie};
use super::secrets::{hash_secret, secrets_equal};
use crate::AppState;
use crate::api::ApiError;

/// Header in which a dashboard page's script sends the session's CSRF token.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated operator calling the API. Every API handler takes one first, then asks
/// [`ApiCaller::site`] or [`ApiCaller::require_admin`] before touching anything.
#[derive(Debug, Clone)]
pub(crate) struct ApiCaller {
    pub(crate) operator: Operator,
}

impl ApiCaller {
    /// Ok for admins; 403 for site operators.
    pub(crate) fn require_admin(&self) -> Result<(), ApiError> {
        if self.operator.role == OperatorRole::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden("only an admin may do this".into()))
        }
    }

    /// The site with the id in the path, when it exists and the caller may access it; else
    /// the same 404 either way.
    pub(crate) async fn known_site(
        &self,
        state: &AppState,
        site_id: &str,
    ) -> Result<Site, ApiError> {
        let not_found = || ApiError::NotFound(format!("site '{site_id}' not found"));
        let id = SiteId::parse(site_id).map_err(|_| not_found())?;
        if !self.operator.may_access(&id) {
            return Err(not_found());
        }
        match state.store.get_site(&id).await {
            Ok(site) => Ok(site),
            Err(StoreError::NotFound { .. }) => Err(not_found()),
            Err(error) => Err(error.into()),
        }
    }
}

/// The operator behind the configured `api.admin_token`.
fn bootstrap_admin() -> Operator {
    Operator {
        id: "api.admin_token".into(),
        name: "api.admin_token".into(),
        role: OperatorRole::Admin,
        password_hash: None,
        sites: Vec::new(),
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let authorization = parts.headers.get(header::AUTHORIZATION);
        if let Some(value) = authorization {
            let presented = value
                .to_str()
                .ok()
                .and_then(bearer)
                .ok_or(ApiError::Unauthorized)?;
            return from_token(presented, state).await;
        }
        if let Some(session_id) = read_cookie(&parts.headers, SESSION_COOKIE) {
            let now = state.wall_clock.now();
            let found = state
                .store
                .find_dashboard_session(&hash_secret(session_id), now)
                .await?;
            let Some((session, operator)) = found else {
                return Err(ApiError::Unauthorized);
            };
            if !is_safe(&parts.method) {
                let presented = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                if !secrets_equal(presented, &session.csrf_token) {
                    return Err(ApiError::Forbidden(
                        "a change from the dashboard must carry the X-CSRF-Token header".into(),
                    ));
                }
            }
            return Ok(Self { operator });
        }
        Err(ApiError::Unauthorized)
    }
}

/// The operator of an API token or the bootstrap admin token.
async fn from_token(presented: &str, state: &AppState) -> Result<ApiCaller, ApiError> {
    let hash = hash_secret(presented);
    if let Some(expected) = state.admin_token_hash.as_deref()
        && secrets_equal(&hash, &expected.trim().to_ascii_lowercase())
    {
        return Ok(ApiCaller {
            operator: bootstrap_admin(),
        });
    }
    // The store finds the row by its hash (an index lookup on a SHA-256 of a 256-bit secret:
    // timing reveals nothing useful).
    match state.store.find_api_token(&hash).await? {
        Some((token, operator)) if token.revoked_at.is_none() => Ok(ApiCaller { operator }),
        Some(_) => Err(ApiError::Revoked),
        None => Err(ApiError::Unauthorized),
    }
}

/// GET, HEAD and OPTIONS change nothing and need no CSRF token.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn only_reads_are_safe_without_a_csrf_token() {
        assert!(is_safe(&Method::GET));
        assert!(!is_safe(&Method::POST));
        assert!(!is_safe(&Method::DELETE));
        assert!(!is_safe(&Method::PUT));
    }
}
