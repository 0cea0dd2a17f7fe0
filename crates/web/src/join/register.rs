//! `GET|POST /join/{site_id}`: the join form, and texting the one-time code.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chargeplan_control::messages;
use chargeplan_core::{PhoneNumber, Site, SiteId};
use chargeplan_store::StoreError;

use super::flow::{self, CodeRequest};
use super::form::{CodeForm, JoinForm};
use super::render::{join_page, notice_page};
use super::{CODE_TTL_MINUTES, failure, join_path};
use crate::AppState;
use crate::driver_page::FormErrors;

pub(super) async fn show(State(state): State<AppState>, Path(site_id): Path<String>) -> Response {
    match load_site(&state, &site_id).await {
        Ok(Some(site)) => Html(
            join_page(
                &site,
                &join_path(site.id.as_str()),
                &JoinForm::default(),
                &FormErrors::new(),
            )
            .into_string(),
        )
        .into_response(),
        Ok(None) => site_not_found(),
        Err(error) => failure(&error),
    }
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    Form(form): Form<JoinForm>,
) -> Response {
    let site = match load_site(&state, &site_id).await {
        Ok(Some(site)) => site,
        Ok(None) => return site_not_found(),
        Err(error) => return failure(&error),
    };
    let action = join_path(site.id.as_str());
    let registration = match form.parse(site.country) {
        Ok(registration) => registration,
        Err(errors) => {
            let page = join_page(&site, &action, &form, &errors);
            return (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response();
        }
    };
    let phone = &registration.phone;
    let registered = match is_registered(&state, &site, phone).await {
        Ok(registered) => registered,
        Err(error) => return failure(&error),
    };
    // A registered number goes through the same steps (and counts towards the same limit) so
    // that the answer does not tell who is registered, but it is not texted.
    let body = |code: &str| messages::verification_code(&site.name, code, CODE_TTL_MINUTES);
    let id = match flow::send_code(
        &state,
        &flow::CodeScope::site(&site),
        phone,
        body,
        registered,
    )
    .await
    {
        Ok(CodeRequest::Sent { id }) => id,
        Ok(CodeRequest::SiteLimit) => return site_busy(&action),
        Ok(CodeRequest::NumberLimit) => return rate_limited(&action),
        Err(error) => return failure(&error),
    };
    let carried = CodeForm::carrying(&registration.vehicle);
    let query = serde_urlencoded::to_string(&carried).unwrap_or_default();
    Redirect::to(&format!("/join/verify/{id}?{query}")).into_response()
}

/// The site, or `None` when the id is malformed or unknown.
pub(super) async fn load_site(state: &AppState, site_id: &str) -> Result<Option<Site>, StoreError> {
    let Ok(id) = SiteId::parse(site_id) else {
        return Ok(None);
    };
    match state.store.get_site(&id).await {
        Ok(site) => Ok(Some(site)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Whether a participant of `site` has this phone number.
pub(super) async fn is_registered(
    state: &AppState,
    site: &Site,
    phone: &PhoneNumber,
) -> Result<bool, StoreError> {
    let participants = state.store.list_participants(&site.id).await?;
    Ok(participants.iter().any(|p| &p.phone == phone))
}

fn site_not_found() -> Response {
    let page = notice_page(
        "We don't know this charging site",
        &["Check the link or scan the code at the charger again."],
        None,
    );
    (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
}

pub(crate) fn site_busy(join_path: &str) -> Response {
    let page = notice_page(
        "Too many registrations right now",
        &[
            "This site has sent as many codes as we allow in one hour.",
            "Please try again in an hour.",
        ],
        Some(join_path),
    );
    (StatusCode::TOO_MANY_REQUESTS, Html(page.into_string())).into_response()
}

pub(crate) fn rate_limited(join_path: &str) -> Response {
    let page = notice_page(
        "Too many codes requested",
        &[
            "This number has asked for as many codes as we allow in one hour.",
            "Please wait an hour, then try again.",
        ],
        Some(join_path),
    );
    (StatusCode::TOO_MANY_REQUESTS, Html(page.into_string())).into_response()
}
