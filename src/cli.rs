//! Command-line interface: global options and one subcommand per mode of the binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use crate::cli_access::{OperatorCommand, TokenCommand};

/// chargeplan: smart-charging optimization server for shared EV charging sites.
///
/// Settings come from the built-in defaults, then the file given with --config, then
/// environment variables CHARGEPLAN__SECTION__KEY (e.g. CHARGEPLAN__SERVER__LISTEN=0.0.0.0:9000),
/// then the flags of `serve`. Exit codes: 0 ok, 1 runtime failure, 2 usage error or invalid
/// settings.
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
    /// Run the whole system on a simulated garage replaying a real day (no configuration
    /// needed): texts appear in the output and on /dev/sms; ctrl-c stops.
    Demo(DemoArgs),
    /// Solve one site's charging plan from a problem file (JSON, see docs/OPTIMIZER.md); bad
    /// input exits 2 with the offending field named.
    Optimize(OptimizeArgs),
    /// Run the simulated vendor cloud: an OCPI 2.2.1 CPO with simulated cars, until ctrl-c.
    Sim(SimArgs),
    /// Manage vendor cloud accounts.
    Vendor(StoreCommand<VendorCommand>),
    /// Manage site operators: roles, granted sites, dashboard passwords.
    Operator(StoreCommand<OperatorCommand>),
    /// Manage operators' API tokens.
    Token(StoreCommand<TokenCommand>),
    /// Replay recorded sessions through the control loop's decisions in simulated time, policy
    /// against policy against the hindsight optimum (--wire: the real server over HTTP).
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

/// A command on the store (`vendor`, `operator`, `token`) and the store it works on: the
/// same `--data-dir` as `serve`, given anywhere after the command's name.
#[derive(Debug, clap::Args)]
pub struct StoreCommand<C: Subcommand> {
    /// Folder of the embedded SQLite database (the one `serve --data-dir` uses); overrides
    /// server.data_dir.
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: C,
}

/// Flags of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address the demo server listens on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Folder of the demo's own SQLite database, emptied at every start.
    #[arg(long, value_name = "DIR", default_value = "./data/demo")]
    pub data_dir: PathBuf,
    /// Simulated seconds per real second (60: an hour of the day per minute).
    #[arg(long, value_name = "FACTOR", default_value_t = 60.0, value_parser = parse_speedup)]
    pub speedup: f64,
}

fn parse_speedup(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speedup) if speedup.is_finite() && (1.0..=3600.0).contains(&speedup) => Ok(speedup),
        _ => Err(format!("{text:?} is not a number from 1 to 3600")),
    }
}

/// Flags of `optimize`.
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    /// JSON file describing the site, its sessions and requests (the optimization problem).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Where to write the plan as JSON; standard output when absent.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Flags of `sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address the simulated CPO listens on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9090")]
    pub listen: String,
    /// The token chargeplan must present; a random one is made and printed when absent.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Treat --token as OCPI token A: valid only for registration (`chargeplan vendor register`).
    #[arg(long)]
    pub token_a: bool,
    /// Simulated seconds per real second.
    #[arg(long, value_name = "FACTOR", default_value_t = 60.0)]
    pub speedup: f64,
    /// The layout and its cars: `caltech` replays a recorded day of 49 sessions on 54 ports;
    /// `demo` is a car park of ten ports with a few cars.
    #[arg(long, value_enum, default_value_t = SimSite::Caltech)]
    pub site: SimSite,
    /// Share of OCPI requests that meet a fault, as KIND=RATE, repeated: server-error (HTTP
    /// 503), hang (answers after --hang-s), malformed (truncated JSON body), reset (connection
    /// breaks mid-body); e.g. `--fault-rate server-error=0.3`. Change them while it runs with
    /// `PUT /sim/faults` (see the sim crate's README).
    #[arg(long = "fault-rate", value_name = "KIND=RATE")]
    pub fault_rates: Vec<String>,
    /// How long a hanging request hangs, real seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 45)]
    pub hang_s: u64,
    /// Added to every answer, real milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Seed of the random fault stream (the same seed, the same faults in the same order).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub fault_seed: u64,
}

/// The layouts `sim` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimSite {
    /// Caltech's garage replaying 2019-06-14 (ACN-Data, CC BY 4.0).
    Caltech,
    /// A small demo car park.
    Demo,
}

