//! Several instances of the control service on one PostgreSQL database: every site owned by
//! exactly one instance, a crashed instance's sites moving to the others within the lease
//! time, a stale owner fenced off, and triggers reaching the owner through NOTIFY.
//!
//! Runs when `CHARGEPLAN_TEST_DATABASE_URL` names a PostgreSQL server (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test makes and drops its own database.
//! Unset, the tests print a note and pass; set but unreachable, they fail.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chargeplan_control::{ControlConfig, ControlHandle};
use chargeplan_core::{
    Circuit, CircuitId, Kilowatts, Phases, Port, PortId, Site, SiteId, SystemClock,
    VendorAccountId, VendorRef,
};
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use chrono::{Duration, Utc};
use sqlx::Connection;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const DATABASE_URL_VAR: &str = "CHARGEPLAN_TEST_DATABASE_URL";
/// Against hangs only: every wait ends as soon as its condition holds.
const PATIENCE: StdDuration = StdDuration::from_secs(60);

fn postgres_configured() -> bool {
    let set = std::env::var(DATABASE_URL_VAR).is_ok_and(|url| !url.is_empty());
    if !set {
        eprintln!("{DATABASE_URL_VAR} is not set: skipping the multi-instance lease test");
    }
    set
}

/// A database made for one test, dropped by `finish`.
struct FreshDb {
    admin_url: String,
    name: String,
    url: String,
}

