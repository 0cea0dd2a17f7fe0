//! `chargeplan demo`: the whole system on one machine with no configuration. A simulated
//! vendor cloud replays a real day of Caltech's garage (ACN-Data 2019-06-14, 49 sessions,
//! CC BY 4.0) at a speed-up; chargeplan registers with it, polls it, texts every driver a
//! Welcome link through the console SMS adapter, re-plans the site and sends the limits back.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, Participant, ParticipantId, Phases, PhoneNumber, Port,
    PortId, ScaledClock, Site, SiteId, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_exchange::accounts::{cloud_for, register_account};
use chargeplan_exchange::ocpi::TokenEncoding;
use chargeplan_exchange::ocpi::receiver::RESULTS_PATH;
use chargeplan_exchange::{RateUnit, VendorCloud};
use chargeplan_sim::{ClockMode, SimCloud, SimConfig, SimHandle};
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use tokio::net::TcpListener;

use crate::cli::DemoArgs;
use crate::server;
use crate::settings::{Settings, SmsSettings};

/// The registration token the simulated CPO hands out for the demo.
const TOKEN_A: &str = "chargeplan-demo-token-a";
/// The demo site's id, and the vendor account's.
const SITE: &str = "caltech";
const VENDOR: &str = "caltech-sim";
/// The garage's service cap, kW.
const SERVICE_CAP_KW: f64 = 150.0;
/// The replay starts at 07:00 Pacific on the recorded day, when the first cars arrive.
const START_LOCAL_HOUR: i64 = 7;
/// Replayed drivers: ACN-0001 … ACN-0049.
const DRIVERS: u32 = 49;

/// Runs the demo until `shutdown`.
pub async fn run(
    args: &DemoArgs,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let settings = demo_settings(args, settings);
    let origin = chargeplan_sim::acn_day_start() + chrono::Duration::hours(START_LOCAL_HOUR);
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(origin, args.speedup));
    let sim = start_sim(origin, args.speedup).await?;

    let store = fresh_store(&settings.server.data_dir).await?;
    server::migrate_store(store.as_ref()).await?;
    seed(store.as_ref(), clock.now()).await?;
    let listener = TcpListener::bind(settings.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    let address = listener.local_addr()?;

    let connect = tokio::spawn(connect_vendor(
        store.clone(),
        clock.clone(),
        sim.base_url(),
        address,
        settings.clone(),
    ));
    print_banner(address, args.speedup);
    let served = server::run_on(&settings, store, clock, listener, shutdown).await;
    connect.abort();
    sim.shutdown().await;
    served
}

/// The user's settings with what the demo fixes: its own SQLite file, console texts, quick
/// polling (the sped-up clock makes a minute pass in a second).
fn demo_settings(args: &DemoArgs, settings: &Settings) -> Settings {
    let mut settings = settings.clone();
    settings.server.listen = args.listen;
    settings.server.data_dir = args.data_dir.clone();
    settings.database.postgres_url = None;
    settings.sms = SmsSettings::Console;
    settings.exchange.public_url = None;
    settings.exchange.poll_interval = Duration::from_secs(2);
    settings.exchange.accounts_rescan = Duration::from_secs(1);
    settings.driver.public_url = None;
    settings
}

async fn start_sim(
    origin: chrono::DateTime<chrono::Utc>,
    speedup: f64,
) -> anyhow::Result<SimHandle> {
    let mut config = SimConfig::new(TOKEN_A, origin).with_site(chargeplan_sim::Site::caltech());
    config.registered = false;
    config.clock = ClockMode::RealTime {
        start: origin,
        speedup,
    };
    let sim = SimCloud::start(config)
        .await
        .context("cannot start the simulated vendor cloud")?;
    sim.replay_acn_day(chargeplan_sim::acn_day_start())
        .context("cannot schedule the recorded day")?;
    Ok(sim)
}

