//! `chargeplan sim`: the simulated OCPI 2.2.1 vendor cloud on its own, for trying chargeplan
//! against a CPO without hardware.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use chargeplan_sim::{ClockMode, FaultRates, Faults, SimCloud, SimConfig, Site};
use chrono::Utc;

use crate::cli::{SimArgs, SimSite};

pub async fn run(args: SimArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let bind: SocketAddr = args
        .listen
        .parse()
        .with_context(|| format!("--listen: {:?} is not a socket address", args.listen))?;
    anyhow::ensure!(
        args.speedup.is_finite() && (0.1..=10_000.0).contains(&args.speedup),
        "--speedup: must be from 0.1 to 10000"
    );
    let faults = faults(&args)?;
    let token = args
        .token
        .clone()
        .unwrap_or_else(chargeplan_exchange::accounts::new_inbound_token);
    let start = match args.site {
        SimSite::Caltech => chargeplan_sim::acn_day_start(),
        SimSite::Demo => Utc::now(),
    };
    let mut config = SimConfig::new(token.clone(), start).with_site(match args.site {
        SimSite::Caltech => Site::caltech(),
        SimSite::Demo => Site::demo(),
    });
    config.bind = bind;
    config.faults = faults;
    config.registered = !args.token_a;
    config.clock = ClockMode::RealTime {
        start,
        speedup: args.speedup,
    };
    let sim = SimCloud::start(config)
        .await
        .context("cannot start the simulator")?;
    let cars = match args.site {
        SimSite::Caltech => sim
            .replay_acn_day(start)
            .context("cannot schedule the recorded day")?,
        SimSite::Demo => sim.seed_demo().context("cannot plug in the demo cars")?,
    };
    let kind = if args.token_a {
        "token A (register with it)"
    } else {
        "token"
    };
    // A closed stdout (e.g. piped into `head`) must not stop the simulator.
    let _ = writeln!(
        std::io::stdout(),
        "simulated CPO at {} ({kind}: {token})\n{cars} cars scheduled; simulated time runs {}x from {start}\n\
         fault switches at {}/faults (same token)",
        sim.base_url(),
        args.speedup,
        sim.control_url()
    );
    shutdown.await;
    sim.shutdown().await;
    Ok(())
}

/// The fault switches from `--fault-rate`, `--hang-s` and `--latency-ms`.
fn faults(args: &SimArgs) -> anyhow::Result<Faults> {
    let mut rates = FaultRates {
        seed: args.fault_seed,
        ..FaultRates::default()
    };
    for given in &args.fault_rates {
        let (kind, rate) = given.split_once('=').with_context(|| {
            format!("--fault-rate {given:?}: write KIND=RATE, e.g. server-error=0.3")
        })?;
        let rate: f64 = rate
            .trim()
            .parse()
            .with_context(|| format!("--fault-rate {given:?}: {rate:?} is not a number"))?;
        let slot = match kind.trim() {
            "server-error" => &mut rates.server_error,
            "hang" => &mut rates.hang,
            "malformed" => &mut rates.malformed,
            "reset" => &mut rates.reset,
            other => anyhow::bail!(
                "--fault-rate {given:?}: unknown kind {other:?} (server-error, hang, malformed, reset)"
            ),
        };
        *slot = rate;
    }
    if let Some(problem) = rates.problem() {
        anyhow::bail!("--fault-rate: {problem}");
    }
    Ok(Faults {
        latency: Duration::from_millis(args.latency_ms),
        server_error_status: 503,
        hang: Duration::from_secs(args.hang_s),
        rates,
        ..Faults::default()
    })
}