impl FreshDb {
    async fn create() -> Self {
        let admin_url = std::env::var(DATABASE_URL_VAR).expect("checked by postgres_configured");
        let name = format!("chargeplan_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| {
                panic!("{DATABASE_URL_VAR} is set but PostgreSQL is unreachable: {error}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.expect("close admin connection");
        let (base, _) = admin_url.rsplit_once('/').expect("URL ends with /database");
        let url = format!("{base}/{name}");
        Self {
            admin_url,
            name,
            url,
        }
    }

    /// A store with its own connection pool, as each instance has.
    async fn store(&self) -> Arc<dyn Store> {
        chargeplan_store::open(&StoreTarget::Postgres {
            url: self.url.clone(),
            max_connections: 5,
        })
        .await
        .expect("open PostgreSQL")
    }

    async fn finish(self) {
        let mut admin = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .expect("admin connection");
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .expect("drop test database");
    }
}

/// One running instance of the control service.
struct Instance {
    id: String,
    store: Arc<dyn Store>,
    control: ControlHandle,
    tracker: TaskTracker,
    cancel: CancellationToken,
}

impl Instance {
    async fn start(db: &FreshDb, id: &str, lease_ttl: Duration) -> Self {
        let store = db.store().await;
        let (tracker, cancel) = (TaskTracker::new(), CancellationToken::new());
        let config = ControlConfig {
            leases: true,
            instance_id: id.to_owned(),
            lease_ttl,
            // Only triggers re-plan after the first plan.
            tick: Duration::hours(1),
            ..ControlConfig::default()
        };
        let control = chargeplan_control::start(
            store.clone(),
            Arc::new(SystemClock),
            config,
            &tracker,
            cancel.clone(),
        );
        Self {
            id: id.to_owned(),
            store,
            control,
            tracker,
            cancel,
        }
    }

    /// Stops every task without releasing anything, as a crash would leave the leases.
    async fn crash(&self) {
        self.cancel.cancel();
        self.tracker.close();
        tokio::time::timeout(PATIENCE, self.tracker.wait())
            .await
            .expect("the instance's tasks end");
    }
}

async fn seed_sites(store: &dyn Store, count: usize) -> Vec<SiteId> {
    store.migrate().await.expect("migrated");
    let mut ids = Vec::new();
    for n in 0..count {
        let id = SiteId::parse(&format!("site-{n:02}")).expect("id");
        let site = Site::new(id.clone(), "Site", "America/Los_Angeles", 5).expect("site");
        store.upsert_site(&site, Utc::now()).await.expect("site");
        let main = CircuitId::parse(&format!("main-{n:02}")).expect("id");
        let cap = Kilowatts::new(50.0).expect("kW");
        let circuit = Circuit::new(main.clone(), id.clone(), "Main", None, cap).expect("circuit");
        store
            .replace_circuits(&id, &[circuit], Utc::now())
            .await
            .expect("circuits");
        // A site needs a port to be planned.
        let vendor = VendorAccountId::parse("cpo").expect("id");
        let port = Port::new(
            PortId::parse(&format!("p-{n:02}")).expect("id"),
            id.clone(),
            main,
            VendorRef::new(vendor, "LOC1", &format!("EVSE-{n:02}"), "1").expect("ref"),
            Kilowatts::new(6.6).expect("kW"),
            Phases::One,
            240.0,
            true,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
        ids.push(id);
    }
    ids
}

/// Whether every site has an unexpired lease of one of `instances`, and each instance runs
/// workers for exactly the sites it holds (and holds at least one).
async fn owned_exactly_once(instances: &[&Instance], sites: &[SiteId]) -> bool {
    let leases = instances[0].store.list_site_leases().await.expect("leases");
    let now = Utc::now();
    let mut all = BTreeSet::new();
    for instance in instances {
        let held: BTreeSet<SiteId> = leases
            .iter()
            .filter(|lease| lease.owner == instance.id && lease.expires_at > now)
            .map(|lease| lease.site_id.clone())
            .collect();
        let running: BTreeSet<SiteId> = instance.control.owned_sites().into_iter().collect();
        if held.is_empty() || held != running || !all.is_disjoint(&held) {
            return false;
        }
        all.extend(held);
    }
    all == sites.iter().cloned().collect()
}

async fn wait_until<F: AsyncFn() -> bool>(what: &str, condition: F) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while !condition().await {
            tokio::time::sleep(StdDuration::from_millis(100)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "gave up waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_site_has_one_owner_and_a_crashed_instances_sites_move_to_the_others() {
    if !postgres_configured() {
        return;
    }
    let db = FreshDb::create().await;
    let sites = seed_sites(db.store().await.as_ref(), 20).await;
    let ttl = Duration::seconds(2);
    let a = Instance::start(&db, "instance-a", ttl).await;
    let b = Instance::start(&db, "instance-b", ttl).await;
    let c = Instance::start(&db, "instance-c", ttl).await;
    wait_until(
        "every site is owned by exactly one of three instances",
        async || owned_exactly_once(&[&a, &b, &c], &sites).await,
    )
    .await;
    let before = a.store.list_site_leases().await.expect("leases");
    let crashed: Vec<_> = before.iter().filter(|l| l.owner == a.id).cloned().collect();

    a.crash().await;

    wait_until(
        "the crashed instance's sites belong to the others",
        async || owned_exactly_once(&[&b, &c], &sites).await,
    )
    .await;
    let after = b.store.list_site_leases().await.expect("leases");
    for old in crashed {
        let new = after
            .iter()
            .find(|l| l.site_id == old.site_id)
            .expect("lease");
        assert_ne!(new.owner, a.id);
        assert!(
            new.fencing_token > old.fencing_token,
            "a takeover fences off the crashed owner"
        );
    }
    for instance in [&b, &c] {
        instance.crash().await;
    }
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_whose_lease_was_taken_over_stores_no_plan_and_drops_the_site() {
    if !postgres_configured() {
        return;
    }
    let db = FreshDb::create().await;
    let sites = seed_sites(db.store().await.as_ref(), 1).await;
    let site = &sites[0];
    // Renewed only every 10 s: the stale owner's next pass comes long before it looks.
    let a = Instance::start(&db, "instance-a", Duration::seconds(30)).await;
    wait_until("the owner has made its first plan", async || {
        a.control.replans() >= 1 && a.store.latest_plan(site).await.expect("read").is_some()
    })
    .await;
    let last_before = a
        .store
        .latest_plan(site)
        .await
        .expect("read")
        .expect("plan");

    // Another instance takes the lease over, as after the owner stalled past its expiry.
    let mut admin = sqlx::PgConnection::connect(&db.url).await.expect("connect");
    sqlx::query(
        "UPDATE site_leases SET owner = 'instance-z', fencing_token = fencing_token + 1, \
         expires_at = expires_at + 3600000000 WHERE site_id = $1",
    )
    .bind(site.as_str())
    .execute(&mut admin)
    .await
    .expect("taken over");
    a.control.trigger(site);

    wait_until("the stale owner drops the site", async || {
        a.control.owned_sites().is_empty()
    })
    .await;
    let last_after = a
        .store
        .latest_plan(site)
        .await
        .expect("read")
        .expect("plan");
    assert_eq!(
        last_after.id, last_before.id,
        "the stale owner's plan was refused"
    );
    a.crash().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trigger_sent_to_an_instance_that_does_not_own_the_site_reaches_the_owner() {
    if !postgres_configured() {
        return;
    }
    let db = FreshDb::create().await;
    let sites = seed_sites(db.store().await.as_ref(), 1).await;
    let site = &sites[0];
    let ttl = Duration::seconds(30);
    let first = Instance::start(&db, "instance-a", ttl).await;
    let second = Instance::start(&db, "instance-b", ttl).await;
    wait_until(
        "one instance owns the site and has planned it",
        async || {
            let owners = [&first, &second]
                .into_iter()
                .filter(|i| i.control.owned_sites() == sites && i.control.replans() >= 1)
                .count();
            owners == 1
        },
    )
    .await;
    let (owner, other) = if first.control.owned_sites() == sites {
        (&first, &second)
    } else {
        (&second, &first)
    };
    let replans = owner.control.replans();

    other.control.trigger(site);
    wait_until("the owner re-plans on the trigger", async || {
        owner.control.replans() > replans
    })
    .await;
    let asked = Utc::now();
    let plan = tokio::time::timeout(PATIENCE, other.control.replan_now(site))
        .await
        .expect("in time")
        .expect("the owner's new plan");

    assert!(other.control.owned_sites().is_empty());
    assert!(plan.created_at >= asked, "a plan made after the request");
    assert!(owner.control.replans() > replans + 1);
    for instance in [&first, &second] {
        instance.crash().await;
    }
    db.finish().await;
}
