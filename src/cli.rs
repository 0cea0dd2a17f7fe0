//! Command-line interface: global options and one subcommand per mode of the binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// chargeplan: smart-charging optimization server for shared EV charging sites.
///
/// Settings come from the built-in defaults, then the file given with --config, then
/// environment variables CHARGEPLAN__SECTION__KEY (e.g. CHARGEPLAN__SERVER__LISTEN=0.0.0.0:9000),
/// then the flags of `serve`. Exit codes: 0 ok, 1 runtime failure, 2 usage error, invalid
/// settings or a command that is not built yet.
#[derive(Debug, Parser)]
#[command(name = "chargeplan", version, about, long_about)]
pub struct Cli {
    /// TOML file whose keys override the built-in defaults (see config/default.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The modes of the binary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server: opens the store, applies pending migrations, serves until ctrl-c or
    /// SIGTERM, then lets in-flight requests finish.
    Serve(ServeArgs),
    /// Open the configured store, apply pending migrations and print their names.
    Migrate,
    /// Run a simulated site end to end (not built yet: issue #6).
    Demo(DemoArgs),
    /// Solve one site's charging plan from a problem file (not built yet: issue #3).
    Optimize(OptimizeArgs),
    /// Run the EV fleet and vendor cloud simulator (not built yet: issue #4).
    Sim(SimArgs),
    /// Replay recorded real charging sessions through the control loop (not built yet: issue #6).
    Replay(ReplayArgs),
}

/// Flags of `serve`; they override every other settings source.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8080 (port 0 picks a free port); overrides server.listen.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Folder for local state (the embedded SQLite database); overrides server.data_dir.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Flags of `demo` (issue #6).
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}

/// Flags of `optimize` (issue #3).
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    /// JSON file describing the site, its sessions and requests (the optimization problem).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Where to write the plan as JSON; standard output when absent.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Flags of `sim` (issue #4).
#[derive(Debug, clap::Args)]
pub struct SimArgs {}

/// Flags of `replay` (issue #6).
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {}

/// A command that exists in the interface but whose issue is not done.
#[derive(Debug, Clone, Copy)]
pub struct NotBuilt {
    /// The subcommand's name.
    pub command: &'static str,
    /// The issue that builds it, e.g. "#6: control loop and demo".
    pub issue: &'static str,
}

impl std::fmt::Display for NotBuilt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "chargeplan {} is not built yet (issue {})",
            self.command, self.issue
        )
    }
}

/// A command that is built and can run.
#[derive(Debug)]
pub enum Runnable {
    /// `serve` with its flags.
    Serve(ServeArgs),
    /// `migrate`.
    Migrate,
}

impl Command {
    /// The command to run, or which issue will build it.
    pub fn runnable(self) -> Result<Runnable, NotBuilt> {
        let (command, issue) = match self {
            Self::Serve(args) => return Ok(Runnable::Serve(args)),
            Self::Migrate => return Ok(Runnable::Migrate),
            Self::Demo(_) => ("demo", "#6: control loop and demo"),
            Self::Optimize(_) => ("optimize", "#3: optimizer"),
            Self::Sim(_) => ("sim", "#4: simulator"),
            Self::Replay(_) => ("replay", "#6: control loop and demo"),
        };
        Err(NotBuilt { command, issue })
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_flags_are_parsed() {
        let cli = Cli::try_parse_from([
            "chargeplan",
            "--config",
            "c.toml",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            "d",
        ])
        .expect("valid command line");

        assert_eq!(cli.config, Some(PathBuf::from("c.toml")));
        assert!(matches!(
            cli.command,
            Command::Serve(ServeArgs { listen: Some(ref l), data_dir: Some(ref d) })
                if l == "127.0.0.1:0" && d == &PathBuf::from("d")
        ));
    }

    #[test]
    fn optimize_requires_an_input_file() {
        let result = Cli::try_parse_from(["chargeplan", "optimize"]);

        assert!(result.is_err());
    }

    #[test]
    fn unbuilt_commands_name_their_issue() {
        let cli = Cli::try_parse_from(["chargeplan", "demo"]).expect("valid command line");

        let not_built = cli.command.runnable().expect_err("demo is not built");

        assert_eq!(
            not_built.to_string(),
            "chargeplan demo is not built yet (issue #6: control loop and demo)"
        );
    }
}
