//! The waitlist and the "done charging" texts through the running control loop, on a real
//! SQLite store with a manual clock: offers when a port frees, TAKE, SKIP, timeouts, the
//! maximum of skips, a car on a held port, a restart between an offer and its timeout, and the
//! done notice with its reminders.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chargeplan_control::waitlist::{self, ports};
use chargeplan_control::{ControlConfig, ControlHandle};
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, KilowattHours, Kilowatts, ManualClock,
    Participant, ParticipantId, Phases, PhoneNumber, Port, PortId, Session, SessionId,
    SessionStatus, Site, SiteId, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, OfferState, StoreTarget};
use chrono::{DateTime, Duration, TimeZone, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const OWNER: &str = "+14155550101";
const ALICE: &str = "+14155550201";
const BOB: &str = "+14155550202";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("valid time")
}

fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).expect("phone")
}

fn site() -> SiteId {
    SiteId::parse("s1").expect("id")
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

struct World {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    cancel: Mutex<CancellationToken>,
    path: std::path::PathBuf,
    /// Every text queued so far, as (recipient, body).
    texts: Mutex<Vec<(String, String)>>,
    _dir: tempfile::TempDir,
}

impl World {
    /// A site with two 6.6 kW ports, both taken (the owner's car on p1, a stranger's on p2).
    async fn new() -> (Self, Session, Session) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("chargeplan.db");
        let store = open(&path).await;
        let test_site = Site::new(site(), "Test Site", "America/Los_Angeles", 5).expect("site");
        store.upsert_site(&test_site, t0()).await.expect("site");
        let main = CircuitId::parse("main").expect("id");
        let circuit = Circuit::new(main.clone(), site(), "Main", None, kw(150.0)).expect("circuit");
        store
            .replace_circuits(&site(), &[circuit], t0())
            .await
            .expect("circuits");
        for n in 1..=2 {
            let mut port = Port::new(
                PortId::parse(&format!("p{n}")).expect("id"),
                site(),
                main.clone(),
                VendorRef::new(vendor(), "LOC1", &format!("EVSE{n}"), "1").expect("ref"),
                kw(6.6),
                Phases::One,
                240.0,
                true,
            )
            .expect("port");
            port.cable_movable = false;
            store.upsert_port(&port).await.expect("port");
        }
        let owner = Participant::new(
            ParticipantId::parse("owner").expect("id"),
            chargeplan_core::MemberId::generate(&mut rand::rng()),
            site(),
            phone(OWNER),
            vec![TokenUid::parse("RFID-1").expect("uid")],
            WhPerMile::default(),
            t0(),
        )
        .expect("participant");
        store.insert_participant(&owner).await.expect("participant");
        let clock = Arc::new(ManualClock::new(t0()));
        let world = Self {
            cancel: Mutex::new(start(&store, &clock).1),
            store,
            clock,
            path,
            texts: Mutex::new(Vec::new()),
            _dir: dir,
        };
        let mine = world.plug_in("v1", "p1", "RFID-1", 2.0).await;
        let theirs = world.plug_in("v2", "p2", "STRANGER", 2.0).await;
        world.settle().await;
        (world, mine, theirs)
    }

    async fn plug_in(&self, vendor_id: &str, port: &str, uid: &str, kwh: f64) -> Session {
        let session = Session {
            id: SessionId::generate(),
            site_id: site(),
            vendor_account: vendor(),
            vendor_session_id: vendor_id.to_owned(),
            port_id: Some(PortId::parse(port).expect("id")),
            token_uid: Some(TokenUid::parse(uid).expect("uid")),
            started_at: self.clock.now(),
            ended_at: None,
            energy: KilowattHours::new(kwh).expect("kWh"),
            power: kw(6.0),
            status: SessionStatus::Active,
            vendor_updated_at: self.clock.now(),
        };
        self.store
            .upsert_session(&session, &Effects::none())
            .await
            .expect("session")
            .1
    }

    async fn end(&self, session: &Session) {
        let mut ended = session.clone();
        ended.ended_at = Some(self.clock.now());
        ended.status = SessionStatus::Completed;
        ended.vendor_updated_at = self.clock.now() + Duration::seconds(1);
        self.store
            .upsert_session(&ended, &Effects::none())
            .await
            .expect("ended");
    }

    /// Lets the worker run a few passes.
    async fn settle(&self) {
        tokio::time::sleep(StdDuration::from_millis(400)).await;
    }

    /// Collects queued texts until one to `to` contains `part` (or fails after 10 s).
    async fn wait_for_text(&self, to: &str, part: &str) -> String {
        for _ in 0..200 {
            self.collect().await;
            if let Some((_, body)) = self
                .texts
                .lock()
                .expect("texts")
                .iter()
                .find(|(r, b)| r == to && b.contains(part))
            {
                return body.clone();
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
        panic!(
            "no text to {to} containing {part:?}: {:?}",
            self.texts.lock().expect("texts")
        );
    }

    async fn collect(&self) {
        let claimed = self
            .store
            .claim_due_messages(
                self.clock.now() + Duration::days(1),
                Duration::hours(1),
                100,
            )
            .await
            .expect("claimed");
        for message in &claimed {
            // Sent, so a claim that outlives its lease (the clock jumps) is not read twice.
            self.store
                .mark_message_sent(message.id, "test", self.clock.now())
                .await
                .expect("sent");
        }
        let mut texts = self.texts.lock().expect("texts");
        texts.extend(
            claimed
                .into_iter()
                .map(|m| (m.recipient.as_e164().to_owned(), m.body)),
        );
    }

    /// Texts to `to` containing `part`, counted after letting the worker run.
    async fn count(&self, to: &str, part: &str) -> usize {
        self.settle().await;
        self.collect().await;
        self.texts
            .lock()
            .expect("texts")
            .iter()
            .filter(|(r, b)| r == to && b.contains(part))
            .count()
    }

    async fn join(&self, number: &str) -> String {
        waitlist::join(
            self.store.as_ref(),
            self.clock.as_ref(),
            &site(),
            &phone(number),
        )
        .await
        .expect("join")
        .text
    }

    async fn port_state(&self, port: &str) -> ports::PortState {
        let facts = waitlist::facts::load(
            self.store.as_ref(),
            &site(),
            Duration::hours(8),
            self.clock.now(),
        )
        .await
        .expect("facts");
        ports::port_states(&facts, self.clock.now())
            .into_iter()
            .find(|p| p.port_id.as_str() == port)
            .expect("port")
            .state
    }

    /// Stops the service and starts a new one on a fresh connection to the same file.
    async fn restart(&mut self) {
        self.cancel.lock().expect("cancel").cancel();
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        self.store = open(&self.path).await;
        *self.cancel.lock().expect("cancel") = start(&self.store, &self.clock).1;
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.cancel
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .cancel();
    }
}

async fn open(path: &std::path::Path) -> Arc<dyn Store> {
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: path.to_owned(),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    store
}

fn start(store: &Arc<dyn Store>, clock: &Arc<ManualClock>) -> (ControlHandle, CancellationToken) {
    let cancel = CancellationToken::new();
    let clock: Arc<dyn Clock> = clock.clone();
    let handle = chargeplan_control::start(
        store.clone(),
        clock,
        ControlConfig {
            public_url: "https://charge.example.com".to_owned(),
            event_poll: Duration::milliseconds(20),
            ..ControlConfig::default()
        },
        &TaskTracker::new(),
        cancel.clone(),
    );
    (handle, cancel)
}

fn vendor() -> VendorAccountId {
    VendorAccountId::parse("cpo-1").expect("id")
}

const OFFER_P1: &str =
    "A charger at Test Site is free (port p1). Reply TAKE within 10 min to hold it, or SKIP.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freed_port_is_offered_to_the_first_in_line_and_take_holds_it() {
    let (world, mine, _) = World::new().await;
    let first = world.join(ALICE).await;
    let second = world.join(BOB).await;
    assert!(
        first.starts_with("You're on the waitlist at Test Site: number 1."),
        "{first}"
    );
    assert!(second.contains("number 2"), "{second}");
    let again = world.join(ALICE).await;
    assert!(again.contains("already"), "{again}");

    world.end(&mine).await;
    let offer = world.wait_for_text(ALICE, "is free").await;
    let taken = waitlist::take(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("take")
        .text;

    assert_eq!(offer, OFFER_P1);
    assert_eq!(
        taken,
        "Port p1 at Test Site is held for you until 09:15. Plug in there."
    );
    assert!(matches!(
        world.port_state("p1").await,
        ports::PortState::Held { .. }
    ));
    assert_eq!(
        world.count(BOB, "is free").await,
        0,
        "the held port is not offered again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skip_sends_the_port_to_the_next_in_line() {
    let (world, mine, _) = World::new().await;
    world.join(ALICE).await;
    world.join(BOB).await;
    world.end(&mine).await;
    world.wait_for_text(ALICE, "is free").await;

    let skipped = waitlist::skip(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("skip")
        .text;

    assert_eq!(
        skipped,
        "OK, skipped. You're still number 1 on the waitlist at Test Site."
    );
    assert_eq!(world.wait_for_text(BOB, "is free").await, OFFER_P1);
    assert_eq!(
        world.count(ALICE, "is free").await,
        1,
        "not offered the skipped port again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_by_the_deadline_counts_as_a_skip_and_the_next_is_offered() {
    let (world, mine, _) = World::new().await;
    world.join(ALICE).await;
    world.join(BOB).await;
    world.end(&mine).await;
    world.wait_for_text(ALICE, "is free").await;

    world.clock.advance(Duration::minutes(10));
    let timed_out = world.wait_for_text(ALICE, "No answer").await;
    let late = waitlist::take(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("take")
        .text;

    assert_eq!(
        timed_out,
        "No answer in time, so we offered the charger to the next driver. You're still number 1 on the waitlist at Test Site."
    );
    world.wait_for_text(BOB, "is free").await;
    assert!(
        late.starts_with("There's no charger offered to you right now."),
        "{late}"
    );
    let offers = world
        .store
        .list_offers(&site(), t0())
        .await
        .expect("offers");
    let states: Vec<OfferState> = offers.iter().map(|o| o.state).collect();
    assert_eq!(states, [OfferState::Expired, OfferState::Open]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_maximum_of_skips_the_driver_leaves_the_list_and_is_told() {
    let (world, mine, theirs) = World::new().await;
    world.join(ALICE).await;
    world.end(&mine).await;
    world.wait_for_text(ALICE, "(port p1)").await;
    waitlist::skip(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("first skip");
    world.end(&theirs).await;
    world.wait_for_text(ALICE, "(port p2)").await;

    let last = waitlist::skip(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("second skip")
        .text;

    assert_eq!(
        last,
        "You've passed on 2 offers, so we took you off the waitlist at Test Site. Text WAIT s1 to join again."
    );
    assert!(
        world
            .store
            .list_waitlist(&site())
            .await
            .expect("line")
            .is_empty()
    );
    let left = waitlist::leave(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("leave")
        .text;
    assert_eq!(left, "You're not on a waitlist.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_between_an_offer_and_its_timeout_sends_nothing_twice_and_still_times_out() {
    let (mut world, mine, _) = World::new().await;
    world.join(ALICE).await;
    world.join(BOB).await;
    world.end(&mine).await;
    world.wait_for_text(ALICE, "is free").await;

    world.restart().await;
    assert_eq!(
        world.count(ALICE, "is free").await,
        1,
        "no second offer after the restart"
    );
    world.clock.advance(Duration::minutes(11));

    world.wait_for_text(ALICE, "No answer").await;
    world.wait_for_text(BOB, "is free").await;
    assert_eq!(world.count(ALICE, "No answer").await, 1);
    assert_eq!(world.count(BOB, "is free").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_car_on_a_held_port_tells_the_holder_who_stays_first() {
    let (world, mine, _) = World::new().await;
    world.join(ALICE).await;
    world.join(BOB).await;
    world.end(&mine).await;
    world.wait_for_text(ALICE, "is free").await;
    waitlist::take(world.store.as_ref(), world.clock.as_ref(), &phone(ALICE))
        .await
        .expect("take");

    world.plug_in("v3", "p1", "RFID-1", 0.0).await;
    let told = world.wait_for_text(ALICE, "Another car").await;

    assert_eq!(
        told,
        "Another car plugged into port p1, which was held for you. Sorry — you're still first in line at Test Site."
    );
    let line = world.store.list_waitlist(&site()).await.expect("line");
    assert_eq!(line[0].phone, phone(ALICE), "still first");
    assert_eq!(world.port_state("p1").await, ports::PortState::Charging);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_done_car_gets_one_notice_and_spaced_reminders_and_nothing_after_it_leaves() {
    let (world, mine, theirs) = World::new().await;
    world.join(ALICE).await;
    world.clock.advance(Duration::minutes(5));
    for session in [&mine, &theirs] {
        let request = ChargingRequest::new(
            session.id.clone(),
            1,
            world.clock.now() + Duration::hours(4),
            EnergyNeed::Kwh(2.0),
            Some(WhPerMile::default()),
            world.clock.now(),
        )
        .expect("request");
        world
            .store
            .add_request_revision(&request, &Effects::none())
            .await
            .expect("request");
    }

    let first = world.wait_for_text(OWNER, "done").await;
    assert_eq!(
        first,
        "Your car is done (2.0 kWh). Please move it so others can charge. 1 driver has been waiting 5 min for a charger."
    );
    assert_eq!(world.count(OWNER, "done").await, 1, "once");
    world.clock.advance(Duration::minutes(30));
    world.wait_for_text(OWNER, "Reminder").await;
    world.clock.advance(Duration::minutes(30));
    world.settle().await;
    world.clock.advance(Duration::minutes(30));
    assert_eq!(
        world.count(OWNER, "Reminder").await,
        2,
        "at most two reminders"
    );
    world.end(&mine).await;
    world.clock.advance(Duration::minutes(30));
    assert_eq!(
        world.count(OWNER, "done").await,
        3,
        "none after the session ended"
    );
    let texts = world.texts.lock().expect("texts");
    assert!(
        texts
            .iter()
            .filter(|(_, b)| b.contains("is done"))
            .all(|(r, _)| r == OWNER),
        "the stranger's done car texts nobody: {texts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_bodies_older_than_the_sites_retention_are_deleted_and_the_log_kept() {
    let (world, _, _) = World::new().await;
    let old = chargeplan_store::RelayLogEntry {
        thread_id: None,
        site_id: Some(site()),
        at: world.clock.now(),
        sender: chargeplan_store::RelaySender::Waiter,
        sender_phone: phone(BOB),
        outcome: "refused:rate_limited".into(),
        body: Some("are you done?".into()),
    };
    world
        .store
        .record_relay(&old, None, &Effects::none())
        .await
        .expect("logged");
    let retention = world
        .store
        .get_sharing_settings(&site())
        .await
        .expect("settings")
        .relay_body_retention_days;
    world
        .clock
        .advance(Duration::days(i64::from(retention)) + Duration::minutes(2));
    let mut kept = Vec::new();
    for _ in 0..100 {
        world.settle().await;
        kept = world
            .store
            .list_relay_log(&site(), t0() - Duration::days(1), world.clock.now())
            .await
            .expect("log");
        if kept.iter().all(|line| line.body.is_none()) {
            break;
        }
    }
    assert_eq!(kept.len(), 1, "who and when stay");
    assert_eq!(kept[0].body, None, "the body is gone after the retention");
}
