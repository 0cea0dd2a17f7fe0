//! The contact flow's handlers: the message form, texting the code, and checking it before
//! the relay opens the thread.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::{MemberId, SiteId};
use chargeplan_store::{Effects, NewOutboxMessage, PhoneVerification, StoreError};
use chrono::Duration;
use serde::Deserialize;

use super::MAX_MESSAGE_CHARS;
use super::render::{CODE, MESSAGE, PHONE, code_page, message_page, notice_page, sent_page};
use crate::AppState;
use crate::driver_page::FormErrors;
use crate::join::code;
use crate::join::flow::{self, CodeCheck};
use crate::join::{CODE_TTL_MINUTES, MAX_CODES_PER_HOUR, MAX_SITE_CODES_PER_HOUR};

/// Where codes for IDs that match no member are counted (no site to count them at).
const UNKNOWN_MEMBER_BUCKET: &str = "relay-contact";

#[derive(Debug, Default, Deserialize)]
pub(super) struct MessageForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    phone: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    verification: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

pub(super) async fn show(State(state): State<AppState>, Path(member): Path<String>) -> Response {
    let Ok(member) = MemberId::parse(&member) else {
        return not_a_member_id();
    };
    let page = message_page(
        &member,
        state
            .public_sms_number
            .as_ref()
            .map(|number| number.as_e164()),
        "",
        "",
        &FormErrors::new(),
    );
    Html(page.into_string()).into_response()
}

