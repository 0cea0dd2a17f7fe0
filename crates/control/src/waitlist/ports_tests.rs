//! Port states from hand-made facts.

use std::collections::HashMap;

use chargeplan_core::{
    ChargingRequest, CircuitId, EnergyNeed, KilowattHours, Kilowatts, MeterSample, Phases, Plan,
    PlanId, Port, PortId, Session, SessionId, SessionPlan, SessionStatus, SharingSettings, SiteId,
    SlotMinutes, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::{OfferState, SessionSharingNote, WaitlistOffer};
use chrono::{DateTime, Duration, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    "2026-06-15T16:00:00Z".parse().expect("time")
}

fn port(id: &str, movable: bool) -> Port {
    let mut port = Port::new(
        PortId::parse(id).expect("id"),
        SiteId::parse("s1").expect("id"),
        CircuitId::parse("main").expect("id"),
        VendorRef::new(VendorAccountId::parse("cpo").expect("id"), "L", id, "1").expect("ref"),
        Kilowatts::new(7.2).expect("kW"),
        Phases::One,
        240.0,
        true,
    )
    .expect("port");
    port.cable_movable = movable;
    port
}

fn session(id: &str, port: &str, kwh: f64, kw: f64, started_min_ago: i64) -> Session {
    Session {
        id: SessionId::parse(id).expect("id"),
        site_id: SiteId::parse("s1").expect("id"),
        vendor_account: VendorAccountId::parse("cpo").expect("id"),
        vendor_session_id: id.to_owned(),
        port_id: Some(PortId::parse(port).expect("id")),
        token_uid: None,
        started_at: now() - Duration::minutes(started_min_ago),
        ended_at: None,
        energy: KilowattHours::new(kwh).expect("kWh"),
        power: Kilowatts::new(kw).expect("kW"),
        status: SessionStatus::Active,
        vendor_updated_at: now(),
    }
}

fn request(session: &str, kwh: f64) -> ChargingRequest {
    ChargingRequest::new(
        SessionId::parse(session).expect("id"),
        1,
        now() + Duration::hours(3),
        EnergyNeed::Kwh(kwh),
        Some(WhPerMile::default()),
        now() - Duration::hours(1),
    )
    .expect("request")
}

/// Samples every 5 minutes over the last `minutes`, all at `kw`.
fn samples(session: &str, minutes: i64, kw: f64) -> Vec<MeterSample> {
    (0..=minutes / 5)
        .rev()
        .map(|i| {
            MeterSample::new(
                SessionId::parse(session).expect("id"),
                now() - Duration::minutes(i * 5),
                KilowattHours::new(10.0).expect("kWh"),
                Kilowatts::new(kw).expect("kW"),
                None,
            )
            .expect("sample")
        })
        .collect()
}

/// A plan giving each named session `kw` now, finishing at `completion`.
fn plan(sessions: &[(&str, f64, Option<i64>)]) -> Plan {
    Plan {
        id: PlanId::parse("plan-1").expect("id"),
        site_id: SiteId::parse("s1").expect("id"),
        created_at: now(),
        start: now(),
        slot_minutes: SlotMinutes::new(15).expect("slot"),
        horizon_slots: 8,
        sessions: sessions
            .iter()
            .map(|(id, kw, completion)| SessionPlan {
                session_id: SessionId::parse(id).expect("id"),
                power_kw: vec![*kw; 8],
                energy_kwh: kw * 2.0,
                shortfall_kwh: 0.0,
                completion: completion.map(|m| now() + Duration::minutes(m)),
                shortfall_reason: None,
            })
            .collect(),
    }
}

fn facts(ports: Vec<Port>, sessions: Vec<Session>) -> SiteFacts {
    SiteFacts {
        settings: SharingSettings::default(),
        ports,
        sessions,
        requests: HashMap::new(),
        plan: None,
        samples: HashMap::new(),
        notes: HashMap::new(),
        line: Vec::new(),
        offers: Vec::new(),
        default_stay: Duration::hours(8),
    }
}

fn state_of(facts: &SiteFacts, port: &str) -> PortStatus {
    port_states(facts, now())
        .into_iter()
        .find(|p| p.port_id.as_str() == port)
        .expect("port")
}

#[test]
fn a_port_without_a_car_is_free_and_one_drawing_power_is_charging() {
    let f = facts(
        vec![port("p1", false), port("p2", false)],
        vec![session("s2", "p2", 4.0, 6.6, 30)],
    );
    assert_eq!(state_of(&f, "p1").state, PortState::Free);
    assert!(state_of(&f, "p1").offerable());
    let p2 = state_of(&f, "p2");
    assert_eq!(p2.state, PortState::Charging);
    assert!(!p2.offerable());
    assert_eq!(p2.car.expect("car").energy_kwh, 4.0);
}

#[test]
fn a_met_request_is_done_and_offerable_only_where_the_cable_may_be_moved() {
    let mut f = facts(
        vec![port("p1", false), port("p2", true)],
        vec![
            session("s1", "p1", 20.0, 0.0, 90),
            session("s2", "p2", 19.98, 0.0, 90),
        ],
    );
    f.requests
        .insert(SessionId::parse("s1").expect("id"), request("s1", 20.0));
    f.requests
        .insert(SessionId::parse("s2").expect("id"), request("s2", 20.0));
    let (p1, p2) = (state_of(&f, "p1"), state_of(&f, "p2"));
    assert_eq!(p1.state, PortState::Done(DoneReason::RequestMet));
    assert_eq!(p2.state, PortState::Done(DoneReason::RequestMet));
    assert!(!p1.offerable(), "the cable is locked to the car");
    assert!(p2.offerable());
    assert_eq!(p1.car.expect("car").expected_free_at, now());
}

#[test]
fn a_car_not_drawing_while_allowed_to_is_done_after_the_idle_time_only() {
    let mut f = facts(
        vec![port("p1", false)],
        vec![session("s1", "p1", 10.0, 0.0, 60)],
    );
    f.plan = Some(plan(&[("s1", 6.6, None)]));
    let id = SessionId::parse("s1").expect("id");
    f.samples.insert(id.clone(), samples("s1", 10, 0.0));
    assert_eq!(
        state_of(&f, "p1").state,
        PortState::Idle,
        "10 quiet minutes of 15"
    );
    f.samples.insert(id.clone(), samples("s1", 15, 0.0));
    assert_eq!(
        state_of(&f, "p1").state,
        PortState::Done(DoneReason::StoppedDrawing)
    );
    let mut drew = samples("s1", 15, 0.0);
    drew[1].power = Kilowatts::new(3.0).expect("kW");
    f.samples.insert(id, drew);
    assert_eq!(
        state_of(&f, "p1").state,
        PortState::Idle,
        "it drew in the window"
    );
}

#[test]
fn a_car_the_plan_pauses_is_idle_not_done() {
    let mut f = facts(
        vec![port("p1", false)],
        vec![session("s1", "p1", 10.0, 0.0, 60)],
    );
    f.plan = Some(plan(&[("s1", 0.0, None)]));
    f.samples
        .insert(SessionId::parse("s1").expect("id"), samples("s1", 30, 0.0));
    assert_eq!(state_of(&f, "p1").state, PortState::Idle);
}

#[test]
fn the_planned_completion_the_owners_word_and_ok_to_unplug_reach_the_car() {
    let mut f = facts(
        vec![port("p1", true), port("p2", false)],
        vec![
            session("s1", "p1", 5.0, 6.6, 30),
            session("s2", "p2", 5.0, 6.6, 30),
        ],
    );
    f.plan = Some(plan(&[("s1", 6.6, Some(70)), ("s2", 6.6, None)]));
    for id in ["s1", "s2"] {
        let session_id = SessionId::parse(id).expect("id");
        f.notes.insert(
            session_id.clone(),
            SessionSharingNote {
                session_id,
                site_id: SiteId::parse("s1").expect("id"),
                owner_back_at: Some(now() + Duration::minutes(20)),
                ok_to_unplug_at: Some(now()),
                done_at: None,
                done_texts: 0,
                last_done_text_at: None,
                updated_at: now(),
            },
        );
    }
    let car1 = state_of(&f, "p1").car.expect("car");
    assert_eq!(car1.planned_completion, Some(now() + Duration::minutes(70)));
    assert_eq!(car1.expected_free_at, now() + Duration::minutes(70));
    assert_eq!(car1.owner_back_at, Some(now() + Duration::minutes(20)));
    assert!(car1.ok_to_unplug);
    let car2 = state_of(&f, "p2").car.expect("car");
    assert!(!car2.ok_to_unplug, "only where the cable may be moved");
    assert_eq!(
        car2.expected_free_at,
        now() + Duration::minutes(450),
        "no completion, no request: 8 h after it started"
    );
}

#[test]
fn a_taken_offer_holds_an_empty_port_until_its_end_and_an_open_one_marks_it_offered() {
    let mut f = facts(vec![port("p1", false), port("p2", false)], Vec::new());
    let offer = |port: &str, state: OfferState, hold: Option<i64>| WaitlistOffer {
        id: format!("o-{port}"),
        entry_id: format!("e-{port}"),
        site_id: SiteId::parse("s1").expect("id"),
        port_id: PortId::parse(port).expect("id"),
        offered_at: now() - Duration::minutes(5),
        respond_by: now() + Duration::minutes(5),
        state,
        answered_at: None,
        hold_until: hold.map(|m| now() + Duration::minutes(m)),
    };
    f.offers = vec![
        offer("p1", OfferState::Taken, Some(10)),
        offer("p2", OfferState::Open, None),
    ];
    let until = now() + Duration::minutes(10);
    assert_eq!(state_of(&f, "p1").state, PortState::Held { until });
    let p2 = state_of(&f, "p2");
    assert_eq!(p2.state, PortState::Free);
    assert!(p2.offered && !p2.offerable());
    f.offers[0].hold_until = Some(now() - Duration::minutes(1));
    assert_eq!(
        state_of(&f, "p1").state,
        PortState::Free,
        "a hold past its end"
    );
}
