//! The operator API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! annotations and the request and response types by the same `OpenApiRouter` that builds
//! the routes (so a route cannot exist without its entry), served at
//! `GET /api/v1/openapi.json` without a token.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ApiError, ErrorBody, ErrorDetail};

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
                       `{\"error\": {\"message\": \"...\", \"field\": \"...\"}}`.",
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

/// The document as JSON, built once from the routes.
fn document() -> Result<&'static str, ApiError> {
    static DOCUMENT: LazyLock<Result<String, String>> = LazyLock::new(|| {
        super::openapi_router()
            .into_openapi()
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
