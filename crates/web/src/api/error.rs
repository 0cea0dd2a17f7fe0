//! The operator API's one error type and its JSON shape:
//! `{"error": {"message": "...", "field": "phone" | null}}`, with the error answers the
//! OpenAPI document lists per route.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chargeplan_core::ValueError;
use chargeplan_store::StoreError;
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response as Doc};
use utoipa::{IntoResponses, ToSchema};

/// Everything an operator API route can answer besides success.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// No credentials, or credentials nobody holds.
    Unauthorized,
    /// An API token that was revoked.
    Revoked,
    /// Authenticated, but the role does not allow it (the message says what is missing).
    Forbidden(String),
    /// The site or participant (the message says which) does not exist.
    NotFound(String),
    /// The change collides with what is stored (phone or token of another participant).
    Conflict(String),
    /// A field of the body or query is invalid; `field` names it when known (a path such as
    /// `windows[1].cap_kw` inside a list).
    Invalid {
        field: Option<Cow<'static, str>>,
        message: String,
    },
    /// The request is not what axum can read: a body that is not JSON of the expected shape
    /// or too large, a missing or wrong content type, a path that is not text (status chosen
    /// by axum: 400, 413, 415 or 422).
    Body(StatusCode, String),
    /// The path exists, but not with this method (the `Allow` header lists those it has).
    MethodNotAllowed,
    /// Something failed on our side; the reason is logged, never shown.
    Internal(String),
}

impl ApiError {
    /// A validation error naming `field`.
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(Cow::Borrowed(field)),
            message: message.into(),
        }
    }

    /// A validation error naming a field known only at run time (`windows[2].start`).
    pub(crate) fn invalid_at(field: String, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(Cow::Owned(field)),
            message: message.into(),
        }
    }

    pub(crate) fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::Revoked => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Body(status, _) => *status,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn message(&self) -> &str {
        match self {
            Self::Unauthorized => {
                "send an API token as `Authorization: Bearer <token>` (create one with `chargeplan token create`)"
            }
            Self::Revoked => "this API token was revoked",
            Self::MethodNotAllowed => {
                "this method is not allowed on this path; the Allow header lists those that are"
            }
            Self::Forbidden(message)
            | Self::NotFound(message)
            | Self::Conflict(message)
            | Self::Invalid { message, .. }
            | Self::Body(_, message) => message,
            Self::Internal(_) => "internal error",
        }
    }

    pub(crate) fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => field.as_deref(),
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
            field: Some(Cow::Borrowed(error.field())),
            message: error.to_string(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::Body(rejection.status(), rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::Body(rejection.status(), rejection.body_text())
    }
}

/// The answer to a method a path of the API does not have.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = ErrorBody {
            error: ErrorDetail {
                message: self.message().to_owned(),
                field: self.field().map(str::to_owned),
            },
        };
        let mut response = (status, Json(body)).into_response();
        match self {
            Self::Unauthorized | Self::Revoked => {
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

/// The body of every error answer, as the OpenAPI document describes it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// A sentence for the operator, e.g. `cap_kw: must be more than 0 kW`.
    message: String,
    /// The offending field (a path such as `windows[1].start` inside a list); `null` when the
    /// error is not about one field.
    field: Option<String>,
}

/// One documented error answer with the [`ErrorBody`] schema.
pub(super) fn documented(status: StatusCode, description: &str) -> (String, RefOr<Doc>) {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build();
    (status.as_u16().to_string(), RefOr::T(response))
}

/// 401 (for the OpenAPI document): every route that needs a token.
pub(crate) struct UnauthorizedError;

impl IntoResponses for UnauthorizedError {
    fn responses() -> BTreeMap<String, RefOr<Doc>> {
        BTreeMap::from([documented(
            StatusCode::UNAUTHORIZED,
            "no API token, an unknown one, or a revoked one",
        )])
    }
}

/// 403 (for the OpenAPI document): every change.
pub(crate) struct ForbiddenError;

impl IntoResponses for ForbiddenError {
    fn responses() -> BTreeMap<String, RefOr<Doc>> {
        BTreeMap::from([documented(
            StatusCode::FORBIDDEN,
            "a site operator on an admin-only route, or a change from the dashboard without \
             its CSRF token",
        )])
    }
}

/// 404 (for the OpenAPI document).
pub(crate) struct NotFoundError;

impl IntoResponses for NotFoundError {
    fn responses() -> BTreeMap<String, RefOr<Doc>> {
        BTreeMap::from([documented(
            StatusCode::NOT_FOUND,
            "unknown site (or one not granted to the caller: the same answer), or unknown \
             record of the site",
        )])
    }
}

/// 422 (for the OpenAPI document).
pub(crate) struct InvalidError;

impl IntoResponses for InvalidError {
    fn responses() -> BTreeMap<String, RefOr<Doc>> {
        BTreeMap::from([documented(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a field of the body or query is invalid; `error.field` names it and nothing \
             was changed",
        )])
    }
}

/// 409 (for the OpenAPI document).
pub(crate) struct ConflictError;

impl IntoResponses for ConflictError {
    fn responses() -> BTreeMap<String, RefOr<Doc>> {
        BTreeMap::from([documented(
            StatusCode::CONFLICT,
            "the change collides with what is stored; nothing was changed",
        )])
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
