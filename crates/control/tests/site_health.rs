//! Sites that cannot be planned yet and workers whose passes keep failing: one log line per
//! change of state instead of one per second, a gauge, and backoff, through the running loop.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use chargeplan_control::{ControlConfig, ControlError, ControlHandle, DispatchSetup, NotPlannable};
use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, ManualClock, Phases, Port, PortId, Site, SiteId,
    VendorAccountId, VendorRef,
};
use chargeplan_exchange::results::PendingResults;
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::Connection;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const FAILED: &str = "control pass failed";
const NOT_PLANNABLE: &str = "site cannot be planned yet";
const PLANNABLE: &str = "site can be planned";

/// The messages of every event logged while the test's subscriber is the default.
#[derive(Debug, Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

impl Logs {
    fn lines(&self, message: &str) -> usize {
        let messages = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        messages.iter().filter(|m| m.as_str() == message).count()
    }
}

/// Takes the `message` field of an event.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Logs {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Records the events of this thread (the test's runtime is single-threaded, so the control
/// loop's tasks run here too) until the guard is dropped.
fn capture_logs() -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let guard = tracing::subscriber::set_default(logs.clone());
    (logs, guard)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("valid time")
}

fn site() -> SiteId {
    SiteId::parse("s1").expect("id")
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

/// A store with the site `s1` and nothing else.
async fn empty_site(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    let site = Site::new(site(), "Test Site", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, t0()).await.expect("site");
    store
}

async fn add_circuit_and_port(store: &dyn Store) {
    let main = CircuitId::parse("main").expect("id");
    let circuit = Circuit::new(main.clone(), site(), "Main", None, kw(50.0)).expect("circuit");
    store
        .replace_circuits(&site(), &[circuit], t0())
        .await
        .expect("circuits");
    let vendor = VendorAccountId::parse("cpo-1").expect("id");
    let port = Port::new(
        PortId::parse("p1").expect("id"),
        site(),
        main,
        VendorRef::new(vendor, "LOC1", "EVSE1", "1").expect("ref"),
        kw(6.6),
        Phases::One,
        240.0,
        true,
    )
    .expect("port");
    store.upsert_port(&port).await.expect("port");
}

/// The control loop as `serve` runs it (dispatching to vendors), polling every 20 ms.
fn start(store: &Arc<dyn Store>, cancel: &CancellationToken) -> ControlHandle {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(t0()));
    chargeplan_control::start(
        store.clone(),
        clock,
        ControlConfig {
            event_poll: chrono::Duration::milliseconds(20),
            dispatch: Some(DispatchSetup {
                results: PendingResults::default(),
                results_url: "http://127.0.0.1:9/ocpi/2.2.1/cp-results".to_owned(),
                http: reqwest::Client::new(),
            }),
            ..ControlConfig::default()
        },
        &TaskTracker::new(),
        cancel.clone(),
    )
}

#[tokio::test]
async fn a_site_without_circuits_is_skipped_with_one_line_until_it_gets_them() {
    let (logs, _guard) = capture_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = empty_site(&dir).await;
    let cancel = CancellationToken::new();
    let control = start(&store, &cancel);

    // About 30 polls of the worker.
    tokio::time::sleep(StdDuration::from_millis(600)).await;
    let refused = control.replan_now(&site()).await;

    assert_eq!(logs.lines(FAILED), 0, "no pass failed");
    assert_eq!(
        logs.lines(NOT_PLANNABLE),
        1,
        "one line on entering the state"
    );
    assert!(matches!(
        refused,
        Err(ControlError::NotPlannable(NotPlannable::NoCircuits))
    ));
    assert_eq!(
        control.not_plannable(&site()),
        Some(NotPlannable::NoCircuits)
    );
    assert_eq!(control.metrics().sites_not_plannable(), 1);
    assert_eq!(store.latest_plan(&site()).await.expect("read"), None);

    add_circuit_and_port(store.as_ref()).await;
    let plan = control.replan_now(&site()).await;

    assert!(plan.is_ok(), "{plan:?}");
    assert_eq!(logs.lines(PLANNABLE), 1, "one line on leaving the state");
    assert_eq!(logs.lines(NOT_PLANNABLE), 1);
    assert_eq!(control.not_plannable(&site()), None);
    assert_eq!(control.metrics().sites_not_plannable(), 0);
    cancel.cancel();
}

#[tokio::test]
async fn a_site_with_circuits_but_no_ports_is_not_plannable_either() {
    let (logs, _guard) = capture_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = empty_site(&dir).await;
    let main = CircuitId::parse("main").expect("id");
    let circuit = Circuit::new(main, site(), "Main", None, kw(50.0)).expect("circuit");
    store
        .replace_circuits(&site(), &[circuit], t0())
        .await
        .expect("circuits");
    let cancel = CancellationToken::new();
    let control = start(&store, &cancel);

    let refused = control.replan_now(&site()).await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;

    assert!(matches!(
        refused,
        Err(ControlError::NotPlannable(NotPlannable::NoPorts))
    ));
    assert_eq!(logs.lines(NOT_PLANNABLE), 1);
    assert_eq!(logs.lines(FAILED), 0);
    cancel.cancel();
}

#[tokio::test]
async fn a_pass_that_keeps_failing_backs_off_but_a_trigger_still_runs_at_once() {
    let (logs, _guard) = capture_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = empty_site(&dir).await;
    add_circuit_and_port(store.as_ref()).await;
    // Every re-plan now fails reading the tariff: a store error, not a state.
    let url = format!("sqlite://{}", dir.path().join("chargeplan.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.expect("opened");
    sqlx::query("DROP TABLE tariffs")
        .execute(&mut db)
        .await
        .expect("dropped");
    db.close().await.expect("closed");
    let cancel = CancellationToken::new();
    let control = start(&store, &cancel);

    // 75 polls; backing off from 1 s, passes fail at about 0 s and 1 s (next at 3 s).
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    let failed = logs.lines(FAILED);
    control.trigger(&site());
    tokio::time::sleep(StdDuration::from_millis(300)).await;

    assert!((1..=2).contains(&failed), "{failed} failed passes logged");
    assert_eq!(
        logs.lines(FAILED),
        failed + 1,
        "the trigger ran one pass at once"
    );
    assert_eq!(
        logs.lines(NOT_PLANNABLE),
        0,
        "a failure is not the not-plannable state"
    );
    cancel.cancel();
}