/// The demo's own database, emptied at every start so each run replays the day afresh.
async fn fresh_store(dir: &Path) -> anyhow::Result<Arc<dyn Store>> {
    let path = dir.join("chargeplan.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.join(format!("chargeplan.db{suffix}"));
        if file.exists() {
            std::fs::remove_file(&file).with_context(|| {
                format!(
                    "cannot remove the previous demo database {}",
                    file.display()
                )
            })?;
        }
    }
    Ok(chargeplan_store::open(&StoreTarget::Sqlite { path }).await?)
}

/// The garage, its service, and the 49 drivers of the day as registered participants with
/// fictional phone numbers (555-01xx is reserved for fiction).
async fn seed(store: &dyn Store, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    let site_id = SiteId::parse(SITE)?;
    store
        .upsert_site(
            &Site::new(site_id.clone(), "Caltech garage", "America/Los_Angeles", 5)?,
            now,
        )
        .await?;
    let service = Circuit::new(
        CircuitId::parse("service")?,
        site_id.clone(),
        "Garage service",
        None,
        Kilowatts::new(SERVICE_CAP_KW)?,
    )?;
    store.replace_circuits(&site_id, &[service], now).await?;
    for n in 1..=DRIVERS {
        let participant = Participant::new(
            ParticipantId::parse(&format!("driver-{n:02}"))?,
            site_id.clone(),
            PhoneNumber::parse(&format!("+1415555{:04}", 100 + n))?,
            vec![TokenUid::parse(&format!("ACN-{n:04}"))?],
            WhPerMile::default(),
            now,
        )?;
        store.insert_participant(&participant).await?;
    }
    Ok(())
}

/// Registers with the simulated CPO (our server must answer its call-back, so this runs
/// beside it) and maps every connector it reports onto the garage's service.
async fn connect_vendor(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    versions_url: String,
    address: SocketAddr,
    settings: Settings,
) {
    if let Err(error) = try_connect_vendor(store, clock, &versions_url, address, &settings).await {
        tracing::error!(
            error = format!("{error:#}"),
            "the demo could not connect to its vendor cloud"
        );
    }
}

async fn try_connect_vendor(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    versions_url: &str,
    address: SocketAddr,
    settings: &Settings,
) -> anyhow::Result<()> {
    let us = settings.exchange.our_party(address);
    let account = register_account(
        store.as_ref(),
        VendorAccountId::parse(VENDOR)?,
        versions_url,
        TOKEN_A,
        TokenEncoding::Base64,
        RateUnit::Watts,
        &us,
        clock.now(),
    )
    .await?;
    let cloud = cloud_for(
        &account,
        reqwest::Client::new(),
        &format!("{}{RESULTS_PATH}", us.public_url),
    )
    .map_err(anyhow::Error::msg)?;
    let site_id = SiteId::parse(SITE)?;
    let service = CircuitId::parse("service")?;
    let ports = cloud.ports().await?.items;
    for reported in &ports {
        let port = Port::new(
            PortId::parse(&reported.evse_uid)?,
            site_id.clone(),
            service.clone(),
            VendorRef::new(
                account.id.clone(),
                &reported.location_id,
                &reported.evse_uid,
                &reported.connector_id,
            )?,
            Kilowatts::new(reported.max_kw)?,
            if reported.phases == 3 {
                Phases::Three
            } else {
                Phases::One
            },
            reported.voltage_v,
            reported.controllable,
        )?;
        store.upsert_port(&port).await?;
    }
    tracing::info!(demo.ports = ports.len(), "demo vendor cloud connected");
    Ok(())
}

fn print_banner(address: SocketAddr, speedup: f64) {
    println!(
        "chargeplan demo: Caltech's garage (54 ports, {SERVICE_CAP_KW:.0} kW service) replaying"
    );
    println!("  2019-06-14 from 07:00 (49 real sessions, ACN-Data, CC BY 4.0) at {speedup}x.");
    println!("  Every driver is a registered participant; their texts appear below and at");
    println!("  http://{address}/dev/sms - open a Welcome link to tell us when you leave and");
    println!("  how much you need, and watch the projection change. Ctrl-C stops.");
}
