//! Self-registration at a site with phone verification, for drivers with no account and no
//! app: `GET|POST /join/{site_id}` takes the phone number, the charging card or app token
//! uids and the vehicle's Wh/mile and texts a one-time code; `GET|POST /join/verify/{id}`
//! takes the code and registers the participant.
//!
//! Privacy: a number already registered at the site gets the same answer as any other ("if
//! this number can register, we have texted it a code") but no code, so the form cannot be
//! used to learn who is registered. Phone numbers and codes are never logged; only a hash of
//! the code is stored.
//!
//! Between the two steps the token uids and Wh/mile travel in the redirect's query string
//! and then in hidden fields of the code form, and are validated again when the code is
//! entered; nothing but the verification itself is stored before the phone is verified.

pub(crate) mod code;
pub(crate) mod flow;
mod form;
pub(crate) mod page;
pub(crate) mod register;
mod render;
mod verify;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chargeplan_store::StoreError;

use crate::AppState;

/// How long a texted code can be used.
pub(crate) const CODE_TTL_MINUTES: i64 = 10;
/// Wrong codes after which a verification is locked.
pub(crate) const MAX_ATTEMPTS: u32 = 5;
/// Codes texted to one number at one site within an hour, at most.
pub(crate) const MAX_CODES_PER_HOUR: u64 = 3;
/// Codes texted for one site in an hour, whatever the numbers: a bound on what someone cycling
/// through phone numbers can make us send (SMS pumping).
pub(crate) const MAX_SITE_CODES_PER_HOUR: u64 = 60;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/join/{site_id}",
            get(register::show).post(register::submit),
        )
        .route("/join/verify/{id}", get(verify::show).post(verify::submit))
}

/// The start of the registration at `site_id`.
fn join_path(site_id: &str) -> String {
    format!("/join/{site_id}")
}

/// A 500 page that says nothing internal; the reason goes to the trace middleware's log.
pub(crate) fn failure(error: &StoreError) -> Response {
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(
            crate::driver_page::render_error(
                "Something went wrong on our side. Please try again in a minute.",
            )
            .into_string(),
        ),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(crate::ErrorReason(error.to_string()));
    response
}
