//! `GET|POST /join/verify/{id}`: the code form, and registering the participant once the
//! right code is entered.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::{MemberId, Participant, ParticipantId, Site};
use chargeplan_store::{PhoneVerification, StoreError, register_participant};
use chrono::{DateTime, Utc};

use super::code::Closed;
use super::flow::{self, CodeCheck};
use super::form::{CODE, CodeForm, Vehicle};
use super::register::is_registered;
use super::render::{code_page, notice_page, registered_page};
use super::{failure, join_path};
use crate::AppState;
use crate::driver_page::FormErrors;

pub(super) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(carried): Query<CodeForm>,
) -> Response {
    let (verification, site) = match load(&state, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(error) => return failure(&error),
    };
    let join = join_path(site.id.as_str());
    if let Some(closed) = Closed::check(&verification, state.wall_clock.now()) {
        return start_again(StatusCode::GONE, closed.sentence(), &join);
    }
    let page = code_page(
        &site.name,
        &format!("/join/verify/{id}"),
        &verification.phone.masked(),
        &carried,
        &FormErrors::new(),
        &join,
    );
    Html(page.into_string()).into_response()
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<CodeForm>,
) -> Response {
    let (verification, site) = match load(&state, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(error) => return failure(&error),
    };
    let now = state.wall_clock.now();
    let join = join_path(site.id.as_str());
    if let Some(closed) = flow::closed_sentence(&verification, now) {
        return start_again(StatusCode::GONE, closed, &join);
    }
    let Ok(vehicle) = form.vehicle() else {
        return start_again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your card or vehicle details did not come through.",
            &join,
        );
    };
    let wrong = |message: String| {
        let mut errors = FormErrors::new();
        errors.insert(CODE, message);
        let page = code_page(
            &site.name,
            &format!("/join/verify/{id}"),
            &verification.phone.masked(),
            &form,
            &errors,
            &join,
        );
        (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response()
    };
    let verification = match flow::check_code(&state, &verification, &form.code).await {
        Ok(CodeCheck::Right(verification)) => verification,
        Ok(CodeCheck::Malformed) => {
            return wrong("Enter the 6-digit code from our text message.".to_owned());
        }
        Ok(CodeCheck::Wrong { left }) => {
            return match flow::wrong_sentence(left) {
                Some(sentence) => wrong(sentence),
                None => start_again(StatusCode::GONE, flow::locked_sentence(), &join),
            };
        }
        Ok(CodeCheck::Closed(closed)) => {
            return start_again(StatusCode::GONE, closed.sentence(), &join);
        }
        Err(error) => return failure(&error),
    };
    let response = register(&state, &site, &verification, vehicle, now, &join).await;
    if response.status().is_success()
        && let Err(error) = flow::mark_used(&state, &verification, now).await
    {
        // The participant exists; a second use of this code would only hit the
        // phone-number conflict, so the driver is told they are registered.
        tracing::warn!(error = %error, "could not mark a phone verification used");
    }
    response
}

/// Inserts the participant, or explains why not.
async fn register(
    state: &AppState,
    site: &Site,
    verification: &PhoneVerification,
    vehicle: Vehicle,
    now: DateTime<Utc>,
    join: &str,
) -> Response {
    for token in &vehicle.tokens {
        match state.store.find_participant_by_token(&site.id, token).await {
            Ok(None) => {}
            Ok(Some(_)) => {
                let sentence = format!(
                    "The card or app number {} is registered to someone else at {}.",
                    token.as_str(),
                    site.name
                );
                return conflict(
                    &[
                        &sentence,
                        "Check the number, or ask the site's operator for help.",
                    ],
                    join,
                );
            }
            Err(error) => return failure(&error),
        }
    }
    let participant = match Participant::new(
        ParticipantId::generate(),
        MemberId::generate(&mut rand::rng()),
        site.id.clone(),
        verification.phone.clone(),
        vehicle.tokens,
        vehicle.wh_per_mile,
        now,
    ) {
        Ok(participant) => participant,
        Err(_) => {
            let sentence = "Your card or vehicle details did not come through.";
            return start_again(StatusCode::UNPROCESSABLE_ENTITY, sentence, join);
        }
    };
    match is_registered(state, site, &participant.phone).await {
        // Only whoever holds the phone could enter the code, so naming the reason is safe.
        Ok(true) => {
            return conflict(
                &["This number is already registered here. Plug in and we'll text you."],
                join,
            );
        }
        Ok(false) => {}
        Err(error) => return failure(&error),
    }
    match register_participant(state.store.as_ref(), participant).await {
        Ok(stored) => {
            Html(registered_page(&site.name, &stored.member_id).into_string()).into_response()
        }
        Err(StoreError::Conflict(_)) => conflict(
            &["Someone registered this number or one of these cards a moment ago."],
            join,
        ),
        Err(error) => failure(&error),
    }
}

/// The verification and its site, or `None` when the id is malformed or unknown.
async fn load(state: &AppState, id: &str) -> Result<Option<(PhoneVerification, Site)>, StoreError> {
    let Some(verification) = flow::find(state, id).await? else {
        return Ok(None);
    };
    let site = state.store.get_site(&verification.site_id).await?;
    Ok(Some((verification, site)))
}

fn not_found() -> Response {
    let page = notice_page(
        "This link is no longer valid",
        &["Open the registration link or scan the code at the charger again."],
        None,
    );
    (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
}

fn start_again(status: StatusCode, why: &str, join: &str) -> Response {
    let page = notice_page(
        "Please start again",
        &[why, "Start again to get a new code."],
        Some(join),
    );
    (status, Html(page.into_string())).into_response()
}

fn conflict(sentences: &[&str], join: &str) -> Response {
    let page = notice_page("We could not register you", sentences, Some(join));
    (StatusCode::CONFLICT, Html(page.into_string())).into_response()
}
