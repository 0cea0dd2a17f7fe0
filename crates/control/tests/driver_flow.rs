//! The driver conversations through the running control loop, on a real SQLite store:
//! Welcome SMS, confirmations with the plan's projection, shortfall wording, "request met",
//! and coalescing of re-plan triggers.

use std::sync::Arc;

use chargeplan_control::{ControlConfig, ControlHandle};
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, KilowattHours, Kilowatts, ManualClock,
    Participant, ParticipantId, Phases, PhoneNumber, Port, PortId, Session, SessionId,
    SessionStatus, Site, SiteId, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, OutboxMessage, StoreTarget};
use chrono::{DateTime, Duration, TimeZone, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

const PHONE: &str = "+14155550101";

fn t0() -> DateTime<Utc> {
    // 09:00 in Los Angeles.
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("valid time")
}

struct World {
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    control: ControlHandle,
    cancel: CancellationToken,
    _dir: tempfile::TempDir,
}

impl World {
    /// A site with one 6.6 kW port on a circuit of `cap_kw`, and one registered driver.
    async fn new(cap_kw: f64) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrated");
        let site_id = SiteId::parse("s1").expect("id");
        let site = Site::new(site_id.clone(), "Test Site", "America/Los_Angeles", 5).expect("site");
        store.upsert_site(&site, t0()).await.expect("site");
        let main = CircuitId::parse("main").expect("id");
        let circuit =
            Circuit::new(main.clone(), site_id.clone(), "Main", None, kw(cap_kw)).expect("circuit");
        store
            .replace_circuits(&site_id, &[circuit], t0())
            .await
            .expect("circuits");
        for n in 1..=2 {
            let port = Port::new(
                PortId::parse(&format!("p{n}")).expect("id"),
                site_id.clone(),
                main.clone(),
                VendorRef::new(vendor(), "LOC1", &format!("EVSE{n}"), "1").expect("ref"),
                kw(6.6),
                Phases::One,
                240.0,
                true,
            )
            .expect("port");
            store.upsert_port(&port).await.expect("port");
        }
        let participant = Participant::new(
            ParticipantId::parse("driver-1").expect("id"),
            chargeplan_core::MemberId::generate(&mut rand::rng()),
            site_id,
            PhoneNumber::parse(PHONE).expect("phone"),
            vec![TokenUid::parse("RFID-1").expect("uid")],
            WhPerMile::default(),
            t0(),
        )
        .expect("participant");
        store
            .insert_participant(&participant)
            .await
            .expect("participant");
        let clock = Arc::new(ManualClock::new(t0()));
        let cancel = CancellationToken::new();
        let control = start(&store, &clock, &cancel);
        Self {
            store,
            clock,
            control,
            cancel,
            _dir: dir,
        }
    }

    /// Plugs a car in on port `port` with charging token `uid`.
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
            energy: KilowattHours::new(kwh).expect("kwh"),
            power: kw(0.0),
            status: SessionStatus::Active,
            vendor_updated_at: self.clock.now(),
        };
        self.store
            .upsert_session(&session, &Effects::none())
            .await
            .expect("session")
            .1
    }

    async fn request(&self, session: &Session, revision: u32, hours: i64, need: EnergyNeed) {
        let request = ChargingRequest::new(
            session.id.clone(),
            revision,
            self.clock.now() + Duration::hours(hours),
            need,
            Some(WhPerMile::default()),
            self.clock.now(),
        )
        .expect("valid request");
        self.store
            .add_request_revision(&request, &Effects::none())
            .await
            .expect("request stored");
    }

    async fn replan(&self) {
        self.control.replan_now(&site()).await.expect("re-planned");
    }

    /// Messages queued since the last call (claimed, so each is returned once).
    async fn new_messages(&self) -> Vec<OutboxMessage> {
        self.store
            .claim_due_messages(
                self.clock.now() + Duration::days(1),
                Duration::hours(1),
                100,
            )
            .await
            .expect("claimed")
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn start(
    store: &Arc<dyn Store>,
    clock: &Arc<ManualClock>,
    cancel: &CancellationToken,
) -> ControlHandle {
    let clock: Arc<dyn Clock> = clock.clone();
    chargeplan_control::start(
        store.clone(),
        clock,
        ControlConfig {
            public_url: "https://charge.example.com".to_owned(),
            event_poll: Duration::milliseconds(20),
            ..ControlConfig::default()
        },
        &TaskTracker::new(),
        cancel.clone(),
    )
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

fn site() -> SiteId {
    SiteId::parse("s1").expect("id")
}

fn vendor() -> VendorAccountId {
    VendorAccountId::parse("cpo-1").expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participants_new_session_gets_one_welcome_with_a_personal_link() {
    let world = World::new(150.0).await;
    world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.plug_in("v2", "p2", "STRANGER", 0.0).await;

    world.replan().await;
    let messages = world.new_messages().await;
    // A restarted control loop handles the same events again: still one welcome.
    let restarted = start(&world.store, &world.clock, &world.cancel);
    restarted.replan_now(&site()).await.expect("re-planned");
    let again = world.new_messages().await;

    assert_eq!(messages.len(), 1, "only the participant is texted");
    assert_eq!(messages[0].recipient.as_e164(), PHONE);
    let body = &messages[0].body;
    assert!(
        body.starts_with("Welcome to Test Site. Tell us when you leave and how much you need: https://charge.example.com/r/"),
        "{body}"
    );
    let token = body.rsplit('/').next().expect("token");
    assert_eq!(token.len(), 43, "256-bit token: {token}");
    assert!(again.is_empty(), "no second welcome: {again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_confirmed_with_the_plans_projection_once() {
    let world = World::new(150.0).await;
    let session = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.replan().await;
    world.new_messages().await;

    world.request(&session, 1, 4, EnergyNeed::Kwh(10.0)).await;
    world.replan().await;
    let confirmation = world.new_messages().await;
    world.replan().await;
    let nothing_new = world.new_messages().await;

    assert_eq!(confirmation.len(), 1, "{confirmation:?}");
    // 4 h from 09:00 local is 13:00.
    assert!(
        confirmation[0]
            .body
            .starts_with("You'll have ~10 kWh by 13:00."),
        "{}",
        confirmation[0].body
    );
    assert!(nothing_new.is_empty(), "{nothing_new:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_charger_cannot_meet_is_answered_with_the_shortfall_and_why() {
    let world = World::new(150.0).await;
    let session = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.replan().await;
    world.new_messages().await;

    // One hour at 6.6 kW cannot give 40 kWh.
    world.request(&session, 1, 1, EnergyNeed::Kwh(40.0)).await;
    world.replan().await;
    let reply = world.new_messages().await;

    assert_eq!(reply.len(), 1);
    assert!(
        reply[0]
            .body
            .starts_with("This charger gives at most 6.6 kW, so by 10:00 you will have about 6.6 of the 40 kWh you asked for;"),
        "{}",
        reply[0].body
    );
    assert!(
        reply[0].body.contains("leave later or ask for less"),
        "{}",
        reply[0].body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_site_is_named_as_the_reason_for_a_shortfall() {
    // Two cars share a 6.6 kW circuit for two hours: at most 13.2 kWh in all.
    let world = World::new(6.6).await;
    let mine = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    let other = world.plug_in("v2", "p2", "STRANGER", 0.0).await;
    world.request(&other, 1, 2, EnergyNeed::Kwh(10.0)).await;
    world.replan().await;
    world.new_messages().await;

    world.request(&mine, 1, 2, EnergyNeed::Kwh(10.0)).await;
    world.replan().await;
    let reply = world.new_messages().await;

    assert_eq!(reply.len(), 1);
    assert!(
        reply[0]
            .body
            .starts_with("The site is at its power limit with other cars charging, so by 11:00"),
        "{}",
        reply[0].body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_is_told_once_when_the_car_has_what_they_asked_for() {
    let world = World::new(150.0).await;
    let mut session = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.request(&session, 1, 4, EnergyNeed::Kwh(5.0)).await;
    world.replan().await;
    world.new_messages().await;

    world.clock.advance(Duration::minutes(50));
    session.energy = KilowattHours::new(5.0).expect("kwh");
    session.vendor_updated_at = world.clock.now();
    world
        .store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("meter update");
    world.replan().await;
    let met = world.new_messages().await;
    world.replan().await;
    let again = world.new_messages().await;

    assert_eq!(met.len(), 1, "{met:?}");
    assert_eq!(
        met[0].body,
        "Your car is done (5.0 kWh). Please move it so others can charge."
    );
    assert!(again.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_triggers_makes_at_most_two_solves() {
    let world = World::new(150.0).await;
    world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.replan().await;
    let before = world.control.replans();

    for _ in 0..50 {
        world.control.trigger(&site());
    }
    world.replan().await;

    let solves = world.control.replans() - before;
    assert!(
        (1..=2).contains(&solves),
        "{solves} solves for a burst of 50 triggers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_beside_a_car_that_stays_all_day_is_met_when_the_circuit_allows() {
    // Two 6.6 kW ports on a 13 kW circuit: the circuit binds a little when both draw.
    let world = World::new(13.0).await;
    let mine = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.plug_in("v2", "p2", "STRANGER", 0.0).await;
    world.replan().await;
    world.new_messages().await;
    world.clock.advance(Duration::minutes(3));

    world.request(&mine, 1, 8, EnergyNeed::Kwh(12.0)).await;
    let plan = world.control.replan_now(&site()).await.expect("plan");
    let reply = world.new_messages().await;

    assert_eq!(reply.len(), 1);
    assert!(
        reply[0].body.starts_with("You'll have ~12 kWh by 17:03."),
        "{}\n{:?}",
        reply[0].body,
        plan.sessions
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lowered_cap_that_breaks_a_promise_sends_an_update_once() {
    let world = World::new(150.0).await;
    let session = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.request(&session, 1, 2, EnergyNeed::Kwh(12.0)).await;
    world.replan().await;
    let confirmation = world.new_messages().await;

    // The operator cuts the circuit to 3 kW: two hours now give about 6 kWh.
    world
        .store
        .set_static_cap(
            &CircuitId::parse("main").expect("id"),
            3.0,
            world.clock.now(),
        )
        .await
        .expect("cap lowered");
    world.replan().await;
    let update = world.new_messages().await;
    world.replan().await;
    let again = world.new_messages().await;

    assert_eq!(
        confirmation.len(),
        2,
        "welcome and confirmation: {confirmation:?}"
    );
    assert_eq!(update.len(), 1, "{update:?}");
    assert!(
        update[0].body.starts_with(
            "Update: The site is at its power limit with other cars charging, so by 11:00 you will have about 6.0 of the 12 kWh you asked for"
        ),
        "{}",
        update[0].body
    );
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_car_that_draws_well_under_its_limit_is_planned_at_what_it_draws_plus_a_margin() {
    let world = World::new(150.0).await;
    let session = world.plug_in("v1", "p1", "RFID-1", 0.0).await;
    world.request(&session, 1, 4, EnergyNeed::Kwh(20.0)).await;
    world.replan().await;
    let mut setpoint = chargeplan_core::Setpoint::new(
        site(),
        None,
        PortId::parse("p1").expect("id"),
        session.id.clone(),
        world.clock.now(),
        vec![chargeplan_core::LimitPeriod {
            start_offset_s: 0,
            limit_kw: 6.6,
        }],
        world.clock.now(),
    )
    .expect("setpoint");
    setpoint.state = chargeplan_core::SetpointState::Accepted;
    world
        .store
        .insert_setpoint(&setpoint)
        .await
        .expect("setpoint stored");

    // The battery tapers: three readings at about 2 kW under a 6.6 kW limit.
    for (minute, kwh) in [(5, 0.2), (10, 0.4), (15, 0.55)] {
        let sample = chargeplan_core::MeterSample::new(
            session.id.clone(),
            world.clock.now() + Duration::minutes(minute),
            KilowattHours::new(kwh).expect("kWh"),
            kw(2.0),
            Some(85.0),
        )
        .expect("sample");
        world
            .store
            .add_meter_sample(&sample)
            .await
            .expect("sample stored");
    }
    world.clock.advance(Duration::minutes(16));
    let drawing = Session {
        energy: KilowattHours::new(0.55).expect("kWh"),
        power: kw(2.0),
        vendor_updated_at: world.clock.now(),
        ..session.clone()
    };
    world
        .store
        .upsert_session(&drawing, &Effects::none())
        .await
        .expect("session");
    world.new_messages().await;
    let plan = world.control.replan_now(&site()).await.expect("plan");

    let planned = plan.session(&session.id).expect("planned");
    let most = planned.power_kw.iter().copied().fold(0.0, f64::max);
    assert!((most - 3.0).abs() < 1e-6, "planned at most {most} kW");
    // The driver is told that their own car is the limit, not the charger.
    let update = world.new_messages().await;
    assert_eq!(update.len(), 1, "{update:?}");
    assert!(
        update[0]
            .body
            .starts_with("Update: Your car is drawing 2.0 kW, so by 13:00 you will have about"),
        "{}",
        update[0].body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_whose_limit_was_refused_counts_at_its_maximum_until_the_retry() {
    // Two 6.6 kW ports on a 10 kW circuit.
    let world = World::new(10.0).await;
    let refused = world.plug_in("v1", "p1", "STRANGER", 0.0).await;
    let mine = world.plug_in("v2", "p2", "RFID-1", 0.0).await;
    world.request(&mine, 1, 4, EnergyNeed::Kwh(20.0)).await;
    let mut setpoint = chargeplan_core::Setpoint::new(
        site(),
        None,
        PortId::parse("p1").expect("id"),
        refused.id.clone(),
        world.clock.now(),
        vec![chargeplan_core::LimitPeriod {
            start_offset_s: 0,
            limit_kw: 3.0,
        }],
        world.clock.now(),
    )
    .expect("setpoint");
    setpoint.state = chargeplan_core::SetpointState::Rejected;
    world
        .store
        .insert_setpoint(&setpoint)
        .await
        .expect("stored");

    let plan = world.control.replan_now(&site()).await.expect("plan");
    world.clock.advance(Duration::minutes(5));
    let retried = world.control.replan_now(&site()).await.expect("plan");

    assert!(
        plan.session(&refused.id).is_none(),
        "not planned: it may draw its maximum"
    );
    let most = plan
        .session(&mine.id)
        .expect("planned")
        .power_kw
        .iter()
        .copied()
        .fold(0.0, f64::max);
    assert!(
        most <= 10.0 - 6.6 + 1e-6,
        "the rest of the circuit only: {most} kW"
    );
    assert!(
        retried.session(&refused.id).is_some(),
        "limited again after the retry time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_whose_limit_was_lost_on_the_way_is_planned_again_within_seconds() {
    // Two 6.6 kW ports on a 10 kW circuit; p1's last profile got a 503 (outcome unknown).
    let world = World::new(10.0).await;
    let lost = world.plug_in("v1", "p1", "STRANGER", 0.0).await;
    let mine = world.plug_in("v2", "p2", "RFID-1", 0.0).await;
    world.request(&mine, 1, 4, EnergyNeed::Kwh(20.0)).await;
    let mut setpoint = chargeplan_core::Setpoint::new(
        site(),
        None,
        PortId::parse("p1").expect("id"),
        lost.id.clone(),
        world.clock.now(),
        vec![chargeplan_core::LimitPeriod {
            start_offset_s: 0,
            limit_kw: 3.0,
        }],
        world.clock.now(),
    )
    .expect("setpoint");
    setpoint.state = chargeplan_core::SetpointState::Failed;
    setpoint.reason = Some("http_503".into());
    world
        .store
        .insert_setpoint(&setpoint)
        .await
        .expect("stored");

    let plan = world.control.replan_now(&site()).await.expect("plan");
    world.clock.advance(Duration::seconds(6));
    let retried = world.control.replan_now(&site()).await.expect("plan");

    assert!(
        plan.session(&lost.id).is_none(),
        "left out while its outcome is unknown: it may draw its maximum"
    );
    assert!(
        retried.session(&lost.id).is_some(),
        "planned (and its profile sent) again seconds later, not after ten minutes"
    );
}
