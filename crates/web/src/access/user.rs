//! The operator logged in to the dashboard, from the session cookie; pages without a valid
//! session redirect to the login form and come back after it.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chargeplan_core::SiteId;
use chargeplan_store::{Operator, OperatorRole};

use super::cookies::{SESSION_COOKIE, read_cookie};
use super::secrets::{hash_secret, secrets_equal};
use crate::AppState;

/// An operator with a live dashboard session.
#[derive(Debug, Clone)]
pub(crate) struct DashboardUser {
    pub(crate) operator: Operator,
    /// Every form of the session carries it in a hidden `csrf` field.
    pub(crate) csrf_token: String,
    /// SHA-256 of the session id (to log out).
    pub(crate) session_hash: String,
}

/// Why a dashboard request is refused.
#[derive(Debug)]
pub(crate) enum DashboardDenied {
    /// Not logged in (or the session expired): go to the login form, then back to `next`.
    LogIn { next: String },
    /// A form without this session's CSRF token.
    BadCsrf,
    /// The store failed; logged by the trace middleware, never shown.
    Internal(String),
}

impl IntoResponse for DashboardDenied {
    fn into_response(self) -> Response {
        match self {
            Self::LogIn { next } => {
                let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                Redirect::to(&format!("/login?{query}")).into_response()
            }
            Self::BadCsrf => (
                StatusCode::FORBIDDEN,
                "This form has expired or did not come from the dashboard. Go back, reload the page and try again.",
            )
                .into_response(),
            Self::Internal(reason) => {
                let mut response =
                    (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.").into_response();
                response.extensions_mut().insert(crate::ErrorReason(reason));
                response
            }
        }
    }
}

impl DashboardUser {
    /// Ok when the form's `csrf` field is this session's token.
    pub(crate) fn check_csrf(&self, presented: &str) -> Result<(), DashboardDenied> {
        if secrets_equal(presented, &self.csrf_token) {
            Ok(())
        } else {
            Err(DashboardDenied::BadCsrf)
        }
    }

    /// Whether the operator may see and change `site`.
    pub(crate) fn may_access(&self, site: &SiteId) -> bool {
        self.operator.may_access(site)
    }

    /// Whether the operator is an admin.
    pub(crate) fn is_admin(&self) -> bool {
        self.operator.role == OperatorRole::Admin
    }
}

impl FromRequestParts<AppState> for DashboardUser {
    type Rejection = DashboardDenied;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, DashboardDenied> {
        let next = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/dashboard".to_owned(), |p| p.as_str().to_owned());
        let Some(session_id) = read_cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(DashboardDenied::LogIn { next });
        };
        let session_hash = hash_secret(session_id);
        match state
            .store
            .find_dashboard_session(&session_hash, state.wall_clock.now())
            .await
        {
            Ok(Some((session, operator))) => Ok(Self {
                operator,
                csrf_token: session.csrf_token,
                session_hash,
            }),
            Ok(None) => Err(DashboardDenied::LogIn { next }),
            Err(error) => Err(DashboardDenied::Internal(error.to_string())),
        }
    }
}
