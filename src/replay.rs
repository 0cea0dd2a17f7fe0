//! `chargeplan replay`: by default the fast replay in simulated time (`fast.rs`, the engine
//! in `chargeplan-replay`); with `--wire`, the real control loop through a recorded day: the
//! demo's set-up (a simulated Caltech garage replaying 2019-06-14 on a sped-up clock) with
//! texts dropped; each replayed driver submits their recorded request as soon as their session
//! reaches the store; an hour after the day's last departure everything stops and the store is
//! measured against the hindsight optimum.

mod fast;
mod measure;
mod report;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chargeplan_core::{Clock, ScaledClock, SiteId};
use chargeplan_sim::SimHandle;
use chargeplan_store::prelude::*;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::cli::ReplayArgs;
use crate::scenario::drivers::{self, Drivers, Submissions};
use crate::settings::{Settings, SmsSettings};
use crate::{scenario, server};

use self::report::{Inputs, PeakSource, Report};

/// How often the replayed drivers look for new sessions, wall-clock.
const WATCH: Duration = Duration::from_millis(100);
/// How long registering with the simulated vendor cloud may take, wall-clock.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
/// The replay runs until this long after the day's last departure (simulated).
const AFTER_LAST_DEPARTURE: chrono::Duration = chrono::Duration::hours(1);
/// Simulated seconds between session polls of the vendor cloud (wall-clock bounds below).
const POLL_SIMULATED_S: f64 = 60.0;

/// Runs the replay and prints the report; a failure is an error (exit 1).
pub async fn run(
    args: &ReplayArgs,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if !args.wire {
        return fast::run(args);
    }
    let dir = DataDir::new(args.data_dir.as_deref())?;
    let report = replay(args, settings, dir.path(), shutdown).await;
    drop(dir);
    let report = report?;
    if args.json {
        println!("{}", report.json());
    } else {
        println!("{}", report.human());
    }
    Ok(())
}

/// The user's settings with what the replay fixes: the scenario's, texts dropped, a free
/// port on the loopback interface, and polling fast enough for the speed-up.
fn replay_settings(args: &ReplayArgs, settings: &Settings, dir: &Path) -> Settings {
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let mut settings = scenario::settings(settings, listen, dir, SmsSettings::Discard);
    settings.exchange.poll_interval =
        Duration::from_secs_f64((POLL_SIMULATED_S / args.speedup).clamp(0.1, 2.0));
    settings.exchange.accounts_rescan = WATCH;
    // The control loop looks for new sessions once per simulated minute, as at 60x.
    settings.driver.event_poll = Duration::from_secs_f64((60.0 / args.speedup).clamp(0.05, 1.0));
    settings
}

async fn replay(
    args: &ReplayArgs,
    settings: &Settings,
    dir: &Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Report> {
    let settings = replay_settings(args, settings, dir);
    let origin = scenario::origin();
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(origin, args.speedup));
    let sim = scenario::start_sim(origin, args.speedup).await?;
    let versions_url = sim.base_url();
    let sim = Arc::new(sim);
    let sim_peak = Arc::new(std::sync::Mutex::new(0.0_f64));
    let sampler = tokio::spawn(sample_peak(sim.clone(), sim_peak.clone()));
    let report = async {
        let store = scenario::fresh_store(dir).await?;
        server::migrate_store(store.as_ref()).await?;
        scenario::seed(store.as_ref(), clock.now(), args.wire_cap_kw()).await?;
        let listener = TcpListener::bind(settings.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
        let address = listener.local_addr()?;
        let stop = CancellationToken::new();
        let served = server::run_on(
            &settings,
            store.clone(),
            clock.clone(),
            None,
            listener,
            stop.clone().cancelled_owned(),
        );
        let driven = async {
            let driven = drive(&store, &clock, &versions_url, address, &settings, shutdown).await;
            stop.cancel();
            driven
        };
        let (served, driven) = tokio::join!(served, driven);
        let submissions = driven?;
        served.context("the server failed during the replay")?;
        let peak = *sim_peak
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        measure(args, store.as_ref(), clock.now(), submissions, peak).await
    }
    .await;
    sampler.abort();
    let _ = sampler.await;
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    report
}

/// Keeps the highest total power the simulated garage draws, sampled every 20 ms of wall time
/// (a few simulated seconds even at 600x), until aborted.
async fn sample_peak(sim: Arc<SimHandle>, peak: Arc<std::sync::Mutex<f64>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let total = sim.total_power_kw();
        let mut peak = peak
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *peak = peak.max(total);
    }
}

