//! Joining the waitlist from the board: `POST /sites/{site_id}/board/waitlist` takes a phone
//! number and texts a one-time code (self-registration's flow: the same code, hash, expiry,
//! attempt limit and hourly limits); `GET|POST /sites/{site_id}/board/waitlist/{id}` takes the
//! code and joins. The answer (place in line, estimated wait) is shown and texted. Numbers and
//! codes are never logged; the code page shows the number masked.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chargeplan_control::waitlist::{self as line, texts};
use chargeplan_core::Site;
use chargeplan_store::{PhoneVerification, StoreError};
use serde::Deserialize;

use super::{board_path, board_site, not_found, render};
use crate::AppState;
use crate::join::failure;
use crate::join::flow::{self, CodeCheck, CodeRequest};

/// The phone form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PhoneForm {
    #[serde(default)]
    phone: String,
}

/// The code form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(super) async fn submit_phone(
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    Form(form): Form<PhoneForm>,
) -> Response {
    let site = match board_site(&state, &site_id).await {
        Ok(Some(site)) => site,
        Ok(None) => return not_found(),
        Err(error) => return failure(&error),
    };
    let board = board_path(&site.id);
    let action = format!("{board}/waitlist");
    let phone = match flow::parse_phone(&form.phone, site.country) {
        Ok(phone) => phone,
        Err(message) => {
            let page = render::phone_page(
                &site.name,
                &action,
                &form.phone,
                &message,
                &board,
                &flow::phone_hint(site.country),
            );
            return (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response();
        }
    };
    let body = |code: &str| texts::verification_code(&site.name, code, flow::CODE_MINUTES);
    match flow::send_code(&state, &flow::CodeScope::site(&site), &phone, body, false).await {
        Ok(CodeRequest::Sent { id }) => Redirect::to(&format!("{action}/{id}")).into_response(),
        Ok(CodeRequest::NumberLimit) => crate::join::register::rate_limited(&board),
        Ok(CodeRequest::SiteLimit) => crate::join::register::site_busy(&board),
        Err(error) => failure(&error),
    }
}

pub(super) async fn show_code(
    State(state): State<AppState>,
    Path((site_id, id)): Path<(String, String)>,
) -> Response {
    let (site, verification) = match load(&state, &site_id, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(error) => return failure(&error),
    };
    let board = board_path(&site.id);
    if let Some(closed) = flow::closed_sentence(&verification, state.wall_clock.now()) {
        return start_again(closed, &board);
    }
    let page = render::code_page(
        &site.name,
        &format!("{board}/waitlist/{id}"),
        &verification.phone.masked(),
        flow::CODE_MINUTES,
        None,
    );
    Html(page.into_string()).into_response()
}

pub(super) async fn submit_code(
    State(state): State<AppState>,
    Path((site_id, id)): Path<(String, String)>,
    Form(form): Form<CodeForm>,
) -> Response {
    let (site, verification) = match load(&state, &site_id, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(error) => return failure(&error),
    };
    let board = board_path(&site.id);
    let wrong = |message: &str| {
        let page = render::code_page(
            &site.name,
            &format!("{board}/waitlist/{id}"),
            &verification.phone.masked(),
            flow::CODE_MINUTES,
            Some(message),
        );
        (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response()
    };
    let verification = match flow::check_code(&state, &verification, &form.code).await {
        Ok(CodeCheck::Right(verification)) => verification,
        Ok(CodeCheck::Malformed) => return wrong("Enter the 6-digit code from our text message."),
        Ok(CodeCheck::Wrong { left }) => {
            return match flow::wrong_sentence(left) {
                Some(sentence) => wrong(&sentence),
                None => start_again(flow::locked_sentence(), &board),
            };
        }
        Ok(CodeCheck::Closed(closed)) => return start_again(closed.sentence(), &board),
        Err(error) => return failure(&error),
    };
    let now = state.wall_clock.now();
    if let Err(error) = flow::mark_used(&state, &verification, now).await {
        return failure(&error);
    }
    let reply = line::join_from_web(
        state.store.as_ref(),
        state.clock.as_ref(),
        &site.id,
        &verification.phone,
    )
    .await;
    match reply {
        Ok(reply) => {
            let page = render::notice("You're on the waitlist", &[&reply.text], &board);
            Html(page.into_string()).into_response()
        }
        Err(chargeplan_control::ControlError::Store(error)) => failure(&error),
        Err(other) => failure(&StoreError::Corrupt {
            what: "waitlist",
            reason: other.to_string(),
        }),
    }
}

/// The site (board on) and the verification of that site, or `None`.
async fn load(
    state: &AppState,
    site_id: &str,
    id: &str,
) -> Result<Option<(Site, PhoneVerification)>, StoreError> {
    let Some(site) = board_site(state, site_id).await? else {
        return Ok(None);
    };
    let Some(verification) = flow::find(state, id).await? else {
        return Ok(None);
    };
    Ok((verification.site_id == site.id).then_some((site, verification)))
}

fn start_again(why: &str, board: &str) -> Response {
    let page = render::notice(
        "Please start again",
        &[
            why,
            "Enter your number on the board again to get a new code.",
        ],
        board,
    );
    (StatusCode::GONE, Html(page.into_string())).into_response()
}
