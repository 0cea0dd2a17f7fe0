//! The contact flow's handlers: the message form, texting the code, and checking it before
//! the relay opens the thread.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::{Country, MemberId, SiteId};
use chargeplan_store::StoreError;
use serde::Deserialize;

use super::MAX_MESSAGE_CHARS;
use super::render::{CODE, MESSAGE, PHONE, code_page, message_page, notice_page, sent_page};
use crate::AppState;
use crate::driver_page::FormErrors;
use crate::join::CODE_TTL_MINUTES;
use crate::join::flow::{self, CodeCheck, CodeRequest, CodeScope};

/// Where codes for IDs that match no member are counted (no site to count them at).
const UNKNOWN_MEMBER_BUCKET: &str = "relay-contact";

#[derive(Debug, Default, Deserialize)]
pub(super) struct MessageForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    phone: String,
    /// "1" when the driver also asked to join the waitlist.
    #[serde(default)]
    waitlist: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    verification: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    waitlist: Option<String>,
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
        false,
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
    let country = member_country(&state, &member).await;
    let phone = flow::parse_phone(&form.phone, country).map_err(|m| errors.insert(PHONE, m));
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
            form.waitlist.is_some(),
            &errors,
        );
        return (StatusCode::UNPROCESSABLE_ENTITY, Html(page.into_string())).into_response();
    };
    let scope = match code_scope(&state, &member).await {
        Ok(scope) => scope,
        Err(error) => return crate::join::failure(&error),
    };
    let body = |typed: &str| {
        format!(
            "Your code to send your message to the owner of {member} is {typed}. It expires in {CODE_TTL_MINUTES} minutes."
        )
    };
    let id = match flow::send_code(&state, &scope, &phone, body, false).await {
        Ok(CodeRequest::Sent { id }) => id,
        Ok(CodeRequest::SiteLimit) => {
            return too_many("This car's site has sent as many codes as we allow in one hour.");
        }
        Ok(CodeRequest::NumberLimit) => {
            return too_many("This number has asked for as many codes as we allow in one hour.");
        }
        Err(error) => return crate::join::failure(&error),
    };
    let page = code_page(
        &member,
        &id,
        &phone.masked(),
        &form.message,
        form.waitlist.is_some(),
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
            form.waitlist.is_some(),
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
            let now = state.wall_clock.now();
            let why = flow::closed_sentence(&verification, now)
                .unwrap_or("This code can no longer be used.");
            return start_again(StatusCode::GONE, why, &again);
        }
        Err(error) => return crate::join::failure(&error),
    };
    if let Err(error) = flow::mark_used(&state, &verification, state.wall_clock.now()).await {
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
            None => {
                let waitlist = if form.waitlist.is_some() {
                    Some(join_waitlist(&state, &member, &verification.phone).await)
                } else {
                    None
                };
                Html(sent_page(&member, outcome.code, waitlist).into_string()).into_response()
            }
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

/// Puts the verified phone on the waitlist of the member's site, and says so the same way
/// whether or not the ID is a member's (so the page tells nothing about IDs): the place in
/// line comes by text.
async fn join_waitlist(
    state: &AppState,
    member: &MemberId,
    phone: &chargeplan_core::PhoneNumber,
) -> &'static str {
    let joined = match state.store.find_participant_by_member_id(member).await {
        Ok(Some(owner)) => chargeplan_control::waitlist::join_from_web(
            state.store.as_ref(),
            state.clock.as_ref(),
            &owner.site_id,
            phone,
        )
        .await
        .map(|_| ()),
        Ok(None) => Ok(()),
        Err(error) => Err(error.into()),
    };
    match joined {
        Ok(()) => JOINED_WAITLIST,
        Err(error) => {
            tracing::error!(error = %error, "could not join the waitlist from the contact page");
            "Your message was sent, but we could not put you on the waitlist just now: please join \
             it from the garage's board."
        }
    }
}

/// What the sent page says after a waitlist join, the same for every ID.
const JOINED_WAITLIST: &str = "If this garage keeps a waitlist, you are on it: we text you your place in line, and when      a charger frees you get it first. Text LEAVE to leave the list.";

/// Where the code's limits apply: the member's site, or one bucket for unknown IDs (whose
/// texts belong to no site).
/// The country of the site of `member`'s owner, whose numbers the waiting driver most likely
/// has; the default country when the member is unknown or the store cannot say.
async fn member_country(state: &AppState, member: &MemberId) -> Country {
    let site = match state.store.find_participant_by_member_id(member).await {
        Ok(Some(owner)) => state.store.get_site(&owner.site_id).await.ok(),
        _ => None,
    };
    site.map_or_else(Country::default, |site| site.country)
}

async fn code_scope(state: &AppState, member: &MemberId) -> Result<CodeScope, StoreError> {
    let owner = state.store.find_participant_by_member_id(member).await?;
    Ok(match owner {
        Some(owner) => CodeScope {
            limits: owner.site_id.clone(),
            outbox_site: Some(owner.site_id),
        },
        None => CodeScope {
            limits: SiteId::parse(UNKNOWN_MEMBER_BUCKET).map_err(StoreError::Invalid)?,
            outbox_site: None,
        },
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
