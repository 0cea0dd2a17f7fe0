//! Request submitted → new charging profiles accepted by the vendor, for a 100-port site
//! behind the simulated CPO, through the whole running path: SQLite store, OCPI receiver
//! served on a local port, the exchange service, the control service with dispatch.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use chargeplan_control::feedback::TaperMemory;
use chargeplan_control::{ControlConfig, DispatchSetup, planner, snapshot};
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, Kilowatts, Phases, Port, PortId,
    SessionId, Setpoint, SetpointState, Site, SiteId, SystemClock, VendorAccountId, VendorRef,
};
use chargeplan_exchange::accounts::{OurParty, cloud_for, register_account};
use chargeplan_exchange::dispatch::{DispatchConfig, Dispatcher, orders_from_plan};
use chargeplan_exchange::ingest::ingest_sessions;
use chargeplan_exchange::ocpi::TokenEncoding;
use chargeplan_exchange::ocpi::receiver::RESULTS_PATH;
use chargeplan_exchange::poller::PollerConfig;
use chargeplan_exchange::service::{ExchangeConfig, ExchangeService};
use chargeplan_exchange::{RateUnit, VendorCloud};
use chargeplan_sim::{
    ArrivalSpec, AsyncResult, ClockMode, EvseSpec, LocationSpec, PowerType, ProfileAnswer,
    ProfileRequestKind, SimCloud, SimConfig,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreTarget};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::common::{Captured, cpu_time, env_usize, load_average, summary};

const TOKEN_A: &str = "bench-token-a";
const VENDOR: &str = "bench-cpo";
const SITE: &str = "bench-site";
const LOCATION: &str = "BENCH";

/// `PORTS` EVSEs of 11.04 kW (three-phase 230 V × 16 A), all profile capable.
fn sim_site(ports: usize) -> chargeplan_sim::Site {
    let evses = (1..=ports)
        .map(|n| EvseSpec::new(evse_uid(n), PowerType::Ac3Phase, 230, 16))
        .collect();
    chargeplan_sim::Site {
        locations: vec![LocationSpec {
            id: LOCATION.into(),
            name: "Bench car park".into(),
            address: "1 Bench Street".into(),
            city: "Pasadena".into(),
            country: "USA".into(),
            latitude: "34.137000".into(),
            longitude: "-118.125000".into(),
            time_zone: "America/Los_Angeles".into(),
            evses,
        }],
    }
}

fn evse_uid(n: usize) -> String {
    format!("BENCH-{n:03}")
}

