//! `[driver]`, `[sms]` and `[api]` settings: drivers' links and re-planning pace, the SMS
//! provider and the number printed on stickers, and the operator API's admin token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use chargeplan_control::ControlConfig;
use chargeplan_control::arrivals::{ArrivalHeadroom, BadHeadroom};
use chargeplan_core::PhoneNumber;
use chargeplan_sms::{Sender, TWILIO_API_BASE, TwilioConfig};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::settings::{SettingsError, invalid, lookup, parse_seconds};

/// `[driver]`: what drivers see and how often sites are re-planned.
#[derive(Debug, Clone)]
pub struct DriverSettings {
    /// Base URL of the links in texts (and of Twilio's webhooks); `None`: `http://` + listen.
    pub public_url: Option<String>,
    /// How long a link keeps working after its session ended.
    pub link_grace: Duration,
    /// Every site is re-planned at least this often.
    pub replan_interval: Duration,
    /// How often a site's worker looks for new events (not a setting; replays shorten it).
    pub event_poll: Duration,
    /// What every circuit's plan keeps free for cars arriving before their first limit.
    pub arrival_headroom: ArrivalHeadroom,
}

/// `[sms]`: which provider delivers texts.
#[derive(Debug, Clone)]
pub enum SmsSettings {
    /// Texts are printed in the server's output (trying it out); with `page`, also shown on
    /// `/dev/sms`, where replies can be typed — a page with every number and link on it, so
    /// only for a server on your own machine (the demo turns it on).
    Console { page: bool },
    /// Texts go through Twilio's Messages API; webhooks are signed with the auth token.
    Twilio(TwilioConfig),
    /// Texts are accepted and dropped without a trace (`replay`); not reachable from the
    /// configuration.
    Discard,
}

impl DriverSettings {
    pub(crate) fn from_values(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let get = |key: &'static str| lookup(values, key);
        Ok(Self {
            public_url: parse_url("driver.public_url", get("driver.public_url")?)?,
            link_grace: parse_seconds("driver.link_grace_s", get("driver.link_grace_s")?, 0)?,
            replan_interval: parse_seconds(
                "driver.replan_interval_s",
                get("driver.replan_interval_s")?,
                10,
            )?,
            event_poll: Duration::from_secs(1),
            arrival_headroom: get("driver.arrival_headroom")?
                .parse()
                .map_err(|e: BadHeadroom| invalid("driver.arrival_headroom", e))?,
        })
    }

    /// The base URL of drivers' links, falling back to the listen address.
    pub fn public_url_for(&self, listen: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"))
    }

    /// The control loop's configuration.
    pub fn control_config(&self, listen: SocketAddr) -> ControlConfig {
        let seconds = |d: Duration| {
            chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::minutes(5))
        };
        ControlConfig {
            public_url: self.public_url_for(listen),
            link_grace: seconds(self.link_grace),
            tick: seconds(self.replan_interval),
            event_poll: seconds(self.event_poll),
            arrival_headroom: self.arrival_headroom,
            ..ControlConfig::default()
        }
    }
}

impl SmsSettings {
    pub(crate) fn from_values(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let get = |key: &'static str| lookup(values, key);
        match get("sms.provider")?.trim().to_ascii_lowercase().as_str() {
            "console" => Ok(Self::Console {
                page: parse_bool("sms.console_page", get("sms.console_page")?)?,
            }),
            "twilio" => {
                let required = |key: &'static str| -> Result<String, SettingsError> {
                    let value = get(key)?.trim();
                    if value.is_empty() {
                        Err(invalid(key, "must be set when sms.provider is \"twilio\""))
                    } else {
                        Ok(value.to_owned())
                    }
                };
                let account_sid = required("sms.twilio_account_sid")?;
                if !account_sid.starts_with("AC") {
                    return Err(invalid("sms.twilio_account_sid", "must start with AC"));
                }
                let auth_token = SecretString::from(required("sms.twilio_auth_token")?);
                let from = get("sms.twilio_from")?.trim();
                let service = get("sms.twilio_messaging_service_sid")?.trim();
                let sender = match (from.is_empty(), service.is_empty()) {
                    (false, true) => Sender::From(from.to_owned()),
                    (true, false) => Sender::MessagingService(service.to_owned()),
                    _ => {
                        return Err(invalid(
                            "sms.twilio_from",
                            "set exactly one of sms.twilio_from (an E.164 number) and \
                             sms.twilio_messaging_service_sid (MG...)",
                        ));
                    }
                };
                let api_base = parse_url("sms.twilio_api_base", get("sms.twilio_api_base")?)?
                    .unwrap_or_else(|| TWILIO_API_BASE.to_owned());
                Ok(Self::Twilio(TwilioConfig {
                    api_base,
                    account_sid,
                    auth_token,
                    sender,
                    status_callback_url: None,
                }))
            }
            other => Err(invalid(
                "sms.provider",
                format_args!("{other:?} is not \"console\" or \"twilio\""),
            )),
        }
    }
}

/// `sms.public_number`: an international number (spaces and dashes allowed), or empty for
/// `sms.twilio_from` when Twilio sends from one phone number (not from a short code or an
/// alphanumeric sender, which cannot be texted back from every phone), else none.
pub(crate) fn parse_public_number(
    text: &str,
    sms: &SmsSettings,
) -> Result<Option<PhoneNumber>, SettingsError> {
    let text = text.trim();
    if !text.is_empty() {
        return PhoneNumber::parse(text).map(Some).map_err(|_| {
            invalid(
                "sms.public_number",
                format_args!(
                    "{text:?} is not a phone number in international format (E.164), e.g. +15550100100"
                ),
            )
        });
    }
    match sms {
        SmsSettings::Twilio(TwilioConfig {
            sender: Sender::From(from),
            ..
        }) => Ok(PhoneNumber::parse(from).ok()),
        _ => Ok(None),
    }
}

fn parse_bool(key: &'static str, text: &str) -> Result<bool, SettingsError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(invalid(key, format_args!("{text:?} is not true or false"))),
    }
}

fn parse_url(key: &'static str, text: &str) -> Result<Option<String>, SettingsError> {
    let trimmed = text.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    match reqwest::Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(Some(trimmed.to_owned()))
        }
        _ => Err(invalid(
            key,
            format_args!(
                "{text:?} is not an http(s) URL (expected e.g. https://charging.example.com)"
            ),
        )),
    }
}

/// Shortest accepted admin token: it guards every site.
const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// `[api]`: the operator API.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The admin token operators present as `Authorization: Bearer ...`; `None`: API off.
    pub admin_token: Option<SecretString>,
}

impl ApiSettings {
    pub(crate) fn from_values(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let token = lookup(values, "api.admin_token")?.trim();
        if token.is_empty() {
            return Ok(Self { admin_token: None });
        }
        if token.chars().count() < MIN_ADMIN_TOKEN_CHARS {
            return Err(invalid(
                "api.admin_token",
                format_args!(
                    "must have at least {MIN_ADMIN_TOKEN_CHARS} characters (the value is not shown), \
                     e.g. from `openssl rand -hex 32`"
                ),
            ));
        }
        Ok(Self {
            admin_token: Some(SecretString::from(token.to_owned())),
        })
    }

    /// What the web layer compares presented tokens against.
    pub fn admin_token_hash(&self) -> Option<String> {
        self.admin_token.as_ref().map(|token| {
            Sha256::digest(token.expose_secret().as_bytes())
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect()
        })
    }
}