/// `vendor` subcommands.
#[derive(Debug, Subcommand)]
pub enum VendorCommand {
    /// Register with a CPO: fetch its OCPI 2.2.1 modules with its token A, hand it our token and
    /// versions URL (exchange.public_url, where the server must be running), and store token C.
    Register(VendorRegisterArgs),
    /// List vendor accounts (never their tokens).
    List,
}

/// Flags of `vendor register`.
#[derive(Debug, clap::Args)]
pub struct VendorRegisterArgs {
    /// Our name for the account, e.g. `acme-cpo` (letters, digits, `-_.:`).
    #[arg(long, value_name = "ID")]
    pub id: String,
    /// The CPO's OCPI versions URL.
    #[arg(long, value_name = "URL")]
    pub versions_url: String,
    /// The CPO's registration token (token A); also read from CHARGEPLAN_TOKEN_A.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CHARGEPLAN_TOKEN_A",
        hide_env_values = true
    )]
    pub token_a: String,
    /// How the CPO wants tokens in the Authorization header: `base64` (OCPI 2.2.1) or `raw`.
    #[arg(long, value_name = "ENCODING", default_value = "base64")]
    pub token_encoding: String,
    /// Unit of the charging profiles we send: `W` (total power) or `A` (current per phase).
    #[arg(long, value_name = "UNIT", default_value = "W")]
    pub rate_unit: String,
    /// The running server's base URL as the CPO reaches it (told to the CPO, which calls it
    /// back during the handshake); default: exchange.public_url, else http:// + server.listen.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

/// Flags of `replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Recorded sessions, ACN-Data's columns (CSV, or gzip when the name ends in .gz).
    #[arg(long, value_name = "FILE", required_unless_present = "wire")]
    pub sessions: Option<PathBuf>,
    /// The site file (config/sites/*.toml): circuits, caps, ports, tariff.
    #[arg(long, value_name = "FILE", required_unless_present = "wire")]
    pub site: Option<PathBuf>,
    /// First day replayed (local to the site), e.g. 2019-05-01; default: the file's first.
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day replayed, inclusive; default: the file's last.
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// Policies to compare, repeated or comma-separated: uncontrolled, round-robin, edf, llf,
    /// optimal, hindsight, or all (default: optimal).
    #[arg(long = "policy", value_name = "P", value_delimiter = ',')]
    pub policies: Vec<String>,
    /// What drivers tell the server: `perfect` (the energy the car took, the real departure)
    /// or `declared` (their own request and estimate; silent drivers get the default).
    #[arg(long, value_name = "INFO", default_value = "declared")]
    pub info: String,
    /// The cars' batteries: `ideal` (full power until full) or `taper` (slowing above 80 %).
    #[arg(long, value_name = "MODEL", default_value = "ideal")]
    pub battery: String,
    /// Pilot signals: `continuous` (only this one so far).
    #[arg(long, value_name = "PILOTS", default_value = "continuous")]
    pub pilots: String,
    /// Write the JSON report (an array, one object per policy) to this file.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip rows that cannot be read (listed on stderr) instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Run the real server against the simulated vendor cloud over HTTP for the bundled day
    /// (Caltech's garage, 2019-06-14), in sped-up wall-clock time.
    #[arg(long)]
    pub wire: bool,
    /// With --wire: simulated seconds per real second (600: the recorded day, 29 simulated
    /// hours, in about 3 minutes; the control loop then reacts within about 10 simulated
    /// minutes).
    #[arg(long, value_name = "FACTOR", default_value_t = 600.0, value_parser = parse_speedup)]
    pub speedup: f64,
    /// The service cap, kW (with --wire: 150 by default; otherwise the site file's).
    #[arg(long, value_name = "KW", value_parser = parse_cap_kw)]
    pub cap_kw: Option<f64>,
    /// With --wire: folder of the replay's SQLite database, emptied at the start and kept;
    /// default: a fresh temporary folder, removed at the end.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print a line per policy to stderr as each simulated day is replayed.
    #[arg(long)]
    pub progress: bool,
    /// Draw the site's load against its cap, one panel per policy, to this SVG file.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

