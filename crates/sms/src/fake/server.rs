//! The fake's Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json`, as strict as
//! Twilio about Basic auth and the form fields.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;
use tokio::sync::Notify;

use super::{FakeMessage, fake_sid};

/// How sends to one number fail.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    pub(super) status: u16,
    pub(super) code: u32,
    /// Failures left; `None` fails for good.
    pub(super) remaining: Option<u32>,
}

#[derive(Debug, Default)]
pub(super) struct Recorded {
    pub(super) sent: Vec<FakeMessage>,
    pub(super) failures: HashMap<String, Failure>,
    /// Every create request, accepted or not.
    pub(super) requests: u32,
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) account_sid: String,
    pub(super) auth_token: String,
    pub(super) recorded: Mutex<Recorded>,
    /// Signalled whenever a message is accepted.
    pub(super) accepted: Notify,
}

impl Shared {
    pub(super) fn recorded(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.recorded.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The Messages API of one account.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/2010-04-01/Accounts/{account_sid}/Messages.json",
            post(create_message),
        )
        .with_state(shared)
}

fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

fn authorized(shared: &Shared, path_sid: &str, headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Some(decoded) = BASE64
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return false;
    };
    let expected = format!("{}:{}", shared.account_sid, shared.auth_token);
    decoded == expected && path_sid == shared.account_sid
}

fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(account_sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.recorded().requests += 1;
    if !authorized(&shared, &account_sid, &headers) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return twilio_error(StatusCode::BAD_REQUEST, 20001, "Could not parse the form");
    };
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let Some(to) = field("To") else {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' phone number is required.",
        );
    };
    if !is_e164(&to) {
        let message = format!("The 'To' number {to} is not a valid phone number.");
        return twilio_error(StatusCode::BAD_REQUEST, 21211, &message);
    }
    let (from, service) = (field("From"), field("MessagingServiceSid"));
    if from.is_some() == service.is_some() {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21603,
            "Exactly one of 'From' or 'MessagingServiceSid' is required.",
        );
    }
    let Some(text) = field("Body") else {
        return twilio_error(StatusCode::BAD_REQUEST, 21602, "Message body is required.");
    };
    let failure = match shared.recorded().failures.get_mut(&to) {
        Some(failure) if failure.remaining != Some(0) => {
            if let Some(left) = &mut failure.remaining {
                *left -= 1;
            }
            Some(failure.clone())
        }
        _ => None,
    };
    if let Some(failure) = failure {
        let status = StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST);
        return twilio_error(status, failure.code, "Failed as configured in the fake");
    }
    let message = FakeMessage {
        sid: fake_sid("SM"),
        to,
        from,
        messaging_service_sid: service,
        body: text,
        status_callback: field("StatusCallback"),
    };
    let answer = created_json(&shared.account_sid, &message);
    shared.recorded().sent.push(message);
    shared.accepted.notify_waiters();
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

/// Twilio's 201 body for a created message.
fn created_json(account_sid: &str, message: &FakeMessage) -> serde_json::Value {
    let now = chrono::Utc::now().to_rfc2822();
    let uri = format!(
        "/2010-04-01/Accounts/{account_sid}/Messages/{}.json",
        message.sid
    );
    json!({
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": message.body,
        "date_created": now,
        "date_sent": null,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": message.from,
        "messaging_service_sid": message.messaging_service_sid,
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": message.sid,
        "status": if message.messaging_service_sid.is_some() { "accepted" } else { "queued" },
        "subresource_uris": { "media": uri.replace(".json", "/Media.json") },
        "to": message.to,
        "uri": uri,
    })
}
