//! The operator API's one error type and its JSON shape:
//! `{"error": {"message": "...", "field": "phone" | null}}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chargeplan_core::ValueError;
use chargeplan_store::StoreError;
use serde_json::json;

/// Everything an operator API route can answer besides success.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// No admin token is configured.
    Off,
    /// No bearer token, or not the admin token.
    Unauthorized,
    /// The site or participant (the message says which) does not exist.
    NotFound(String),
    /// The change collides with what is stored (phone or token of another participant).
    Conflict(String),
    /// A field of the body is invalid; `field` names it when known.
    Invalid {
        field: Option<&'static str>,
        message: String,
    },
    /// The body is not JSON of the expected shape (status chosen by axum: 400, 415 or 422).
    Body(StatusCode, String),
    /// Something failed on our side; the reason is logged, never shown.
    Internal(String),
}

impl ApiError {
    /// A validation error naming `field`.
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field),
            message: message.into(),
        }
    }

    pub(crate) fn status_code(&self) -> StatusCode {
        match self {
            Self::Off | Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Body(status, _) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> &str {
        match self {
            Self::Off => "the operator API is off: set api.admin_token",
            Self::Unauthorized => "send the admin token as `Authorization: Bearer <token>`",
            Self::NotFound(message)
            | Self::Conflict(message)
            | Self::Invalid { message, .. }
            | Self::Body(_, message) => message,
            Self::Internal(_) => "internal error",
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { field, .. } => *field,
            _ => None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => Self::NotFound(error.to_string()),
            StoreError::Conflict(reason) => Self::Conflict(reason),
            StoreError::Invalid(error) => error.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ValueError> for ApiError {
    fn from(error: ValueError) -> Self {
        Self::Invalid {
            field: Some(error.field()),
            message: error.to_string(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::Body(rejection.status(), rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = json!({"error": {"message": self.message(), "field": self.field()}});
        let mut response = (status, Json(body)).into_response();
        match self {
            Self::Off | Self::Unauthorized => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            // Logged once by the trace middleware.
            Self::Internal(reason) => {
                response.extensions_mut().insert(crate::ErrorReason(reason));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_the_status_an_operator_expects() {
        let not_found = StoreError::NotFound {
            what: "site",
            id: "x".into(),
        };
        assert_eq!(
            ApiError::from(not_found).status_code(),
            StatusCode::NOT_FOUND
        );
        let conflict = StoreError::Conflict("duplicate".into());
        assert_eq!(ApiError::from(conflict).status_code(), StatusCode::CONFLICT);
        let invalid = StoreError::Invalid(ValueError::invalid("phone", "bad"));
        let error = ApiError::from(invalid);
        assert_eq!(error.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.field(), Some("phone"));
        let internal = ApiError::from(StoreError::NotReady("pending".into()));
        assert_eq!(internal.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(internal.message(), "internal error");
    }

    #[test]
    fn an_internal_error_keeps_its_reason_for_the_log_only() {
        let response = ApiError::Internal("disk full".into()).into_response();
        assert_eq!(
            response
                .extensions()
                .get::<crate::ErrorReason>()
                .map(|r| r.0.as_str()),
            Some("disk full")
        );
    }
}