pub(super) async fn send_code(
    State(state): State<AppState>,
    Path(member): Path<String>,
    Form(form): Form<MessageForm>,
) -> Response {
    let Ok(member) = MemberId::parse(&member) else {
        return not_a_member_id();
    };
    let mut errors = FormErrors::new();
    if form.message.chars().count() > MAX_MESSAGE_CHARS {
        errors.insert(MESSAGE, "Keep the message to 300 characters or fewer.");
    }
    let phone = flow::parse_phone(&form.phone).map_err(|m| errors.insert(PHONE, m));
    let Ok(phone) = phone.and_then(|phone| {
        if errors.is_empty() {
            Ok(phone)
        } else {
            Err(())
        }
    }) else {
        let page = message_page(
            &member,
            state
                .public_sms_number
                .as_ref()
                .map(|number| number.as_e164()),
            &form.message,
            &form.phone,
            &errors,
        );
        return (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response();
    };
    let bucket = match code_bucket(&state, &member).await {
        Ok(bucket) => bucket,
        Err(error) => return crate::join::failure(&error),
    };
    let now = state.clock.now();
    let hour_ago = now - Duration::hours(1);
    match state
        .store
        .count_site_verifications(&bucket, hour_ago)
        .await
    {
        Ok(sent) if sent >= MAX_SITE_CODES_PER_HOUR => {
            return too_many("This car's site has sent as many codes as we allow in one hour.");
        }
        Ok(_) => {}
        Err(error) => return crate::join::failure(&error),
    }
    match state
        .store
        .count_phone_verifications(&bucket, &phone, hour_ago)
        .await
    {
        Ok(sent) if sent >= MAX_CODES_PER_HOUR => {
            return too_many("This number has asked for as many codes as we allow in one hour.");
        }
        Ok(_) => {}
        Err(error) => return crate::join::failure(&error),
    }
    let id = code::new_id();
    let typed = code::new_code();
    let verification = PhoneVerification {
        id: id.clone(),
        site_id: bucket.clone(),
        phone: phone.clone(),
        code_hash: code::code_hash(&id, &typed),
        attempts: 0,
        expires_at: now + Duration::minutes(CODE_TTL_MINUTES),
        created_at: now,
        verified_at: None,
    };
    let effects = Effects {
        events: Vec::new(),
        messages: vec![NewOutboxMessage {
            site_id: (bucket.as_str() != UNKNOWN_MEMBER_BUCKET).then(|| bucket.clone()),
            recipient: phone.clone(),
            body: format!(
                "Your code to send your message to the owner of {member} is {typed}. It expires in {CODE_TTL_MINUTES} minutes."
            ),
            idempotency_key: format!("verify:{id}"),
            not_before: now,
        }],
    };
    if let Err(error) = state
        .store
        .insert_phone_verification(&verification, &effects, now)
        .await
    {
        return crate::join::failure(&error);
    }
    let page = code_page(
        &member,
        &id,
        &phone.masked(),
        &form.message,
        &FormErrors::new(),
    );
    Html(page.into_string()).into_response()
}

pub(super) async fn verify(
    State(state): State<AppState>,
    Path(member): Path<String>,
    Form(form): Form<CodeForm>,
) -> Response {
    let Ok(member) = MemberId::parse(&member) else {
        return not_a_member_id();
    };
    let again = format!("/c/{member}");
    let verification = match flow::find(&state, &form.verification).await {
        Ok(Some(verification)) => verification,
        Ok(None) => {
            return start_again(
                StatusCode::NOT_FOUND,
                "This code form is no longer valid.",
                &again,
            );
        }
        Err(error) => return crate::join::failure(&error),
    };
    let wrong = |message: String| {
        let mut errors = FormErrors::new();
        errors.insert(CODE, message);
        let page = code_page(
            &member,
            &verification.id,
            &verification.phone.masked(),
            &form.message,
            &errors,
        );
        (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response()
    };
    let verification = match flow::check_code(&state, &verification, &form.code).await {
        Ok(CodeCheck::Right(verification)) => verification,
        Ok(CodeCheck::Malformed) => {
            return wrong("Enter the 6-digit code from our text message.".to_owned());
        }
        Ok(CodeCheck::Wrong { left }) => match flow::wrong_sentence(left) {
            Some(sentence) => return wrong(sentence),
            None => return start_again(StatusCode::GONE, flow::locked_sentence(), &again),
        },
        Ok(CodeCheck::Closed(_)) => {
            let now = state.clock.now();
            let why = flow::closed_sentence(&verification, now)
                .unwrap_or("This code can no longer be used.");
            return start_again(StatusCode::GONE, why, &again);
        }
        Err(error) => return crate::join::failure(&error),
    };
    if let Err(error) = flow::mark_used(&state, &verification, state.clock.now()).await {
        return crate::join::failure(&error);
    }
    let message: String = form.message.chars().take(MAX_MESSAGE_CHARS).collect();
    let relay = state.control.relay();
    match relay
        .contact(
            &verification.phone,
            &member,
            message.trim(),
            &format!("web-{}", verification.id),
        )
        .await
    {
        Ok(outcome) => match outcome.answer {
            // A refusal (limits): say why, nothing was sent.
            Some(answer) => {
                let page = notice_page("Your message was not sent", &[&answer], Some(&again));
                (StatusCode::TOO_MANY_REQUESTS, Html(page.into_string())).into_response()
            }
            None => Html(sent_page(&member, outcome.code).into_string()).into_response(),
        },
        Err(error) => {
            tracing::error!(error = %error, "could not open a relay thread from the web");
            let page = notice_page(
                "Something went wrong",
                &["Nothing was sent. Please try again in a minute."],
                Some(&again),
            );
            (StatusCode::INTERNAL_SERVER_ERROR, Html(page.into_string())).into_response()
        }
    }
}

/// The site whose code limits apply: the member's, or one bucket for unknown IDs.
async fn code_bucket(state: &AppState, member: &MemberId) -> Result<SiteId, StoreError> {
    let owner = state.store.find_participant_by_member_id(member).await?;
    Ok(match owner {
        Some(owner) => owner.site_id,
        None => SiteId::parse(UNKNOWN_MEMBER_BUCKET).map_err(StoreError::Invalid)?,
    })
}

fn not_a_member_id() -> Response {
    let page = notice_page(
        "This is not a member ID",
        &["Member IDs have 6 letters and digits, like K7QX2M. Check the sticker and try again."],
        None,
    );
    (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
}

fn too_many(why: &str) -> Response {
    let page = notice_page(
        "Too many codes requested",
        &[why, "Please try again in an hour."],
        None,
    );
    (StatusCode::TOO_MANY_REQUESTS, Html(page.into_string())).into_response()
}

fn start_again(status: StatusCode, why: &str, again: &str) -> Response {
    let page = notice_page(
        "Please start again",
        &[why, "Start again to get a new code."],
        Some(again),
    );
    (status, Html(page.into_string())).into_response()
}
