//! Logging: a `tracing` subscriber writing human-readable or JSON lines to stderr, filtered by
//! `log.filter`. Field conventions are in docs/LOGGING.md.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogSettings};

/// Installs the global subscriber. Call once, before anything logs.
///
/// # Errors
/// When a global subscriber is already installed.
pub fn init(settings: &LogSettings) -> anyhow::Result<()> {
    // The filter was validated when the settings were loaded.
    let filter = EnvFilter::try_new(&settings.filter)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let result = match settings.format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    result.map_err(|error| anyhow::anyhow!("cannot install the log subscriber: {error}"))
}
