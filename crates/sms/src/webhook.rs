//! Twilio's webhooks: inbound texts and delivery status callbacks, each checked against its
//! X-Twilio-Signature before anything is read from it, and handled once (see `dedup`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chargeplan_core::{Clock, PhoneNumber};
use chargeplan_store::prelude::*;
use chargeplan_store::{SuppressionReason, WebhookKind};
use secrecy::{ExposeSecret, SecretString};

use crate::dedup::status_key;
use crate::inbound::InboundSms;
use crate::respond::{InboundHandler, respond_to_inbound};
use crate::signature::{SIGNATURE_HEADER, verify_twilio_signature};
use crate::twilio::{ERROR_INVALID_TO, ERROR_NOT_SMS_CAPABLE, ERROR_OPTED_OUT};
use crate::twiml::twiml_reply;

/// Where Twilio posts inbound texts (configure it on the number or Messaging Service).
pub const INBOUND_PATH: &str = "/sms/twilio/inbound";
/// Where Twilio posts delivery status updates (the `StatusCallback` we send).
pub const STATUS_PATH: &str = "/sms/twilio/status";

/// What the webhook routes need.
#[derive(Debug, Clone)]
pub struct TwilioWebhookState {
    /// Signing key of the requests (the primary auth token).
    pub auth_token: SecretString,
    /// Our base URL as Twilio calls it, e.g. `https://sms.example.com`. The signed URL is this
    /// plus the request's path and query; the `Host` header is never used, as proxies rewrite it.
    pub public_url: String,
    /// Holds the suppression list and the receipts of webhooks already handled.
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// Answers texts that are not STOP/START/HELP.
    pub handler: Arc<dyn InboundHandler>,
}

/// The inbound and status-callback routes at [`INBOUND_PATH`] and [`STATUS_PATH`].
pub fn twilio_router(state: TwilioWebhookState) -> Router {
    Router::new()
        .route(INBOUND_PATH, post(inbound))
        .route(STATUS_PATH, post(status))
        .with_state(state)
}

/// The form parameters of the request, when Twilio signed them; `None` otherwise.
fn verified_params(
    state: &TwilioWebhookState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Vec<(String, String)>> {
    let signature = headers.get(SIGNATURE_HEADER)?.to_str().ok()?;
    let params: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let url = format!("{}{path_and_query}", state.public_url.trim_end_matches('/'));
    verify_twilio_signature(
        state.auth_token.expose_secret(),
        &url,
        &params,
        Some(signature),
    )
    .then_some(params)
}

fn forbidden(route: &'static str) -> Response {
    tracing::warn!(
        sms.route = route,
        "refused a Twilio webhook without a valid signature"
    );
    (StatusCode::FORBIDDEN, "invalid X-Twilio-Signature").into_response()
}

fn twiml(reply: Option<&str>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        twiml_reply(reply),
    )
        .into_response()
}

/// Claims the webhook's receipt: `Ok(true)` to handle it, `Ok(false)` for a duplicate (logged).
async fn claim(
    state: &TwilioWebhookState,
    kind: WebhookKind,
    key: &str,
    message_sid: &str,
) -> Result<bool, chargeplan_store::StoreError> {
    let first = state
        .store
        .claim_webhook(kind, key, state.clock.now())
        .await?;
    if !first {
        tracing::info!(
            sms.route = kind.as_str(),
            sms.sid = message_sid,
            "ignored a replayed Twilio webhook"
        );
    }
    Ok(first)
}

/// Releases the receipt of a webhook whose handling failed, so that Twilio's retry is handled.
async fn release(state: &TwilioWebhookState, kind: WebhookKind, key: &str) {
    if let Err(error) = state.store.release_webhook(kind, key).await {
        tracing::error!(error = %error, sms.route = kind.as_str(), "could not release a webhook receipt");
    }
}

async fn inbound(
    State(state): State<TwilioWebhookState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(params) = verified_params(&state, &uri, &headers, &body) else {
        return forbidden("inbound");
    };
    let sms = match InboundSms::from_params(&params) {
        Ok(sms) => sms,
        Err(error) => {
            tracing::warn!(error = %error, "unreadable inbound text");
            return (StatusCode::BAD_REQUEST, error.to_string()).into_response();
        }
    };
    let sid = &sms.message_sid;
    match claim(&state, WebhookKind::Inbound, sid, sid).await {
        Ok(true) => {}
        Ok(false) => return twiml(None),
        Err(error) => {
            tracing::error!(error = %error, sms.sid = %sid, "could not handle an inbound text");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    match respond_to_inbound(&*state.store, &*state.clock, &*state.handler, &sms).await {
        Ok(reply) => twiml(reply.as_deref()),
        Err(error) => {
            tracing::error!(error = %error, sms.sid = %sid, "could not handle an inbound text");
            release(&state, WebhookKind::Inbound, sid).await;
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn status(
    State(state): State<TwilioWebhookState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(params) = verified_params(&state, &uri, &headers, &body) else {
        return forbidden("status");
    };
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(sid) = get("MessageSid")
        .or_else(|| get("SmsSid"))
        .filter(|sid| !sid.is_empty())
    else {
        tracing::warn!("a status callback without a MessageSid");
        return (
            StatusCode::BAD_REQUEST,
            "the status callback has no MessageSid parameter",
        )
            .into_response();
    };
    let status = get("MessageStatus").or_else(|| get("SmsStatus"));
    let key = status_key(sid, status.unwrap_or_default());
    match claim(&state, WebhookKind::Status, &key, sid).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            tracing::error!(error = %error, sms.sid = sid, "could not handle a status callback");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let error_code = get("ErrorCode").and_then(|c| c.trim().parse::<u32>().ok());
    let reason = match (status, error_code) {
        (Some("failed" | "undelivered"), Some(ERROR_OPTED_OUT)) => SuppressionReason::OptedOut,
        (Some("failed" | "undelivered"), Some(ERROR_INVALID_TO | ERROR_NOT_SMS_CAPABLE)) => {
            SuppressionReason::InvalidNumber
        }
        _ => return StatusCode::NO_CONTENT.into_response(),
    };
    let Some(to) = get("To").and_then(|to| PhoneNumber::parse(to).ok()) else {
        tracing::warn!("a failed-delivery callback without a usable To");
        return StatusCode::NO_CONTENT.into_response();
    };
    match state
        .store
        .suppress_number(&to, reason, state.clock.now())
        .await
    {
        Ok(()) => {
            tracing::info!(
                sms.sid = sid,
                sms.error_code = error_code,
                "number suppressed after a failed delivery"
            );
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => {
            tracing::error!(error = %error, "could not record a failed delivery");
            release(&state, WebhookKind::Status, &key).await;
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