/// Connects to the vendor cloud, then lets the drivers submit their requests until the
/// simulated clock is an hour past the day's last departure.
async fn drive(
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
    versions_url: &str,
    address: SocketAddr,
    settings: &Settings,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<Submissions> {
    tokio::pin!(shutdown);
    let connect = scenario::connect_vendor(
        store.clone(),
        clock.clone(),
        versions_url,
        address,
        settings,
    );
    let ports = tokio::select! {
        () = &mut shutdown => anyhow::bail!("interrupted before the replay started"),
        connected = tokio::time::timeout(CONNECT_TIMEOUT, connect) => match connected {
            Ok(Ok(ports)) => ports,
            Ok(Err(error)) => {
                return Err(error.context("the simulated vendor cloud never connected"));
            }
            Err(_) => anyhow::bail!(
                "the simulated vendor cloud never connected within {} s",
                CONNECT_TIMEOUT.as_secs()
            ),
        },
    };
    if ports == 0 {
        anyhow::bail!("the simulated vendor cloud reported no ports");
    }
    tracing::info!(replay.ports = ports, "replay vendor cloud connected");

    let site = SiteId::parse(scenario::SITE)?;
    let end = scenario::last_departure() + AFTER_LAST_DEPARTURE;
    let mut drivers = Drivers::new();
    let mut watch = tokio::time::interval(WATCH);
    loop {
        tokio::select! {
            () = &mut shutdown => anyhow::bail!("interrupted before the recorded day ended"),
            _ = watch.tick() => {}
        }
        let now = clock.now();
        if let Err(error) = drivers.submit_new(store.as_ref(), &site, now).await {
            tracing::warn!(error = format!("{error:#}"), "cannot look for new sessions");
        }
        if now >= end {
            return Ok(drivers.submissions);
        }
    }
}

/// Reads the outcome from the store and computes the report.
async fn measure(
    args: &ReplayArgs,
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
    submissions: Submissions,
    simulator_peak_kw: f64,
) -> anyhow::Result<Report> {
    let site = SiteId::parse(scenario::SITE)?;
    let day = drivers::recorded_day();
    let from = chargeplan_sim::acn_day_start() - chrono::Duration::days(1);
    let mut measured = measure::measure(store, &site, &day, from, now).await?;
    if simulator_peak_kw > 0.0 {
        measured.peak_kw = simulator_peak_kw;
        measured.peak_source = PeakSource::Simulator;
    }
    if measured.outcomes.is_empty() {
        anyhow::bail!("no session of the recorded day reached the store");
    }
    tracing::info!(
        replay.submitted = submissions.submitted,
        replay.no_request = submissions.no_request,
        replay.departure_past = submissions.departure_past,
        replay.refused = submissions.refused,
        replay.retried = submissions.retried,
        replay.unknown = submissions.unknown,
        "replayed drivers"
    );
    let inputs = Inputs {
        speedup: args.speedup,
        cap_kw: args.wire_cap_kw(),
        outcomes: measured.outcomes,
        submitted: submissions.submitted,
        peak_kw: measured.peak_kw,
        peak_source: measured.peak_source,
    };
    tokio::task::spawn_blocking(move || report::report(&inputs))
        .await
        .context("the hindsight optimization stopped")?
        .context("the optimizer refused the hindsight problem")
}

/// The replay's data folder: the one given (kept), or a fresh temporary one removed on drop.
#[derive(Debug)]
struct DataDir {
    path: PathBuf,
    temporary: bool,
}

impl DataDir {
    fn new(given: Option<&Path>) -> anyhow::Result<Self> {
        let (path, temporary) = match given {
            Some(path) => (path.to_path_buf(), false),
            None => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos());
                let name = format!("chargeplan-replay-{}-{nanos}", std::process::id());
                (std::env::temp_dir().join(name), true)
            }
        };
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create the data folder {}", path.display()))?;
        Ok(Self { path, temporary })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.temporary
            && let Err(error) = std::fs::remove_dir_all(&self.path)
        {
            tracing::warn!(
                path = %self.path.display(),
                error = %error,
                "cannot remove the replay's temporary folder"
            );
        }
    }
}
