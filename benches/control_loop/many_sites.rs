//! Many sites on one instance: one full round of re-plans (snapshot + optimize + store, no
//! dispatch) of every site, `chargeplan_control::planner::replan` called directly, with a
//! bounded number of sites in flight; CPU time and wall time per round.

use std::sync::Arc;
use std::time::Instant;

use anyhow::ensure;
use chargeplan_control::feedback::TaperMemory;
use chargeplan_control::{ControlConfig, planner};
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, KilowattHours, Kilowatts, LimitPeriod,
    MeterSample, Phases, Port, PortId, Session, SessionId, SessionStatus, SetpointState, Site,
    SiteId, SystemClock, VendorAccountId, VendorRef,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreTarget, VendorAccount};
use chrono::{DateTime, Duration, Utc};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::common::{Captured, cpu_time, env_list, env_usize, load_average, summary};

const VENDOR: &str = "fleet-cpo";
/// Port maximum: single-phase 240 V × 30 A.
const PORT_KW: f64 = 7.2;

#[derive(Debug, Clone, Copy)]
struct Shape {
    ports: usize,
    sessions: usize,
    samples: usize,
    cap_kw: f64,
}

pub async fn run(captured: &Captured) -> anyhow::Result<()> {
    let shape = Shape {
        ports: env_usize("PORTS_PER_SITE", 50),
        sessions: env_usize("SESSIONS", 30),
        samples: env_usize("SAMPLES", 12),
        cap_kw: env_usize("SITE_CAP_KW", 120) as f64,
    };
    let rounds = env_usize("ROUNDS", 2);
    let history_h = env_usize("HISTORY_HOURS", 0);
    // The dispatcher's own store read (every setpoint of the site's last day), without the
    // HTTP calls: on by default when there is a setpoint history.
    let dispatch_read = env_usize("DISPATCH_READ", usize::from(history_h > 0)) > 0;
    let concurrency = env_usize("CONCURRENCY", 2).max(1);
    for sites in env_list("SITES", &[100, 1000]) {
        let dir = tempfile::tempdir()?;
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await?;
        store.migrate().await?;
        let clock = SystemClock;
        let began = Instant::now();
        seed(store.as_ref(), sites, shape, clock.now()).await?;
        println!(
            "many-sites: {sites} sites x {} ports, {} open sessions each (2 in 3 with a \
             request, {} meter samples each), site cap {} kW: seeded in {:.1} s; load average {}",
            shape.ports,
            shape.sessions,
            shape.samples,
            shape.cap_kw,
            began.elapsed().as_secs_f64(),
            load_average()
        );
        if history_h > 0 {
            let began = Instant::now();
            let rows =
                seed_history(&dir.path().join("chargeplan.db"), history_h, clock.now()).await?;
            println!(
                "  history: {rows} accepted setpoints ({} per session: every session's profile \
                 re-sent at each 5-minute tick for {history_h} h, {HISTORY_PERIODS} periods \
                 each) written in {:.1} s",
                history_h * 12,
                began.elapsed().as_secs_f64()
            );
        }
        let all = store.list_sites().await?;
        ensure!(all.len() == sites, "{} sites stored", all.len());
        let config = Arc::new(ControlConfig::default());
        let tapers: Vec<Arc<TaperMemory>> = all.iter().map(|_| Arc::default()).collect();
        for round in 1..=rounds {
            captured.take();
            let limit = Arc::new(Semaphore::new(concurrency));
            let mut running = JoinSet::new();
            let cpu_before = cpu_time();
            let began = Instant::now();
            for (site, taper) in all.iter().zip(&tapers) {
                let permit = limit.clone().acquire_owned().await?;
                let (store, config, site, taper) =
                    (store.clone(), config.clone(), site.clone(), taper.clone());
                running.spawn(async move {
                    let _permit = permit;
                    let began = Instant::now();
                    let replanned =
                        planner::replan(store.as_ref(), &site, Utc::now(), &config, &taper, None)
                            .await?;
                    let planned = began.elapsed();
                    let read = if dispatch_read {
                        store
                            .list_setpoints(&site.id, Utc::now() - Duration::days(1))
                            .await?
                            .len()
                    } else {
                        0
                    };
                    anyhow::Ok((
                        began.elapsed(),
                        planned,
                        read,
                        replanned.plan.sessions.len(),
                    ))
                });
            }
            let (mut per_site, mut replan_ms, mut read_ms) = (vec![], vec![], vec![]);
            let mut rows_read = 0;
            while let Some(done) = running.join_next().await {
                let (elapsed, replanned, read, planned) = done??;
                ensure!(planned == shape.sessions, "{planned} sessions planned");
                per_site.push(elapsed.as_secs_f64() * 1e3);
                replan_ms.push(replanned.as_secs_f64() * 1e3);
                read_ms.push((elapsed - replanned).as_secs_f64() * 1e3);
                rows_read += read;
            }
            let wall = began.elapsed().as_secs_f64();
            let cpu = (cpu_time() - cpu_before).as_secs_f64();
            let events = captured.take();
            let solve: Vec<f64> = events.iter().map(|e| e.solve_ms).collect();
            let solve_total = solve.iter().sum::<f64>() / 1e3;
            println!(
                "  round {round}: {sites} re-plans, {concurrency} in flight: wall {wall:.1} s, \
                 process CPU {cpu:.1} s -> CPU share of a 300 s period: {:.1} % of one core, \
                 {:.1} % of the 2-core machine; solve time {solve_total:.1} s ({:.0} % of CPU); \
                 load average {}",
                cpu / 300.0 * 100.0,
                cpu / 600.0 * 100.0,
                solve_total / cpu * 100.0,
                load_average()
            );
            println!("    per site (wall, in flight) {}", summary(&per_site));
            println!("    planner::replan            {}", summary(&replan_ms));
            println!("    solve                      {}", summary(&solve));
            if dispatch_read {
                println!(
                    "    dispatcher's setpoint read {}  ({} rows per site)",
                    summary(&read_ms),
                    rows_read / sites.max(1)
                );
            }
        }
    }
    Ok(())
}

