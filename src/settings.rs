//! Layered, validated settings: built-in defaults, an optional file, `CHARGEPLAN__*` environment
//! variables, then command-line flags — checked before anything starts.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chargeplan_store::StoreTarget;
use config::{Config, Environment, File, FileFormat, Source, Value};
use secrecy::{ExposeSecret, SecretString};
use tracing_subscriber::EnvFilter;

use crate::settings_driver::parse_public_number;
pub use crate::settings_driver::{ApiSettings, DriverSettings, SmsSettings};
pub use crate::settings_exchange::ExchangeSettings;

/// `config/default.toml`, compiled in so the binary starts with no files from any directory.
pub const DEFAULTS_TOML: &str = include_str!("../config/default.toml");

/// Environment variables `CHARGEPLAN__SECTION__KEY` set `section.key`.
const ENV_PREFIX: &str = "CHARGEPLAN";
/// Separates the prefix, the section and the key in environment variable names.
const ENV_SEPARATOR: &str = "__";

/// Every key a source may set; anything else is a typo and stops start-up.
const KNOWN_KEYS: [&str; 31] = [
    "server.listen",
    "server.data_dir",
    "server.shutdown_timeout_s",
    "server.request_timeout_s",
    "database.url",
    "database.max_connections",
    "log.format",
    "log.filter",
    "exchange.public_url",
    "exchange.country_code",
    "exchange.party_id",
    "exchange.business_name",
    "exchange.poll_interval_s",
    "exchange.poll_overlap_s",
    "exchange.request_timeout_s",
    "exchange.refusal_retry_s",
    "exchange.unknown_retry_first_s",
    "exchange.unknown_retry_max_s",
    "driver.public_url",
    "driver.link_grace_s",
    "driver.replan_interval_s",
    "driver.arrival_headroom",
    "sms.provider",
    "sms.twilio_account_sid",
    "sms.twilio_auth_token",
    "sms.twilio_from",
    "sms.twilio_messaging_service_sid",
    "sms.twilio_api_base",
    "sms.console_page",
    "sms.public_number",
    "api.admin_token",
];

/// Largest accepted timeout, in seconds (one hour).
const MAX_TIMEOUT_S: u64 = 3600;
/// Largest accepted PostgreSQL pool size.
const MAX_CONNECTIONS: u32 = 1000;
/// Name of the embedded SQLite file inside `server.data_dir`.
const SQLITE_FILE: &str = "chargeplan.db";

/// Everything the binary is configured with, already validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// HTTP server and local state.
    pub server: ServerSettings,
    /// Where data is stored.
    pub database: DatabaseSettings,
    /// What is logged and how.
    pub log: LogSettings,
    /// How chargeplan meets vendor clouds.
    pub exchange: ExchangeSettings,
    /// Drivers' links and the re-planning pace.
    pub driver: DriverSettings,
    /// Which provider delivers texts.
    pub sms: SmsSettings,
    /// The number people text to reach a member, printed on stickers (`sms.public_number`,
    /// else `sms.twilio_from`); `None`: stickers say to scan their code.
    pub sms_public_number: Option<chargeplan_core::PhoneNumber>,
    /// The operator API.
    pub api: ApiSettings,
}

/// `[server]`: HTTP listener, local state and timeouts.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Address the HTTP listener binds to; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Folder of the embedded SQLite database.
    pub data_dir: PathBuf,
    /// How long in-flight requests may run after a shutdown signal.
    pub shutdown_timeout: Duration,
    /// How long one HTTP request may take.
    pub request_timeout: Duration,
}

/// `[database]`: the store backend.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// PostgreSQL URL (may hold a password, hence secret); `None` means embedded SQLite.
    pub postgres_url: Option<SecretString>,
    /// Pool size for PostgreSQL.
    pub max_connections: u32,
}

/// `[log]`: log format and filter.
#[derive(Debug, Clone)]
pub struct LogSettings {
    /// Human-readable lines or JSON objects.
    pub format: LogFormat,
    /// A valid `tracing_subscriber::EnvFilter` directive.
    pub filter: String,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Readable text, one event per line.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Values given on the command line; they win over every other source.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `serve --listen`.
    pub listen: Option<String>,
    /// `serve --data-dir`.
    pub data_dir: Option<PathBuf>,
}

