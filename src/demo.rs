//! `chargeplan demo`: the whole system on one machine with no configuration. A simulated
//! vendor cloud replays a real day of Caltech's garage (ACN-Data 2019-06-14, 49 sessions,
//! CC BY 4.0) at a speed-up; chargeplan registers with it, polls it, texts every driver a
//! Welcome link through the console SMS adapter, re-plans the site and sends the limits back.
//! Every other replayed driver answers with the request ACN-Data recorded for them (so the
//! reports have requests to meet), the rest are left to whoever tries the demo. Logins, API
//! tokens and rate limits run on real time; only the garage runs sped up. When the recorded
//! day is over the demo says so, on its output and on the dashboard.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chargeplan_core::{Clock, PhoneNumber, ScaledClock, SiteId, SystemClock};
use chargeplan_store::prelude::*;
use chargeplan_store::{Operator, OperatorRole};
use chargeplan_web::access::new_secret;
use chargeplan_web::access::password::hash_password;
use tokio::net::TcpListener;

use crate::access_cmd::new_api_token;
use crate::cli::DemoArgs;
use crate::scenario::drivers::{Drivers, Recorded};
use crate::settings::{Settings, SmsSettings};
use crate::{scenario, server};

/// Login name of the demo's admin operator.
const DEMO_OPERATOR: &str = "demo";

/// The service number printed on the demo's stickers: fictional (555-01xx).
const DEMO_SMS_NUMBER: &str = "+15550100100";

/// The garage's service cap, kW.
const SERVICE_CAP_KW: f64 = 150.0;

/// How often the replayed drivers look for their new sessions, wall-clock.
const DRIVERS_LOOK_EVERY: Duration = Duration::from_millis(500);

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
    let operator = create_demo_operator(store.as_ref()).await?;
    let (_, api_token) = new_api_token(store.as_ref(), &operator.operator, "demo").await?;
    let listener = TcpListener::bind(settings.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    let address = listener.local_addr()?;

    let garage = tokio::spawn(run_garage(
        store.clone(),
        clock.clone(),
        sim.base_url(),
        address,
        settings.clone(),
    ));
    let day_over = tokio::spawn(say_when_the_day_is_over(clock.clone(), args.speedup));
    print_banner(&Banner {
        address,
        speedup: args.speedup,
        password: &operator.password,
        api_token: &api_token,
    });
    let ends_at = Some(scenario::last_departure());
    let served = server::run_on(&settings, store, clock, ends_at, listener, shutdown).await;
    garage.abort();
    day_over.abort();
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

/// Registers with the simulated CPO beside the server (a failure is logged, the demo goes
/// on), then lets the replayed drivers who answer submit their recorded requests as their
/// sessions arrive, until aborted.
async fn run_garage(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    versions_url: String,
    address: SocketAddr,
    settings: Settings,
) {
    match scenario::connect_vendor(
        store.clone(),
        clock.clone(),
        &versions_url,
        address,
        &settings,
    )
    .await
    {
        Ok(ports) => tracing::info!(demo.ports = ports, "demo vendor cloud connected"),
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "the demo could not connect to its vendor cloud"
            );
            return;
        }
    }
    let Ok(site) = SiteId::parse(scenario::SITE) else {
        return;
    };
    let mut drivers = Drivers::only(answers_in_the_demo);
    let mut look = tokio::time::interval(DRIVERS_LOOK_EVERY);
    loop {
        look.tick().await;
        if let Err(error) = drivers.submit_new(store.as_ref(), &site, clock.now()).await {
            tracing::warn!(error = format!("{error:#}"), "cannot look for new sessions");
        }
    }
}

/// The replayed drivers who answer their Welcome text in the demo: every other one, by
/// arrival (ACN-0001, ACN-0003, …); those who made a request at Caltech submit it. The
/// others' links wait for whoever tries the demo.
fn answers_in_the_demo(recorded: &Recorded) -> bool {
    recorded.token.ends_with(['1', '3', '5', '7', '9'])
}