/// Periods of each seeded history setpoint.
const HISTORY_PERIODS: u32 = 12;

/// Writes `hours` of setpoint history for every session straight into the SQLite file (one
/// statement; through the store it would take minutes): one accepted setpoint per session
/// every 5 minutes, as a site whose dispatcher re-sends every profile at every tick has.
async fn seed_history(
    path: &std::path::Path,
    hours: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let periods: Vec<LimitPeriod> = (0..HISTORY_PERIODS)
        .map(|i| LimitPeriod {
            start_offset_s: i * 1800,
            limit_kw: if i % 2 == 0 { PORT_KW } else { 4.8 },
        })
        .collect();
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .busy_timeout(std::time::Duration::from_secs(30)),
        )
        .await?;
    let written = sqlx::query(
        "INSERT INTO setpoints (id, site_id, plan_id, port_id, session_id, starts_at, \
         periods_json, state, created_at, updated_at) \
         WITH RECURSIVE ticks(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM ticks WHERE k < $1) \
         SELECT lower(hex(randomblob(16))), s.site_id, NULL, s.port_id, s.id, \
         $2 - k * 300000000, $3, $4, $2 - k * 300000000, $2 - k * 300000000 \
         FROM sessions s CROSS JOIN ticks",
    )
    .bind(i64::try_from(hours * 12)?)
    .bind(now.timestamp_micros())
    .bind(serde_json::to_string(&periods)?)
    .bind(SetpointState::Accepted.as_str())
    .execute(&pool)
    .await?
    .rows_affected();
    pool.close().await;
    Ok(written)
}