/// Why the settings could not be loaded; the message names the key and never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The `--config` file is missing or is not valid TOML (or the environment is unreadable).
    #[error("cannot load settings: {0}")]
    Source(String),
    /// A source sets a key chargeplan does not know: most likely a typo.
    #[error("unknown setting {key} (set in {origin}); known settings: {known}", known = KNOWN_KEYS.join(", "))]
    UnknownKey {
        /// The dotted key, e.g. `server.listn`.
        key: String,
        /// The file path or "the environment".
        origin: String,
    },
    /// A known key has a value that cannot be used.
    #[error("invalid setting {key}: {reason}")]
    Invalid {
        /// The dotted key, e.g. `server.listen`.
        key: &'static str,
        /// What is wrong and what is expected.
        reason: String,
    },
}

impl Settings {
    /// Loads defaults, then `file`, then the `CHARGEPLAN__*` entries of `env`, then `overrides`,
    /// and validates the result. `env` is passed in (see [`process_env`]) so tests need not
    /// touch the process environment.
    pub fn load(
        file: Option<&Path>,
        env: &HashMap<String, String>,
        overrides: &Overrides,
    ) -> Result<Self, SettingsError> {
        let mut builder =
            Config::builder().add_source(File::from_str(DEFAULTS_TOML, FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
        }
        builder = builder.add_source(
            Environment::with_prefix(ENV_PREFIX)
                .prefix_separator(ENV_SEPARATOR)
                .separator(ENV_SEPARATOR)
                .source(Some(env.clone())),
        );
        let source_error = |error: config::ConfigError| SettingsError::Source(error.to_string());
        if let Some(listen) = &overrides.listen {
            builder = builder
                .set_override("server.listen", listen.as_str())
                .map_err(source_error)?;
        }
        if let Some(dir) = &overrides.data_dir {
            builder = builder
                .set_override("server.data_dir", dir.to_string_lossy().into_owned())
                .map_err(source_error)?;
        }
        let merged = builder
            .build()
            .map_err(source_error)?
            .collect()
            .map_err(source_error)?;
        Self::from_values(&flatten(merged, file)?)
    }

    /// Where the store lives: PostgreSQL when `database.url` is set, else the SQLite file.
    pub fn store_target(&self) -> StoreTarget {
        match &self.database.postgres_url {
            Some(url) => StoreTarget::Postgres {
                url: url.expose_secret().to_owned(),
                max_connections: self.database.max_connections,
            },
            None => StoreTarget::Sqlite {
                path: self.server.data_dir.join(SQLITE_FILE),
            },
        }
    }

    fn from_values(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let get = |key: &'static str| lookup(values, key);
        let server = ServerSettings {
            listen: parse_listen(get("server.listen")?)?,
            data_dir: parse_data_dir(get("server.data_dir")?)?,
            shutdown_timeout: parse_seconds(
                "server.shutdown_timeout_s",
                get("server.shutdown_timeout_s")?,
                0,
            )?,
            request_timeout: parse_seconds(
                "server.request_timeout_s",
                get("server.request_timeout_s")?,
                1,
            )?,
        };
        let database = DatabaseSettings {
            postgres_url: parse_database_url(get("database.url")?)?,
            max_connections: parse_max_connections(get("database.max_connections")?)?,
        };
        let log = LogSettings {
            format: parse_log_format(get("log.format")?)?,
            filter: parse_log_filter(get("log.filter")?)?,
        };
        let exchange = ExchangeSettings::from_values(values)?;
        let driver = DriverSettings::from_values(values)?;
        let sms = SmsSettings::from_values(values)?;
        let sms_public_number = parse_public_number(get("sms.public_number")?, &sms)?;
        let api = ApiSettings::from_values(values)?;
        Ok(Self {
            api,
            sms_public_number,
            server,
            database,
            log,
            exchange,
            driver,
            sms,
        })
    }
}

/// The value of `key`; every known key has a built-in default, so a missing one was emptied.
pub(crate) fn lookup<'a>(
    values: &'a HashMap<String, String>,
    key: &'static str,
) -> Result<&'a str, SettingsError> {
    values
        .get(key)
        .map(String::as_str)
        .ok_or(SettingsError::Invalid {
            key,
            reason: "missing (it has a built-in default; was it emptied?)".to_owned(),
        })
}

/// The `CHARGEPLAN__*` variables of this process (others are never read).
pub fn process_env() -> HashMap<String, String> {
    let prefix = format!("{ENV_PREFIX}{ENV_SEPARATOR}");
    std::env::vars_os()
        .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(key, _)| key.to_ascii_uppercase().starts_with(&prefix))
        .collect()
}