pub async fn run(captured: &Captured) -> anyhow::Result<()> {
    let requests = env_usize("N", 200);
    let cars = env_usize("CARS", 60);
    let port_count = env_usize("PORTS", 100);
    let cap_kw = env_usize("CAP_KW", 250) as f64;
    let result_delay = Duration::from_millis(env_usize("RESULT_DELAY_MS", 10) as u64);
    let gap = Duration::from_millis(env_usize("GAP_MS", 100) as u64);
    println!(
        "request-latency: {port_count} ports, {cars} cars, circuit cap {cap_kw} kW, {requests} \
         requests {} ms apart, simulator result delay {} ms; load average {}",
        gap.as_millis(),
        result_delay.as_millis(),
        load_average()
    );

    let dir = tempfile::tempdir()?;
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await?;
    store.migrate().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now();
    let site_id = SiteId::parse(SITE)?;
    store
        .upsert_site(
            &Site::new(site_id.clone(), "Bench site", "America/Los_Angeles", 5)?,
            now,
        )
        .await?;
    let circuit_id = CircuitId::parse("bench-main")?;
    store
        .replace_circuits(
            &site_id,
            &[Circuit::new(
                circuit_id.clone(),
                site_id.clone(),
                "Main",
                None,
                Kilowatts::new(cap_kw)?,
            )?],
            now,
        )
        .await?;

    // Our server: the OCPI receiver routes of the exchange, on a local port.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let public_url = format!("http://{}", listener.local_addr()?);
    let results_url = format!("{public_url}{RESULTS_PATH}");
    let (tasks, cancel) = (TaskTracker::new(), CancellationToken::new());
    let (exchange, routes) = ExchangeService::start(
        store.clone(),
        clock.clone(),
        ExchangeConfig {
            public_url: public_url.clone(),
            poller: PollerConfig::default(),
            accounts_rescan: Duration::from_secs(1),
            request_timeout: Duration::from_secs(30),
        },
        &tasks,
        cancel.clone(),
    );
    let stop_serving = cancel.clone();
    tasks.spawn(async move {
        axum::serve(listener, routes)
            .with_graceful_shutdown(stop_serving.cancelled_owned())
            .await
    });

    // The simulated CPO, registered with like `chargeplan vendor register` / the demo.
    let mut sim_config = SimConfig::new(TOKEN_A, now).with_site(sim_site(port_count));
    sim_config.registered = false;
    sim_config.clock = ClockMode::RealTime {
        start: now,
        speedup: 1.0,
    };
    sim_config.profiles.result_delay = result_delay;
    let sim = SimCloud::start(sim_config).await?;
    let us = OurParty {
        public_url: public_url.clone(),
        country_code: "US".into(),
        party_id: "CPL".into(),
        name: "chargeplan bench".into(),
    };
    let account = register_account(
        store.as_ref(),
        VendorAccountId::parse(VENDOR)?,
        &sim.base_url(),
        TOKEN_A,
        TokenEncoding::Base64,
        RateUnit::Watts,
        &us,
        clock.now(),
    )
    .await?;
    let cloud =
        cloud_for(&account, reqwest::Client::new(), &results_url).map_err(anyhow::Error::msg)?;
    let reported = cloud.ports().await?.items;
    ensure!(
        reported.len() == port_count,
        "the CPO lists {} ports",
        reported.len()
    );
    for port in &reported {
        store
            .upsert_port(&Port::new(
                PortId::parse(&port.evse_uid)?,
                site_id.clone(),
                circuit_id.clone(),
                VendorRef::new(
                    account.id.clone(),
                    &port.location_id,
                    &port.evse_uid,
                    &port.connector_id,
                )?,
                Kilowatts::new(port.max_kw)?,
                if port.phases == 3 {
                    Phases::Three
                } else {
                    Phases::One
                },
                port.voltage_v,
                port.controllable,
            )?)
            .await?;
    }

    // Cars plugged in, staying 2–10 h, 20–60 % charged.
    let sim_now = sim.now();
    for k in 0..cars {
        sim.plug_in(ArrivalSpec {
            evse: evse_uid(k + 1),
            token_uid: format!("BENCH-CAR-{k:03}"),
            arrival: sim_now,
            departure: Some(sim_now + chrono::Duration::minutes(120 + (k as i64 * 37) % 480)),
            battery_kwh: 60.0 + (k % 4) as f64 * 10.0,
            soc: 0.2 + (k % 5) as f64 * 0.1,
            max_kw: 11.0,
        })?;
    }
    let since = now - chrono::Duration::hours(1);
    let listing = cloud.sessions_since(since).await?;
    let ingested = ingest_sessions(store.as_ref(), &account.id, &listing.items, since).await?;
    ensure!(ingested.inserted == cars, "ingested {ingested:?}");
    let sessions = store.list_open_sessions(&site_id).await?;
    ensure!(sessions.len() == cars, "{} open sessions", sessions.len());

    let control = chargeplan_control::start(
        store.clone(),
        clock.clone(),
        ControlConfig {
            dispatch: Some(DispatchSetup {
                results: exchange.results.clone(),
                results_url: results_url.clone(),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()?,
            }),
            ..ControlConfig::default()
        },
        &tasks,
        cancel.clone(),
    );
    for _ in 0..3 {
        control.replan_now(&site_id).await?;
    }
    let history_h = env_usize("HISTORY_HOURS", 24);
    let seeded = seed_history(store.as_ref(), &site_id, clock.now(), history_h).await?;
    println!(
        "  history: {seeded} accepted setpoints seeded over the last {history_h} h (a 5-minute \
         tick re-sending every session's profile); setpoints of the last day before the \
         requests: {}",
        setpoints_of_the_day(store.as_ref(), &site_id, clock.now()).await?
    );
    captured.take();

    let mut revisions: HashMap<usize, u32> = HashMap::new();
    let mut total_ms = Vec::with_capacity(requests);
    let mut store_ms = Vec::with_capacity(requests);
    let mut replan_ms = Vec::new();
    let mut solve_ms = Vec::new();
    let mut puts = Vec::with_capacity(requests);
    let (mut not_resent, mut not_accepted) = (0, 0);
    let cpu_before = cpu_time();
    let wall_before = Instant::now();
    for i in 0..requests {
        let k = (i * 7) % sessions.len();
        let session = &sessions[k];
        let revision = revisions.entry(k).or_insert(0);
        *revision += 1;
        let now = clock.now();
        let request = ChargingRequest::new(
            session.id.clone(),
            *revision,
            now + chrono::Duration::minutes(180 + ((i * 53) % 420) as i64),
            EnergyNeed::Kwh(5.0 + ((i * 13) % 30) as f64),
            None,
            now,
        )?;
        let logged_before = sim.profile_log().len();
        let began = Instant::now();
        store
            .add_request_revision(&request, &Effects::none())
            .await?;
        let stored = began.elapsed();
        control.replan_now(&site_id).await?;
        let elapsed = began.elapsed();
        total_ms.push(elapsed.as_secs_f64() * 1e3);
        store_ms.push(stored.as_secs_f64() * 1e3);
        if let Some(last) = captured.take().last() {
            replan_ms.push(last.total_ms);
            solve_ms.push(last.solve_ms);
        }

        // Not timed: the CPO saw the new profile for this session and accepted it, and our
        // setpoint for it is stored as accepted.
        let log = sim.profile_log();
        let new = &log[logged_before..];
        puts.push(
            new.iter()
                .filter(|e| e.kind == ProfileRequestKind::Set)
                .count() as f64,
        );
        match new.iter().rev().find(|e| {
            e.session_id == session.vendor_session_id && e.kind == ProfileRequestKind::Set
        }) {
            None => not_resent += 1,
            Some(entry) => {
                let setpoints = store
                    .list_setpoints(&site_id, now - chrono::Duration::seconds(1))
                    .await?;
                let ours = setpoints.iter().rev().find(|s| s.session_id == session.id);
                if entry.answer != ProfileAnswer::Accepted
                    || entry.async_result != Some(AsyncResult::Accepted)
                    || ours.is_none_or(|s| s.state != SetpointState::Accepted)
                {
                    not_accepted += 1;
                }
            }
        }
        tokio::time::sleep(gap).await;
    }
    let cpu = cpu_time() - cpu_before;
    let wall = wall_before.elapsed() - gap * requests as u32;

    println!("request-latency: request stored -> replan_now returned (profiles accepted):");
    println!("  total            {}", summary(&total_ms));
    let first: Vec<f64> = total_ms.iter().take(50).copied().collect();
    let last: Vec<f64> = total_ms.iter().rev().take(50).copied().collect();
    println!("  first 50         {}", summary(&first));
    println!("  last 50          {}", summary(&last));
    let halves = |values: &[f64]| {
        let half = values.len() / 2;
        format!(
            "first half {} / second half {}",
            summary(&values[..half]),
            summary(&values[half..])
        )
    };
    println!("  add_request      {}", summary(&store_ms));
    println!(
        "  planner::replan  {}  (snapshot + solve + save, from its log event)",
        summary(&replan_ms)
    );
    println!("  of which solve   {}", summary(&solve_ms));
    println!("  planner::replan  {}", halves(&replan_ms));
    println!("  solve            {}", halves(&solve_ms));
    let dispatch: Vec<f64> = total_ms
        .iter()
        .zip(&store_ms)
        .zip(&replan_ms)
        .map(|((t, s), r)| t - s - r)
        .collect();
    println!(
        "  rest (dispatch, events, conversations) {}",
        summary(&dispatch)
    );
    println!("  rest             {}", halves(&dispatch));
    println!(
        "  setpoints of the last day after the requests: {}",
        setpoints_of_the_day(store.as_ref(), &site_id, clock.now()).await?
    );
    println!(
        "  profile PUTs per request: mean {:.1}; session's profile not re-sent {not_resent}, \
         not accepted {not_accepted}",
        puts.iter().sum::<f64>() / puts.len().max(1) as f64
    );
    println!(
        "  process CPU {:.1} s over {:.1} s of requests (sleeps excluded): {:.0} ms CPU per request",
        cpu.as_secs_f64(),
        wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e3 / requests.max(1) as f64
    );

    phases(&store, &clock, &site_id, cloud, &exchange).await?;
    println!("  load average at the end {}", load_average());

    cancel.cancel();
    tasks.close();
    if tokio::time::timeout(Duration::from_secs(10), tasks.wait())
        .await
        .is_err()
    {
        eprintln!("background tasks did not stop within 10 s");
    }
    sim.shutdown().await;
    Ok(())
}