/// `sites` sites with one circuit, `ports` ports, `sessions` open sessions (started 0–6 h
/// ago, two in three with a driver's request), `samples` meter samples each (one a minute,
/// the newest now).
async fn seed(
    store: &dyn Store,
    sites: usize,
    shape: Shape,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let vendor = VendorAccountId::parse(VENDOR)?;
    store
        .upsert_vendor_account(&VendorAccount {
            id: vendor.clone(),
            protocol: "ocpi-2.2.1".into(),
            versions_url: "http://127.0.0.1:9/ocpi/versions".into(),
            outbound_token: String::new(),
            inbound_token: "unused".into(),
            token_encoding: "base64".into(),
            sessions_url: String::new(),
            locations_url: String::new(),
            charging_profiles_url: String::new(),
            rate_unit: "W".into(),
            enabled: false,
            created_at: now,
            updated_at: now,
        })
        .await?;
    for s in 0..sites {
        let site_id = SiteId::parse(&format!("site-{s:04}"))?;
        store
            .upsert_site(
                &Site::new(
                    site_id.clone(),
                    &format!("Site {s}"),
                    "America/Los_Angeles",
                    5,
                )?,
                now,
            )
            .await?;
        let circuit_id = CircuitId::parse(&format!("site-{s:04}-main"))?;
        store
            .replace_circuits(
                &site_id,
                &[Circuit::new(
                    circuit_id.clone(),
                    site_id.clone(),
                    "Main",
                    None,
                    Kilowatts::new(shape.cap_kw)?,
                )?],
                now,
            )
            .await?;
        let mut port_ids = Vec::with_capacity(shape.ports);
        for p in 0..shape.ports {
            let port_id = PortId::parse(&format!("site-{s:04}-p{p:02}"))?;
            store
                .upsert_port(&Port::new(
                    port_id.clone(),
                    site_id.clone(),
                    circuit_id.clone(),
                    VendorRef::new(
                        vendor.clone(),
                        &format!("LOC-{s:04}"),
                        &format!("EVSE-{p:02}"),
                        "1",
                    )?,
                    Kilowatts::new(PORT_KW)?,
                    Phases::One,
                    240.0,
                    true,
                )?)
                .await?;
            port_ids.push(port_id);
        }
        for k in 0..shape.sessions {
            // Spread over the ports, started 0–6 h ago, charged at ~5 kW so far.
            let started = now - Duration::minutes(((s * 31 + k * 47) % 360) as i64);
            let charged_h = (now - started).num_seconds() as f64 / 3600.0;
            let session = Session {
                id: SessionId::generate(),
                site_id: site_id.clone(),
                vendor_account: vendor.clone(),
                vendor_session_id: format!("S{s:04}-{k:02}"),
                port_id: Some(port_ids[(k * 5) % shape.ports].clone()),
                token_uid: None,
                started_at: started,
                ended_at: None,
                energy: KilowattHours::new(charged_h * 5.0)?,
                power: Kilowatts::new(5.0)?,
                status: SessionStatus::Active,
                vendor_updated_at: now,
            };
            let (_, stored) = store.upsert_session(&session, &Effects::none()).await?;
            for j in 0..shape.samples {
                let at = now - Duration::minutes(j as i64);
                if at < started {
                    break;
                }
                let hours = (at - started).num_seconds() as f64 / 3600.0;
                store
                    .add_meter_sample(&MeterSample::new(
                        stored.id.clone(),
                        at,
                        KilowattHours::new(hours * 5.0)?,
                        Kilowatts::new(5.0)?,
                        None,
                    )?)
                    .await?;
            }
            if k % 3 != 2 {
                let request = ChargingRequest::new(
                    stored.id.clone(),
                    1,
                    now + Duration::minutes(60 + ((s * 13 + k * 29) % 540) as i64),
                    EnergyNeed::Kwh(10.0 + ((s + k * 7) % 30) as f64),
                    None,
                    now,
                )?;
                store
                    .add_request_revision(&request, &Effects::none())
                    .await?;
            }
        }
    }
    Ok(())
}
