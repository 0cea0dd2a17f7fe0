//! The exchange as a service: pollers started from the stored vendor accounts.

use std::time::Duration;

use chargeplan_core::VendorAccountId;
use chargeplan_exchange::poller::PollerConfig;
use chargeplan_exchange::service::{ExchangeConfig, ExchangeService};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::harness::*;

#[tokio::test]
async fn every_enabled_account_is_polled_and_a_dead_vendor_holds_up_no_other() {
    let world = World::start(|_, _| {}).await;
    let mut live = world
        .store
        .get_vendor_account(&world.vendor)
        .await
        .expect("account");
    live.versions_url = world.sim.base_url();
    live.sessions_url = format!(
        "{}/2.2.1/sessions",
        world.sim.base_url().trim_end_matches("/versions")
    );
    live.locations_url = format!(
        "{}/2.2.1/locations",
        world.sim.base_url().trim_end_matches("/versions")
    );
    live.charging_profiles_url = format!(
        "{}/2.2.1/chargingprofiles",
        world.sim.base_url().trim_end_matches("/versions")
    );
    world
        .store
        .upsert_vendor_account(&live)
        .await
        .expect("live account");
    let mut dead = live.clone();
    dead.id = VendorAccountId::parse("dead-cpo").expect("id");
    dead.sessions_url = "http://127.0.0.1:9/ocpi/2.2.1/sessions".into();
    dead.locations_url = "http://127.0.0.1:9/ocpi/2.2.1/locations".into();
    world
        .store
        .upsert_vendor_account(&dead)
        .await
        .expect("dead account");
    world
        .sim
        .plug_in(arrival("DEMO-05", "RFID-EVE", 0.4))
        .expect("plugged in");
    world.sim.advance(Duration::from_secs(300));
    let config = ExchangeConfig {
        public_url: world.receiver_url.clone(),
        poller: PollerConfig {
            interval: Duration::from_millis(100),
            initial_lookback: chrono::Duration::days(3650),
            ..PollerConfig::default()
        },
        accounts_rescan: Duration::from_millis(100),
        request_timeout: Duration::from_secs(30),
    };
    let (tasks, cancel) = (TaskTracker::new(), CancellationToken::new());

    let (service, _routes) = ExchangeService::start(
        world.store.clone(),
        world.clock.clone(),
        config,
        &tasks,
        cancel.clone(),
    );

    let mut stored = false;
    for _ in 0..100 {
        if !world
            .store
            .list_open_sessions(&world.site)
            .await
            .expect("sessions")
            .is_empty()
        {
            stored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(stored, "the live vendor's session was polled in");
    let statuses = service.statuses.lock().expect("statuses").clone();
    let dead_status = statuses
        .get(&dead.id)
        .expect("dead vendor polled too")
        .lock()
        .expect("status")
        .clone();
    assert!(dead_status.consecutive_errors >= 1);
    assert!(dead_status.last_success.is_none());
    cancel.cancel();
    tasks.close();
    tokio::time::timeout(Duration::from_secs(5), tasks.wait())
        .await
        .expect("pollers stop on cancel");
}
