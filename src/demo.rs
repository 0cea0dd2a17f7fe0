//! `chargeplan demo`: the whole system on one machine with no configuration. A simulated
//! vendor cloud replays a real day of Caltech's garage (ACN-Data 2019-06-14, 49 sessions,
//! CC BY 4.0) at a speed-up; chargeplan registers with it, polls it, texts every driver a
//! Welcome link through the console SMS adapter, re-plans the site and sends the limits back.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use chargeplan_core::{Clock, PhoneNumber, ScaledClock};
use chargeplan_store::prelude::*;
use chargeplan_store::{Operator, OperatorRole};
use chargeplan_web::access::new_secret;
use chargeplan_web::access::password::hash_password;
use tokio::net::TcpListener;

use crate::cli::DemoArgs;
use crate::settings::{Settings, SmsSettings};
use crate::{scenario, server};

/// Login name of the demo's admin operator.
const DEMO_OPERATOR: &str = "demo";

/// The service number printed on the demo's stickers: fictional (555-01xx).
const DEMO_SMS_NUMBER: &str = "+15550100100";

/// The garage's service cap, kW.
const SERVICE_CAP_KW: f64 = 150.0;

/// Runs the demo until `shutdown`.
pub async fn run(
    args: &DemoArgs,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let settings = demo_settings(args, settings);
    let origin = scenario::origin();
    let clock: Arc<dyn Clock> = Arc::new(ScaledClock::new(origin, args.speedup));
    let sim = scenario::start_sim(origin, args.speedup).await?;

    let store = scenario::fresh_store(&settings.server.data_dir).await?;
    server::migrate_store(store.as_ref()).await?;
    scenario::seed(store.as_ref(), clock.now(), SERVICE_CAP_KW).await?;
    let password = create_demo_operator(store.as_ref(), clock.now()).await?;
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
    print_banner(address, args.speedup, &password);
    let served = server::run_on(&settings, store, clock, listener, shutdown).await;
    connect.abort();
    sim.shutdown().await;
    served
}

/// The user's settings with what the demo fixes: its own SQLite file, console texts, quick
/// polling (the sped-up clock makes a minute pass in a second), and a fictional number on
/// the stickers unless `sms.public_number` names one.
fn demo_settings(args: &DemoArgs, settings: &Settings) -> Settings {
    let mut demo = scenario::settings(
        settings,
        args.listen,
        &args.data_dir,
        SmsSettings::Console { page: true },
    );
    if demo.sms_public_number.is_none() {
        demo.sms_public_number = PhoneNumber::parse(DEMO_SMS_NUMBER).ok();
    }
    demo
}

/// Registers with the simulated CPO beside the server; a failure is logged, the demo goes on.
async fn connect_vendor(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    versions_url: String,
    address: SocketAddr,
    settings: Settings,
) {
    match scenario::connect_vendor(store, clock, &versions_url, address, &settings).await {
        Ok(ports) => tracing::info!(demo.ports = ports, "demo vendor cloud connected"),
        Err(error) => tracing::error!(
            error = format!("{error:#}"),
            "the demo could not connect to its vendor cloud"
        ),
    }
}

/// The demo's admin operator, `demo`, with a fresh random password (returned to print).
async fn create_demo_operator(
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    let password: String = new_secret().chars().take(16).collect();
    let operator = Operator {
        id: uuid::Uuid::new_v4().to_string(),
        name: DEMO_OPERATOR.to_owned(),
        role: OperatorRole::Admin,
        password_hash: Some(hash_password(&password)?),
        sites: Vec::new(),
        created_at: now,
    };
    store.insert_operator(&operator).await?;
    Ok(password)
}

fn print_banner(address: SocketAddr, speedup: f64, password: &str) {
    println!(
        "chargeplan demo: Caltech's garage (54 ports, {SERVICE_CAP_KW:.0} kW service) replaying"
    );
    println!("  2019-06-14 from 07:00 (49 real sessions, ACN-Data, CC BY 4.0) at {speedup}x.");
    println!("  Every driver is a registered participant; their texts appear below and at");
    println!("  http://{address}/dev/sms - open a Welcome link to tell us when you leave and");
    println!("  how much you need, and watch the projection change. Ctrl-C stops.");
    println!("Charger sharing: the garage's board is http://{address}/sites/caltech/board.");
    println!("  The cars plugged in and their sticker IDs: http://{address}/dev/garage. On");
    println!("  /dev/sms, send a car's ID and a message from +15550100199 (a driver waiting for");
    println!("  a charger), answer as the owner (e.g. 'back in 20'), send WAIT caltech to join");
    println!("  the waitlist, TAKE when a charger is offered.");
    println!("Operator dashboard: http://{address}/dashboard");
    println!("  log in as {DEMO_OPERATOR} with password {password} (new on every run); watch the");
    println!("  plan under the cap, lower the cap, see the reports.");
}
