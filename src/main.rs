//! The `chargeplan` binary: parses the command line, loads settings, starts logging and runs
//! the chosen command. Exit codes: 0 ok, 1 runtime failure, 2 usage or settings.

mod access_cmd;
mod cli;
mod cli_access;
mod demo;
mod optimize_cmd;
mod replay;
mod scenario;
mod server;
mod settings;
mod settings_driver;
mod settings_exchange;
mod shutdown;
mod sim_cmd;
mod telemetry;
mod texts;
mod vendor;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Runnable, StoreCommand};
use crate::settings::{Overrides, Settings};

/// Exit code of a runtime failure.
const EXIT_FAILURE: u8 = 1;
/// Exit code of a usage error or invalid settings.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.runnable();
    if let Runnable::Optimize(args) = &command {
        return optimize_cmd::run(args);
    }
    let overrides = match &command {
        Runnable::Serve(args) => Overrides {
            listen: args.listen.clone(),
            data_dir: args.data_dir.clone(),
        },
        Runnable::Vendor(StoreCommand { data_dir, .. })
        | Runnable::Operator(StoreCommand { data_dir, .. })
        | Runnable::Token(StoreCommand { data_dir, .. }) => Overrides {
            data_dir: data_dir.clone(),
            ..Overrides::default()
        },
        Runnable::Migrate
        | Runnable::Optimize(_)
        | Runnable::Sim(_)
        | Runnable::Demo(_)
        | Runnable::Replay(_) => Overrides::default(),
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
            // Handled before settings are loaded; kept here so every command has one place.
            Runnable::Optimize(args) => optimize_cmd::result(&args),
            Runnable::Sim(args) => sim_cmd::run(args, shutdown::signal()).await,
            Runnable::Vendor(store) => vendor::run(store.command, settings).await,
            Runnable::Operator(store) => access_cmd::operator(store.command, settings).await,
            Runnable::Token(store) => access_cmd::token(store.command, settings).await,
            Runnable::Demo(args) => demo::run(&args, settings, shutdown::signal()).await,
            Runnable::Replay(args) => replay::run(&args, settings, shutdown::signal()).await,
        }
    })
}
