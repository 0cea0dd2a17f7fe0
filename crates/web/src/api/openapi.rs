//! The operator API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the request and response types by the same `OpenApiRouter` that builds
//! the routes (so a route cannot exist without its entry), served at
//! `GET /api/v1/openapi.json` without a token. The server's limits are then written onto its
//! schemas ([`ServerLimits`]), and the answers to requests axum cannot read (400, 413, 415)
//! onto every operation that takes a body or path parameters.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ApiError, ErrorBody, ErrorDetail, documented};
use super::limits::ServerLimits;

/// The name of the security scheme every route but this document's requires.
pub(crate) const BEARER: &str = "bearer";

/// What the document holds besides the paths: title, security scheme, shared schemas, tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "chargeplan operator API",
        description = "Sites, circuits and caps, tariffs, ports, sharing settings and the relay audit, participants, sessions, plans, \
                       setpoints and reports of the sites an operator may see. Send an API token as \
                       `Authorization: Bearer <token>`. Errors answer \
                       `{\"error\": {\"message\": \"...\", \"field\": \"...\"}}`, \
                       including 405 for a method a path does not have (its `Allow` header \
                       lists those it has).",
    ),
    modifiers(&BearerScheme),
    security(("bearer" = [])),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "sites", description = "Sites (creating and updating them: admins)"),
        (name = "circuits", description = "The circuit tree (replacing it: admins)"),
        (name = "caps", description = "Static caps, weekly cap schedules and overrides; each change re-plans the site at once"),
        (name = "tariff", description = "Time-of-use prices and the demand charge"),
        (name = "ports", description = "Ports and their vendor mapping (mapping: admins)"),
        (name = "sharing", description = "Charge-bay sharing: the site's settings and the relay's audit (never a phone number)"),
        (name = "participants", description = "Registered drivers"),
        (name = "sessions", description = "Live and past charging sessions with the drivers' requests"),
        (name = "plans", description = "The optimizer's plans"),
        (name = "setpoints", description = "The audit of power limits sent to the vendor clouds"),
        (name = "reports", description = "A day's or a week's report: requests met, measured and uncontrolled peaks, cost"),
        (name = "openapi", description = "This document"),
    ),
)]
pub(crate) struct ApiDoc;

/// Adds the bearer token scheme to the components.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An operator's API token (`chargeplan token create`) or the configured \
                 `api.admin_token`",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The largest request body the API reads, in bytes; a larger one answers 413.
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The document: the routes' entries, the server's limits and the answers to unreadable
/// requests.
pub(crate) fn build() -> utoipa::openapi::OpenApi {
    let mut document = super::openapi_router().into_openapi();
    ServerLimits.modify(&mut document);
    for item in document.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_unreadable_answers(operation);
        }
    }
    document
}

/// The 400, 413 and 415 that axum's extractors answer before a handler runs (in the API's
/// error shape), on an operation that takes a body or path parameters.
fn add_unreadable_answers(operation: &mut Operation) {
    let takes_path = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let takes_body = operation.request_body.is_some();
    let bad_request = match (takes_body, takes_path) {
        (true, true) => "the body is not valid JSON, or a path segment is not UTF-8 text",
        (true, false) => "the body is not valid JSON",
        (false, true) => "a path segment is not UTF-8 text",
        (false, false) => return,
    };
    let mut answers = vec![documented(StatusCode::BAD_REQUEST, bad_request)];
    if takes_body {
        answers.push(documented(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        ));
        answers.push(documented(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body is not sent as `Content-Type: application/json`",
        ));
    }
    for (status, answer) in answers {
        operation
            .responses
            .responses
            .entry(status)
            .or_insert(answer);
    }
}

/// The document as JSON, built once from the routes.
fn document() -> Result<&'static str, ApiError> {
    static DOCUMENT: LazyLock<Result<String, String>> = LazyLock::new(|| {
        build()
            .to_pretty_json()
            .map_err(|error| format!("the OpenAPI document does not serialize: {error}"))
    });
    DOCUMENT
        .as_deref()
        .map_err(|reason| ApiError::Internal(reason.clone()))
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "get_openapi_document",
    tag = "openapi",
    security(()),
    responses(
        (status = 200, description = "this OpenAPI 3.1 document", content_type = "application/json", body = Object),
    ),
)]
pub(crate) async fn serve() -> Result<Response, ApiError> {
    let json = document()?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}
