//! The `chargeplan` binary: parses the command line, loads settings, starts logging and runs
//! the chosen command. Exit codes: 0 ok, 1 runtime failure, 2 usage, settings or not built.

mod cli;
mod server;
mod settings;
mod shutdown;
mod telemetry;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Runnable};
use crate::settings::{Overrides, Settings};

/// Exit code of a runtime failure.
const EXIT_FAILURE: u8 = 1;
/// Exit code of a usage error, invalid settings, or a command that is not built yet.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command.runnable() {
        Ok(command) => command,
        Err(not_built) => {
            eprintln!("{not_built}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let overrides = match &command {
        Runnable::Serve(args) => Overrides {
            listen: args.listen.clone(),
            data_dir: args.data_dir.clone(),
        },
        Runnable::Migrate => Overrides::default(),
    };
    let settings = match Settings::load(cli.config.as_deref(), &settings::process_env(), &overrides)
    {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("chargeplan: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if let Err(error) = telemetry::init(&settings.log) {
        eprintln!("chargeplan: {error:#}");
        return ExitCode::from(EXIT_FAILURE);
    }
    match run(command, &settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "chargeplan stopped with an error"
            );
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(command: Runnable, settings: &Settings) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        match command {
            Runnable::Serve(_) => server::run(settings, shutdown::signal()).await,
            Runnable::Migrate => server::migrate(settings).await,
        }
    })
}
