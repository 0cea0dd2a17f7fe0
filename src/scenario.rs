//! The set-up `demo` and `replay` share: Caltech's garage as a simulated vendor cloud replaying
//! the recorded day 2019-06-14 (ACN-Data, CC BY 4.0) on a sped-up clock, a fresh SQLite store
//! seeded with the site, its service and the day's 49 drivers, and the vendor registration
//! that maps every reported connector onto the service; and the day's drivers, who submit
//! their recorded requests (`drivers`).

pub mod drivers;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, MemberId, Participant, ParticipantId, Phases,
    PhoneNumber, Port, PortId, SharingSettings, Site, SiteId, TokenUid, VendorAccountId, VendorRef,
    WhPerMile,
};
use chargeplan_exchange::accounts::{cloud_for, register_account};
use chargeplan_exchange::ocpi::TokenEncoding;
use chargeplan_exchange::ocpi::receiver::RESULTS_PATH;
use chargeplan_exchange::{RateUnit, VendorCloud};
use chargeplan_sim::{ClockMode, SimCloud, SimConfig, SimHandle};
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;

use crate::settings::{Settings, SmsSettings};

/// The registration token the simulated CPO hands out.
const TOKEN_A: &str = "chargeplan-demo-token-a";
/// The garage's site id.
pub const SITE: &str = "caltech";
/// The vendor account's id.
const VENDOR: &str = "caltech-sim";
/// The id of the garage's service circuit, the root every port hangs on.
pub const SERVICE: &str = "service";
/// The replay starts at 07:00 Pacific on the recorded day, when the first cars arrive.
const START_LOCAL_HOUR: i64 = 7;
/// Replayed drivers: ACN-0001 … ACN-0049.
const DRIVERS: u32 = 49;

/// The simulated instant the scenario starts at: 07:00 Pacific on 2019-06-14.
pub fn origin() -> chrono::DateTime<chrono::Utc> {
    chargeplan_sim::acn_day_start() + chrono::Duration::hours(START_LOCAL_HOUR)
}

/// The day's last recorded unplug: after it the garage stays empty.
pub fn last_departure() -> chrono::DateTime<chrono::Utc> {
    chargeplan_sim::acn_day()
        .iter()
        .map(|s| s.departure)
        .max()
        .unwrap_or_else(origin)
}

/// The day's last recorded arrival.
pub fn last_arrival() -> chrono::DateTime<chrono::Utc> {
    chargeplan_sim::acn_day()
        .iter()
        .map(|s| s.arrival)
        .max()
        .unwrap_or_else(origin)
}

/// `at` on the garage's clock, e.g. "23:42" or "01:05 the next day".
pub fn garage_time(at: chrono::DateTime<chrono::Utc>) -> String {
    // The recorded day starts at midnight, Pacific Daylight Time.
    let minutes = (at - chargeplan_sim::acn_day_start()).num_minutes();
    let next_day = if minutes >= 24 * 60 {
        " the next day"
    } else {
        ""
    };
    format!(
        "{:02}:{:02}{next_day}",
        minutes.rem_euclid(24 * 60) / 60,
        minutes.rem_euclid(60)
    )
}

/// The user's settings with what the scenario fixes: its own SQLite file in `data_dir`, the
/// given SMS gateway, quick polling (the sped-up clock makes a minute pass in a second).
pub fn settings(
    settings: &Settings,
    listen: SocketAddr,
    data_dir: &Path,
    sms: SmsSettings,
) -> Settings {
    let mut settings = settings.clone();
    settings.server.listen = listen;
    settings.server.data_dir = data_dir.to_path_buf();
    settings.database.postgres_url = None;
    settings.sms = sms;
    settings.exchange.public_url = None;
    settings.exchange.poll_interval = Duration::from_secs(2);
    settings.exchange.accounts_rescan = Duration::from_secs(1);
    settings.driver.public_url = None;
    settings
}

/// Starts the simulated vendor cloud on the scenario's clock with the recorded day scheduled.
pub async fn start_sim(
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

/// The scenario's own database, emptied at every start so each run replays the day afresh.
pub async fn fresh_store(dir: &Path) -> anyhow::Result<Arc<dyn Store>> {
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

/// The garage, its service of `cap_kw`, and the 49 drivers of the day as registered
/// participants with fictional phone numbers (555-01xx is reserved for fiction).
pub async fn seed(
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
    cap_kw: f64,
) -> anyhow::Result<()> {
    let site_id = SiteId::parse(SITE)?;
    store
        .upsert_site(
            &Site::new(site_id.clone(), "Caltech garage", "America/Los_Angeles", 5)?,
            now,
        )
        .await?;
    let service = Circuit::new(
        CircuitId::parse(SERVICE)?,
        site_id.clone(),
        "Garage service",
        None,
        Kilowatts::new(cap_kw)?,
    )?;
    store.replace_circuits(&site_id, &[service], now).await?;
    for n in 1..=DRIVERS {
        let participant = Participant::new(
            ParticipantId::parse(&format!("driver-{n:02}"))?,
            MemberId::generate(&mut rand::rng()),
            site_id.clone(),
            PhoneNumber::parse(&format!("+1415555{:04}", 100 + n))?,
            vec![TokenUid::parse(&format!("ACN-{n:04}"))?],
            WhPerMile::default(),
            now,
        )?;
        chargeplan_store::register_participant(store, participant).await?;
    }
    store
        .set_sharing_settings(&site_id, &demo_sharing(), now)
        .await?;
    Ok(())
}

/// Charge-bay sharing slowed for a sped-up clock (at 60x a minute passes in a second): the
/// longest thread life, answer and hold times the settings allow, so a person trying the
/// demo has about a minute to answer an offer.
fn demo_sharing() -> SharingSettings {
    SharingSettings {
        thread_lifetime_min: 2880,
        offer_response_min: 60,
        hold_min: 120,
        done_reminder_interval_min: 240,
        ..SharingSettings::default()
    }
}

/// Registers with the simulated CPO (our server must answer its call-back, so this runs
/// beside it) and maps every connector it reports onto the garage's service. Returns how many
/// ports were mapped.
pub async fn connect_vendor(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    versions_url: &str,
    address: SocketAddr,
    settings: &Settings,
) -> anyhow::Result<usize> {
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
    let service = CircuitId::parse(SERVICE)?;
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
        )?
        // The garage lets waiting drivers unplug a car whose owner said OK.
        .with_cable_movable(true);
        store.upsert_port(&port).await?;
    }
    Ok(ports.len())
}