impl ReplayArgs {
    /// The service cap of a `--wire` run, kW.
    pub fn wire_cap_kw(&self) -> f64 {
        self.cap_kw.unwrap_or(150.0)
    }
}

fn parse_cap_kw(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(cap) if cap.is_finite() && cap > 0.0 && cap <= 100_000.0 => Ok(cap),
        _ => Err(format!(
            "{text:?} is not a power above 0 and at most 100000 kW"
        )),
    }
}

/// A command that is built and can run.
#[derive(Debug)]
pub enum Runnable {
    /// `serve` with its flags.
    Serve(ServeArgs),
    /// `migrate`.
    Migrate,
    /// `optimize` with its files.
    Optimize(OptimizeArgs),
    /// `sim` with its flags.
    Sim(SimArgs),
    /// `vendor register` or `vendor list`.
    Vendor(StoreCommand<VendorCommand>),
    /// `operator …`.
    Operator(StoreCommand<OperatorCommand>),
    /// `token …`.
    Token(StoreCommand<TokenCommand>),
    /// `demo` with its flags.
    Demo(DemoArgs),
    /// `replay` with its flags.
    Replay(ReplayArgs),
}

impl Command {
    /// The command to run.
    pub fn runnable(self) -> Runnable {
        match self {
            Self::Serve(args) => Runnable::Serve(args),
            Self::Migrate => Runnable::Migrate,
            Self::Demo(args) => Runnable::Demo(args),
            Self::Optimize(args) => Runnable::Optimize(args),
            Self::Sim(args) => Runnable::Sim(args),
            Self::Vendor(command) => Runnable::Vendor(command),
            Self::Operator(command) => Runnable::Operator(command),
            Self::Token(command) => Runnable::Token(command),
            Self::Replay(args) => Runnable::Replay(args),
        }
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
    fn store_commands_take_the_data_dir_before_or_after_their_subcommand() {
        for args in [
            ["chargeplan", "operator", "list", "--data-dir", "d"],
            ["chargeplan", "operator", "--data-dir", "d", "list"],
        ] {
            let cli = Cli::try_parse_from(args).expect("valid command line");
            let Command::Operator(store) = cli.command else {
                panic!("operator command");
            };
            assert_eq!(store.data_dir, Some(PathBuf::from("d")));
        }
        let cli = Cli::try_parse_from(["chargeplan", "token", "list"]).expect("valid");
        let Command::Token(store) = cli.command else {
            panic!("token command");
        };
        assert_eq!(store.data_dir, None);
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
    fn replay_runs_at_600x_on_a_150_kw_service_by_default() {
        let cli =
            Cli::try_parse_from(["chargeplan", "replay", "--wire"]).expect("valid command line");

        let Runnable::Replay(args) = cli.command.runnable() else {
            panic!("replay is runnable");
        };

        assert!((args.speedup - 600.0).abs() < f64::EPSILON);
        assert!((args.wire_cap_kw() - 150.0).abs() < f64::EPSILON);
        assert_eq!(args.data_dir, None);
        assert!(!args.json);
    }

    #[test]
    fn replay_flags_are_parsed_and_a_cap_must_be_positive() {
        let cli = Cli::try_parse_from([
            "chargeplan",
            "replay",
            "--wire",
            "--speedup",
            "3600",
            "--cap-kw",
            "30",
            "--data-dir",
            "d",
            "--json",
        ])
        .expect("valid command line");

        let Runnable::Replay(args) = cli.command.runnable() else {
            panic!("replay is runnable");
        };
        assert!((args.speedup - 3600.0).abs() < f64::EPSILON);
        assert!((args.wire_cap_kw() - 30.0).abs() < f64::EPSILON);
        assert_eq!(args.data_dir, Some(PathBuf::from("d")));
        assert!(args.json);
        for bad in ["0", "-1", "NaN", "inf", "lots"] {
            assert!(
                Cli::try_parse_from(["chargeplan", "replay", "--wire", "--cap-kw", bad]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_demo_speedup_must_be_from_1_to_3600() {
        for bad in ["0", "-5", "NaN", "5000", "fast"] {
            assert!(
                Cli::try_parse_from(["chargeplan", "demo", "--speedup", bad]).is_err(),
                "{bad}"
            );
        }
        assert!(Cli::try_parse_from(["chargeplan", "demo", "--speedup", "600"]).is_ok());
    }
}