/// Each phase on its own, outside the service (its worker is idle meanwhile): snapshot,
/// solve, the whole `planner::replan` (save = replan − snapshot − solve), reading the
/// current limits as the dispatcher does (setpoints of the last day), and a dispatch of the
/// plan through its own `Dispatcher` to the same CPO.
async fn phases(
    shared_store: &Arc<dyn Store>,
    shared_clock: &Arc<dyn Clock>,
    site_id: &SiteId,
    cloud: chargeplan_exchange::ocpi::OcpiCloud,
    exchange: &ExchangeService,
) -> anyhow::Result<()> {
    let (store, clock) = (shared_store.as_ref(), shared_clock.as_ref());
    let rounds = env_usize("PHASE_ROUNDS", 20);
    let site = store.get_site(site_id).await?;
    let config = ControlConfig::default();
    let taper = TaperMemory::default();
    let dispatcher = Dispatcher::new(
        Arc::new(cloud),
        shared_store.clone(),
        shared_clock.clone(),
        exchange.results.clone(),
        DispatchConfig::default(),
    );
    let (mut snap_ms, mut solve_ms, mut replan_ms, mut limits_ms, mut dispatch_ms) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut setpoints_read = 0;
    for _ in 0..rounds {
        let began = Instant::now();
        let snap = snapshot::build(store, &site, clock.now(), &config, &taper).await?;
        snap_ms.push(began.elapsed().as_secs_f64() * 1e3);
        let problem = snap.problem.clone();
        let began = Instant::now();
        chargeplan_optimizer::optimize(&problem).context("optimize")?;
        solve_ms.push(began.elapsed().as_secs_f64() * 1e3);
        let began = Instant::now();
        let replanned = planner::replan(store, &site, clock.now(), &config, &taper, None).await?;
        replan_ms.push(began.elapsed().as_secs_f64() * 1e3);

        let began = Instant::now();
        let now = clock.now();
        let ports = store.list_ports(site_id).await?;
        let setpoints = store
            .list_setpoints(site_id, now - chrono::Duration::days(1))
            .await?;
        setpoints_read = setpoints.len();
        let mut current = HashMap::new();
        for setpoint in setpoints {
            if setpoint.state == SetpointState::Accepted
                && let Some(kw) = setpoint.limit_at(now)
            {
                current.insert(setpoint.session_id.clone(), kw);
            }
        }
        limits_ms.push(began.elapsed().as_secs_f64() * 1e3);
        let sessions: Vec<_> = replanned
            .snapshot
            .sessions
            .iter()
            .map(|s| s.session.clone())
            .collect();
        let orders = orders_from_plan(&replanned.plan, &ports, &sessions, &current);
        let began = Instant::now();
        dispatcher
            .dispatch(site_id, Some(&replanned.plan.id), orders)
            .await;
        dispatch_ms.push(began.elapsed().as_secs_f64() * 1e3);
    }
    println!("request-latency phases, measured apart ({rounds} rounds):");
    println!("  snapshot::build  {}", summary(&snap_ms));
    println!("  optimize         {}", summary(&solve_ms));
    println!("  planner::replan  {}", summary(&replan_ms));
    println!(
        "  current limits   {}  (list_setpoints over 1 day: {setpoints_read} rows at the end)",
        summary(&limits_ms)
    );
    println!("  Dispatcher::dispatch {}", summary(&dispatch_ms));
    Ok(())
}