/// Turns the merged `{section: {key: value}}` tree into `section.key -> text`, rejecting any key
/// that is not in [`KNOWN_KEYS`].
fn flatten(
    merged: config::Map<String, Value>,
    file: Option<&Path>,
) -> Result<HashMap<String, String>, SettingsError> {
    let mut flat = HashMap::new();
    for (section, value) in merged {
        let origin = describe_origin(&origin_of(&value), &section, file);
        let Ok(table) = value.into_table() else {
            return Err(SettingsError::UnknownKey {
                key: section,
                origin,
            });
        };
        for (key, value) in table {
            let dotted = format!("{section}.{key}");
            let Some(known) = KNOWN_KEYS.iter().copied().find(|k| *k == dotted) else {
                let origin = describe_origin(&origin_of(&value), &dotted, file);
                return Err(SettingsError::UnknownKey {
                    key: dotted,
                    origin,
                });
            };
            let text = value.into_string().map_err(|_| SettingsError::Invalid {
                key: known,
                reason: "expected a single value, not a table or a list".to_owned(),
            })?;
            flat.insert(dotted, text);
        }
    }
    Ok(flat)
}

fn origin_of(value: &Value) -> String {
    value.origin().unwrap_or("the built-in defaults").to_owned()
}

/// For a key from the environment, names the variable so the typo can be found; for one from
/// the config file, names the file as it was given (the config crate shows it relative to the
/// working directory, which reads wrongly from elsewhere).
fn describe_origin(origin: &str, dotted: &str, file: Option<&Path>) -> String {
    match (origin, file) {
        ("the environment", _) => {
            let name = dotted.replace('.', ENV_SEPARATOR).to_ascii_uppercase();
            format!("the environment as {ENV_PREFIX}{ENV_SEPARATOR}{name}")
        }
        ("the built-in defaults", _) | (_, None) => origin.to_owned(),
        (_, Some(file)) => file.display().to_string(),
    }
}

pub(crate) fn invalid(key: &'static str, reason: impl fmt::Display) -> SettingsError {
    SettingsError::Invalid {
        key,
        reason: reason.to_string(),
    }
}

fn parse_listen(text: &str) -> Result<SocketAddr, SettingsError> {
    text.trim().parse().map_err(|_| {
        invalid(
            "server.listen",
            format_args!("{text:?} is not a socket address (expected e.g. 127.0.0.1:8080)"),
        )
    })
}

fn parse_data_dir(text: &str) -> Result<PathBuf, SettingsError> {
    if text.trim().is_empty() {
        return Err(invalid(
            "server.data_dir",
            "must not be empty (expected a folder, e.g. ./data)",
        ));
    }
    Ok(PathBuf::from(text))
}

pub(crate) fn parse_seconds(
    key: &'static str,
    text: &str,
    min: u64,
) -> Result<Duration, SettingsError> {
    match text.trim().parse::<u64>() {
        Ok(seconds) if (min..=MAX_TIMEOUT_S).contains(&seconds) => Ok(Duration::from_secs(seconds)),
        _ => Err(invalid(
            key,
            format_args!("{text:?} is not a whole number of seconds from {min} to {MAX_TIMEOUT_S}"),
        )),
    }
}

/// Never puts the URL itself in an error: it may hold a password.
fn parse_database_url(text: &str) -> Result<Option<SecretString>, SettingsError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let scheme = trimmed
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("postgres" | "postgresql") => Ok(Some(SecretString::from(trimmed.to_owned()))),
        _ => Err(invalid(
            "database.url",
            "must be empty (embedded SQLite in server.data_dir) or a postgres:// URL \
             (the value is not shown: it may hold a password)",
        )),
    }
}

fn parse_max_connections(text: &str) -> Result<u32, SettingsError> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_CONNECTIONS).contains(&n) => Ok(n),
        _ => Err(invalid(
            "database.max_connections",
            format_args!("{text:?} is not a whole number from 1 to {MAX_CONNECTIONS}"),
        )),
    }
}

fn parse_log_format(text: &str) -> Result<LogFormat, SettingsError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "human" => Ok(LogFormat::Human),
        "json" => Ok(LogFormat::Json),
        _ => Err(invalid(
            "log.format",
            format_args!("{text:?} is not \"human\" or \"json\""),
        )),
    }
}

fn parse_log_filter(text: &str) -> Result<String, SettingsError> {
    EnvFilter::try_new(text).map_err(|error| {
        invalid(
            "log.filter",
            format_args!("{text:?} is not a log filter ({error}); expected e.g. \"info\" or \"info,tower_http=warn\""),
        )
    })?;
    Ok(text.to_owned())
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
