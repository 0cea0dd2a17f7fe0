//! `[exchange]` settings: how chargeplan introduces itself to vendor clouds and polls them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use chargeplan_control::control_state::RetryPolicy;
use chargeplan_exchange::accounts::OurParty;
use chargeplan_exchange::poller::PollerConfig;
use chargeplan_exchange::service::ExchangeConfig;

use crate::settings::{SettingsError, invalid, lookup, parse_seconds};

/// `[exchange]`: our OCPI identity and the pace of polling.
#[derive(Debug, Clone)]
pub struct ExchangeSettings {
    /// Our base URL as CPOs reach it; `None`: `http://` + the listen address.
    pub public_url: Option<String>,
    /// OCPI country code (2 letters) and party id (3 characters) of this chargeplan.
    pub country_code: String,
    pub party_id: String,
    /// The name CPOs see in our credentials.
    pub business_name: String,
    /// Time between session polls of one vendor account.
    pub poll_interval: Duration,
    /// How far before the last seen update each poll starts again.
    pub poll_overlap: Duration,
    /// How often new vendor accounts are looked for (not a setting; the demo shortens it).
    pub accounts_rescan: Duration,
    /// When a session whose limit was refused, or whose outcome is unknown, is tried again.
    pub retry: RetryPolicy,
    /// How long one request to a vendor cloud may take before its outcome counts as unknown.
    pub request_timeout: Duration,
}

impl ExchangeSettings {
    pub(crate) fn from_values(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let get = |key: &'static str| lookup(values, key);
        Ok(Self {
            public_url: parse_public_url(get("exchange.public_url")?)?,
            country_code: parse_code(
                "exchange.country_code",
                get("exchange.country_code")?,
                2,
                |c| c.is_ascii_uppercase(),
            )?,
            party_id: parse_code("exchange.party_id", get("exchange.party_id")?, 3, |c| {
                c.is_ascii_uppercase() || c.is_ascii_digit()
            })?,
            business_name: parse_name(get("exchange.business_name")?)?,
            poll_interval: parse_seconds(
                "exchange.poll_interval_s",
                get("exchange.poll_interval_s")?,
                1,
            )?,
            poll_overlap: parse_seconds(
                "exchange.poll_overlap_s",
                get("exchange.poll_overlap_s")?,
                0,
            )?,
            accounts_rescan: Duration::from_secs(30),
            retry: parse_retry(&get)?,
            request_timeout: parse_seconds(
                "exchange.request_timeout_s",
                get("exchange.request_timeout_s")?,
                1,
            )?,
        })
    }

    /// Our public base URL, falling back to the address the server listens on.
    pub fn public_url_for(&self, listen: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"))
    }

    /// How we introduce ourselves in the credentials handshake.
    pub fn our_party(&self, listen: SocketAddr) -> OurParty {
        OurParty {
            public_url: self.public_url_for(listen),
            country_code: self.country_code.clone(),
            party_id: self.party_id.clone(),
            name: self.business_name.clone(),
        }
    }

    /// The running exchange's configuration.
    pub fn service_config(&self, listen: SocketAddr) -> ExchangeConfig {
        ExchangeConfig {
            public_url: self.public_url_for(listen),
            poller: PollerConfig {
                interval: self.poll_interval,
                retry_first: first_poll_retry(self.poll_interval),
                overlap: chrono::Duration::from_std(self.poll_overlap)
                    .unwrap_or_else(|_| chrono::Duration::minutes(5)),
                ..PollerConfig::default()
            },
            accounts_rescan: self.accounts_rescan,
            request_timeout: self.request_timeout,
        }
    }
}

/// The first wait after a failed poll: a twelfth of the interval (5 s at the default 60 s),
/// at least a quarter of a second, so a transient error is retried several times within one
/// interval however short the interval is.
fn first_poll_retry(interval: Duration) -> Duration {
    (interval / 12).max(Duration::from_millis(250))
}

/// `exchange.refusal_retry_s`, `exchange.unknown_retry_first_s`, `exchange.unknown_retry_max_s`.
fn parse_retry<'a>(
    get: &dyn Fn(&'static str) -> Result<&'a str, SettingsError>,
) -> Result<RetryPolicy, SettingsError> {
    let seconds = |key: &'static str| -> Result<chrono::Duration, SettingsError> {
        let d = parse_seconds(key, get(key)?, 1)?;
        Ok(chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::minutes(5)))
    };
    let policy = RetryPolicy {
        refusal_retry: seconds("exchange.refusal_retry_s")?,
        unknown_retry_first: seconds("exchange.unknown_retry_first_s")?,
        unknown_retry_max: seconds("exchange.unknown_retry_max_s")?,
    };
    if policy.unknown_retry_max < policy.unknown_retry_first {
        return Err(invalid(
            "exchange.unknown_retry_max_s",
            "must not be less than exchange.unknown_retry_first_s",
        ));
    }
    Ok(policy)
}

fn parse_public_url(text: &str) -> Result<Option<String>, SettingsError> {
    let trimmed = text.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    match reqwest::Url::parse(trimmed) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(Some(trimmed.to_owned()))
        }
        _ => Err(invalid(
            "exchange.public_url",
            format_args!(
                "{text:?} is not an http(s) URL (expected e.g. https://charging.example.com)"
            ),
        )),
    }
}

fn parse_code(
    key: &'static str,
    text: &str,
    len: usize,
    allowed: fn(char) -> bool,
) -> Result<String, SettingsError> {
    let code = text.trim().to_ascii_uppercase();
    if code.chars().count() == len && code.chars().all(allowed) {
        Ok(code)
    } else {
        Err(invalid(
            key,
            format_args!("{text:?} must be {len} letters or digits as OCPI requires"),
        ))
    }
}

fn parse_name(text: &str) -> Result<String, SettingsError> {
    let name = text.trim();
    if (1..=100).contains(&name.chars().count()) {
        Ok(name.to_owned())
    } else {
        Err(invalid(
            "exchange.business_name",
            "must be 1 to 100 characters",
        ))
    }
}