/// Prints, when the recorded day's last car has left, that the garage stays empty from now
/// on and how to replay the day.
async fn say_when_the_day_is_over(clock: Arc<dyn Clock>, speedup: f64) {
    let left = (scenario::last_departure() - clock.now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(left.div_f64(speedup)).await;
    println!(
        "The recorded day is over: its last car left at {} (garage time), so the garage stays \
         empty from now on. Press Ctrl-C and start the demo again to replay the day.",
        scenario::garage_time(scenario::last_departure())
    );
}

/// The demo's admin operator and the password it prints.
struct DemoOperator {
    operator: Operator,
    password: String,
}

/// The demo's admin operator, `demo`, with a fresh random password (created on real time).
async fn create_demo_operator(store: &dyn Store) -> anyhow::Result<DemoOperator> {
    let password: String = new_secret().chars().take(16).collect();
    let operator = Operator {
        id: uuid::Uuid::new_v4().to_string(),
        name: DEMO_OPERATOR.to_owned(),
        role: OperatorRole::Admin,
        password_hash: Some(hash_password(&password)?),
        sites: Vec::new(),
        created_at: SystemClock.now(),
    };
    store.insert_operator(&operator).await?;
    Ok(DemoOperator { operator, password })
}

/// What the banner tells.
struct Banner<'a> {
    address: SocketAddr,
    speedup: f64,
    password: &'a str,
    api_token: &'a str,
}

/// How long `garage` lasts at `speedup`, in words: "about 9 minutes", "about 45 seconds".
fn real_duration(garage: chrono::Duration, speedup: f64) -> String {
    let seconds = garage.num_seconds() as f64 / speedup;
    if seconds < 90.0 {
        format!("about {seconds:.0} seconds")
    } else {
        format!("about {:.0} minutes", seconds / 60.0)
    }
}

fn print_banner(banner: &Banner<'_>) {
    let Banner {
        address,
        speedup,
        password,
        api_token,
    } = banner;
    let last = scenario::last_departure();
    println!(
        "chargeplan demo: Caltech's garage (54 ports, {SERVICE_CAP_KW:.0} kW service) replaying"
    );
    println!("  2019-06-14 from 07:00 (49 real sessions, ACN-Data, CC BY 4.0) at {speedup}x.");
    println!(
        "  The recorded day lasts {} at {speedup}x: its last car arrives at {} and the",
        real_duration(last - scenario::origin(), *speedup),
        scenario::garage_time(scenario::last_arrival())
    );
    println!(
        "  last leaves at {} (garage time); then the garage stays empty - restart the",
        scenario::garage_time(last)
    );
    println!("  demo to replay the day.");
    println!("  Every driver is a registered participant; their texts appear below and at");
    println!("  http://{address}/dev/sms - open a Welcome link to tell us when you leave and");
    println!("  how much you need, and watch the projection change. Every other driver answers");
    println!("  with the request they made at Caltech. Ctrl-C stops.");
    println!("Charger sharing: the garage's board is http://{address}/sites/caltech/board.");
    println!("  The cars plugged in and their sticker IDs: http://{address}/dev/garage. On");
    println!("  /dev/sms, send a car's ID and a message from +15550100199 (a driver waiting for");
    println!("  a charger), answer as the owner (e.g. 'back in 20'), send WAIT caltech to join");
    println!("  the waitlist, TAKE when a charger is offered.");
    println!("Operator dashboard: http://{address}/dashboard");
    println!("  log in as {DEMO_OPERATOR} with password {password} (new on every run); watch the");
    println!("  plan under the cap, lower the cap, see the reports.");
    println!("Operator API: token {api_token} (operator {DEMO_OPERATOR}, new on every run), e.g.");
    println!("  curl -H 'Authorization: Bearer {api_token}' http://{address}/api/v1/sites");
    println!("  Reference: http://{address}/api/v1/docs");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_lasts_its_garage_hours_divided_by_the_speedup() {
        let day = scenario::last_departure() - scenario::origin();

        assert_eq!(
            real_duration(chrono::Duration::hours(18), 120.0),
            "about 9 minutes"
        );
        assert_eq!(
            real_duration(chrono::Duration::hours(1), 60.0),
            "about 60 seconds"
        );
        assert_eq!(
            real_duration(day, 60.0),
            "about 28 minutes",
            "as the README says"
        );
        assert_eq!(
            scenario::garage_time(scenario::last_departure()),
            "11:17 the next day"
        );
        assert_eq!(scenario::garage_time(scenario::last_arrival()), "21:34");
    }

    #[test]
    fn every_other_driver_answers_in_the_demo() {
        let day = scenario::drivers::recorded_day();

        let answering = day.values().filter(|r| answers_in_the_demo(r)).count();

        assert_eq!(answering, 25);
        assert!(
            day.values()
                .filter(|r| answers_in_the_demo(r))
                .any(|r| r.request().is_some()),
            "some of them made a request at Caltech"
        );
    }
}