/// Rows the dispatcher reads on every dispatch (`list_setpoints` over the last day).
async fn setpoints_of_the_day(
    store: &dyn Store,
    site_id: &SiteId,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<usize> {
    Ok(store
        .list_setpoints(site_id, now - chrono::Duration::days(1))
        .await?
        .len())
}

/// The setpoints a site running for `hours` would have: every 5-minute tick re-sends every
/// open session's profile (the dispatcher sends an order for every planned session), so
/// each session's newest profile is copied once per tick back in time, accepted.
async fn seed_history(
    store: &dyn Store,
    site_id: &SiteId,
    now: chrono::DateTime<chrono::Utc>,
    hours: usize,
) -> anyhow::Result<usize> {
    let mut newest: HashMap<SessionId, Setpoint> = HashMap::new();
    for setpoint in store
        .list_setpoints(site_id, now - chrono::Duration::hours(1))
        .await?
    {
        newest.insert(setpoint.session_id.clone(), setpoint);
    }
    let mut seeded = 0;
    for tick in 1..=hours * 12 {
        let at = now - chrono::Duration::minutes(5 * tick as i64);
        for latest in newest.values() {
            let mut old = Setpoint::new(
                site_id.clone(),
                None,
                latest.port_id.clone(),
                latest.session_id.clone(),
                at,
                latest.periods.clone(),
                at,
            )?;
            old.state = SetpointState::Accepted;
            store.insert_setpoint(&old).await?;
            seeded += 1;
        }
    }
    Ok(seeded)
}
