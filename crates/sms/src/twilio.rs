//! The Twilio adapter: sends through the Programmable Messaging API (`Messages.json`) and
//! sorts Twilio's errors into [`SendError`]s.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::gateway::{OutgoingSms, SendError, SentSms, SmsGateway, redact_numbers};

/// Where Twilio's REST API lives.
pub const TWILIO_API_BASE: &str = "https://api.twilio.com";

/// Who a message is sent from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// One of our Twilio numbers, E.164 (`From`).
    From(String),
    /// A Messaging Service (`MG…`), which picks the number and shares opt-outs across them.
    MessagingService(String),
}

/// How to reach our Twilio account.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// The API's base URL: [`TWILIO_API_BASE`], or a fake's in tests.
    pub api_base: String,
    /// `AC…`; also the Basic-auth user name.
    pub account_sid: String,
    /// The primary auth token: Basic-auth password and webhook signing key.
    pub auth_token: SecretString,
    pub sender: Sender,
    /// Where Twilio posts delivery status updates (our status-callback route), if anywhere.
    pub status_callback_url: Option<String>,
}

impl TwilioConfig {
    /// A configuration for Twilio's real API without status callbacks.
    pub fn new(account_sid: impl Into<String>, auth_token: SecretString, sender: Sender) -> Self {
        Self {
            api_base: TWILIO_API_BASE.to_owned(),
            account_sid: account_sid.into(),
            auth_token,
            sender,
            status_callback_url: None,
        }
    }
}

/// Sends texts through Twilio's Messages API.
///
/// Twilio offers no idempotency key for creating a message, so `idempotency_key` is not sent:
/// a message Twilio accepted just before a crash is sent again when its outbox lease expires.
#[derive(Debug, Clone)]
pub struct TwilioGateway {
    config: TwilioConfig,
    /// Shared connection pool; its timeouts bound every send.
    http: reqwest::Client,
}

impl TwilioGateway {
    pub fn new(config: TwilioConfig, http: reqwest::Client) -> Self {
        Self { config, http }
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.api_base.trim_end_matches('/'),
            self.config.account_sid
        )
    }
}

/// Twilio's 201 answer; only the id matters to us.
#[derive(Deserialize)]
struct Created {
    sid: String,
}

/// Twilio's error body: `{"code":21211,"message":"…","more_info":"…","status":400}`.
#[derive(Deserialize)]
struct TwilioError {
    code: Option<u32>,
    message: Option<String>,
}

/// Recipient replied STOP to this sender.
pub const ERROR_OPTED_OUT: u32 = 21610;
/// The `To` number is not a valid phone number.
pub const ERROR_INVALID_TO: u32 = 21211;
/// The `To` number cannot receive text messages.
pub const ERROR_NOT_SMS_CAPABLE: u32 = 21614;
/// Too many requests.
pub const ERROR_RATE_LIMITED: u32 = 20429;

#[async_trait]
impl SmsGateway for TwilioGateway {
    async fn send(&self, message: &OutgoingSms) -> Result<SentSms, SendError> {
        let mut form: Vec<(&str, &str)> = vec![("To", message.to.as_e164())];
        match &self.config.sender {
            Sender::From(number) => form.push(("From", number)),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid)),
        }
        form.push(("Body", &message.body));
        if let Some(url) = &self.config.status_callback_url {
            form.push(("StatusCallback", url));
        }
        let response = self
            .http
            .post(self.messages_url())
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose_secret()),
            )
            .form(&form)
            .send()
            .await
            .map_err(|e| SendError::Transient(describe_transport_error(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| SendError::Transient(describe_transport_error(&e)))?;
        if status.is_success() {
            return match serde_json::from_slice::<Created>(&body) {
                Ok(created) => Ok(SentSms {
                    provider_id: created.sid,
                }),
                Err(_) => {
                    // Twilio took the message; failing here would send it twice.
                    tracing::warn!(
                        http.status = status.as_u16(),
                        "Twilio accepted a message but its answer had no sid"
                    );
                    Ok(SentSms {
                        provider_id: "unknown".to_owned(),
                    })
                }
            };
        }
        Err(classify_failure(status, &headers, &body))
    }
}

/// The [`SendError`] for a non-2xx answer from Twilio.
fn classify_failure(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> SendError {
    let error = serde_json::from_slice::<TwilioError>(body).ok();
    let code = error.as_ref().and_then(|e| e.code);
    let message = error
        .and_then(|e| e.message)
        .map(|m| redact_numbers(&m))
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
    match code {
        Some(ERROR_OPTED_OUT) => return SendError::OptedOut,
        Some(ERROR_INVALID_TO | ERROR_NOT_SMS_CAPABLE) => return SendError::InvalidNumber,
        Some(ERROR_RATE_LIMITED) => {
            return SendError::RateLimited {
                retry_after: retry_after(headers),
            };
        }
        _ => {}
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        SendError::RateLimited {
            retry_after: retry_after(headers),
        }
    } else if status.is_client_error() {
        SendError::Rejected { code, message }
    } else {
        SendError::Transient(match code {
            Some(code) => format!("HTTP {} (error {code}): {message}", status.as_u16()),
            None => format!("HTTP {}", status.as_u16()),
        })
    }
}

/// `Retry-After` in seconds (Twilio sends seconds; an HTTP date is not honoured).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// What went wrong on the way to Twilio, without the URL (it holds the account sid).
fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "could not read the answer"
    } else {
        "request failed"
    };
    format!("Twilio {kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16, body: &str, retry: Option<&str>) -> SendError {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry {
            headers.insert(RETRY_AFTER, value.parse().unwrap());
        }
        classify_failure(
            StatusCode::from_u16(status).unwrap(),
            &headers,
            body.as_bytes(),
        )
    }

    #[test]
    fn twilio_error_codes_are_sorted_by_what_to_do() {
        let body = |code: u32| format!(r#"{{"code":{code},"message":"m","status":400}}"#);
        assert_eq!(failure(400, &body(21610), None), SendError::OptedOut);
        assert_eq!(failure(400, &body(21211), None), SendError::InvalidNumber);
        assert_eq!(failure(400, &body(21614), None), SendError::InvalidNumber);
        assert_eq!(
            failure(400, &body(21606), None),
            SendError::Rejected {
                code: Some(21606),
                message: "m".into()
            }
        );
        assert!(matches!(
            failure(503, "<html>", None),
            SendError::Transient(m) if m == "HTTP 503"
        ));
    }

    #[test]
    fn rate_limits_carry_retry_after_in_seconds() {
        assert_eq!(
            failure(
                429,
                r#"{"code":20429,"message":"Too Many Requests"}"#,
                Some("7")
            ),
            SendError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            failure(429, "", Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            SendError::RateLimited { retry_after: None }
        );
    }

    #[test]
    fn rejection_messages_do_not_quote_the_number() {
        let error = failure(
            400,
            r#"{"code":21612,"message":"The 'To' number +15005550009 is not reachable"}"#,
            None,
        );
        assert!(!error.to_string().contains("5005550009"), "{error}");
    }
}
