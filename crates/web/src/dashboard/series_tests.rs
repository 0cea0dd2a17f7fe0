//! Unit tests of the chart numbers: stacking, the cap line, measured buckets; the site they
//! build (`state`, `sample`) serves the front page's tests too.

use std::collections::HashMap;

use chargeplan_core::{
    CapOverride, Circuit, CircuitId, CircuitTree, KilowattHours, Kilowatts, MeterSample, Phases,
    Plan, PlanId, Port, PortId, Session, SessionId, SessionPlan, SessionStatus, Site, SiteId,
    SlotMinutes, VendorAccountId, VendorRef,
};
use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::dashboard::load::{OpenSession, SampledSession, SiteState};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).unwrap()
}

fn site() -> Site {
    Site::new(SiteId::parse("s1").unwrap(), "Lot", "UTC", 15).unwrap()
}

fn circuit(id: &str, parent: Option<&str>, cap: f64) -> Circuit {
    Circuit::new(
        CircuitId::parse(id).unwrap(),
        site().id,
        id,
        parent.map(|p| CircuitId::parse(p).unwrap()),
        kw(cap),
    )
    .unwrap()
}

fn port(id: &str, circuit: &str, controllable: bool) -> Port {
    Port::new(
        PortId::parse(id).unwrap(),
        site().id,
        CircuitId::parse(circuit).unwrap(),
        VendorRef::new(VendorAccountId::parse("v").unwrap(), "L", id, "1").unwrap(),
        kw(7.0),
        Phases::One,
        240.0,
        controllable,
    )
    .unwrap()
}

fn session(id: &str, port: &str) -> Session {
    Session {
        id: SessionId::parse(id).unwrap(),
        site_id: site().id,
        vendor_account: VendorAccountId::parse("v").unwrap(),
        vendor_session_id: id.into(),
        port_id: Some(PortId::parse(port).unwrap()),
        token_uid: None,
        started_at: t("2026-06-15T08:00:00Z"),
        ended_at: None,
        energy: KilowattHours::ZERO,
        power: Kilowatts::ZERO,
        status: SessionStatus::Active,
        vendor_updated_at: t("2026-06-15T08:00:00Z"),
    }
}

fn planned(id: &str, power_kw: Vec<f64>) -> SessionPlan {
    SessionPlan {
        session_id: SessionId::parse(id).unwrap(),
        power_kw,
        energy_kwh: 0.0,
        shortfall_kwh: 0.0,
        completion: None,
        shortfall_reason: None,
    }
}

pub(crate) fn sample(session: &str, at: &str, power: f64) -> MeterSample {
    MeterSample::new(
        SessionId::parse(session).unwrap(),
        t(at),
        KilowattHours::ZERO,
        kw(power),
        None,
    )
    .unwrap()
}

/// Main (100 kW) feeding panel A (50 kW); a1, a2 on A, m1 on main; sessions on a1 and m1.
/// Now is 10:07; the plan starts at 10:00 with three 15-minute slots.
pub(crate) fn state() -> SiteState {
    let circuits = vec![
        circuit("main", None, 100.0),
        circuit("panel-a", Some("main"), 50.0),
    ];
    let open = |id: &str, port: &str, colour| OpenSession {
        session: session(id, port),
        alias: format!("Driver {id}"),
        member_id: None,
        colour,
        request: None,
        setpoint: None,
        control: None,
    };
    let sessions = vec![open("x", "a1", 0), open("y", "m1", 1)];
    let sampled: HashMap<SessionId, SampledSession> = sessions
        .iter()
        .map(|o| {
            let info = SampledSession {
                port_id: o.session.port_id.clone(),
                ended_at: None,
            };
            (o.session.id.clone(), info)
        })
        .collect();
    SiteState {
        site: site(),
        now: t("2026-06-15T10:07:00Z"),
        tree: Some(CircuitTree::new(circuits.clone()).unwrap()),
        circuits,
        ports: vec![
            port("a1", "panel-a", true),
            port("a2", "panel-a", false),
            port("m1", "main", true),
        ],
        scheduled: Vec::new(),
        overrides: Vec::new(),
        plan: Some(Plan {
            id: PlanId::parse("plan-1").unwrap(),
            site_id: site().id,
            created_at: t("2026-06-15T10:00:01Z"),
            start: t("2026-06-15T10:00:00Z"),
            slot_minutes: SlotMinutes::new(15).unwrap(),
            horizon_slots: 3,
            sessions: vec![
                planned("x", vec![7.0, 5.0, 0.0]),
                planned("y", vec![6.0, 6.0, 3.0]),
            ],
        }),
        sessions,
        samples: Vec::new(),
        sampled,
    }
}

fn chart_of(state: &SiteState, id: &str) -> CircuitChart {
    site_charts(state)
        .into_iter()
        .find(|c| c.circuit_id.as_str() == id)
        .unwrap()
}

#[test]
fn the_root_stacks_every_session_below_it_and_the_uncontrolled_port() {
    let main = chart_of(&state(), "main");
    assert_eq!(main.slots.len(), 3);
    assert_eq!(
        main.slots[0],
        (t("2026-06-15T10:07:00Z"), t("2026-06-15T10:15:00Z"))
    );
    let labels: Vec<&str> = main.bands.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Driver x", "Driver y", UNCONTROLLED_LABEL]);
    // 7 + 6 planned, plus the uncontrolled a2 at its 7 kW maximum.
    assert_eq!(main.planned_total(0), 20.0);
    assert_eq!(main.planned_peak_kw(), 20.0);
    assert_eq!(main.session_count(), 2);
}

#[test]
fn a_branch_circuit_shows_only_the_sessions_below_it() {
    let panel = chart_of(&state(), "panel-a");
    let labels: Vec<&str> = panel.bands.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Driver x", UNCONTROLLED_LABEL]);
    assert_eq!(panel.planned_peak_kw(), 14.0);
    assert_eq!(panel.cap_now_kw, 50.0);
}

#[test]
fn the_cap_line_follows_overrides_over_time() {
    let mut state = state();
    state.overrides.push(
        CapOverride::new(
            CircuitId::parse("main").unwrap(),
            kw(40.0),
            t("2026-06-15T10:00:00Z"),
            t("2026-06-15T10:30:00Z"),
            "utility event",
        )
        .unwrap(),
    );
    let main = chart_of(&state, "main");
    assert_eq!(main.cap_now_kw, 40.0);
    assert_eq!(main.cap_at(t("2026-06-15T09:00:00Z")), Some(100.0));
    assert_eq!(main.cap_at(t("2026-06-15T10:10:00Z")), Some(40.0));
    assert_eq!(main.cap_at(t("2026-06-15T10:40:00Z")), Some(100.0));
    assert_eq!(main.cap.first().unwrap().from, main.from);
    assert_eq!(main.cap.last().unwrap().to, main.to);
    assert_eq!(main.cap.len(), 3, "equal neighbours merged: {:?}", main.cap);
}

#[test]
fn measured_power_is_summed_per_five_minute_bucket_of_the_circuits_sessions() {
    let mut state = state();
    state.samples = vec![
        sample("x", "2026-06-15T09:50:00Z", 6.0),
        sample("x", "2026-06-15T09:52:00Z", 4.0),
        sample("y", "2026-06-15T09:51:00Z", 3.0),
        // x has no reading 09:55–10:00: its last one (4 kW, 3 minutes old) stands in.
        sample("y", "2026-06-15T09:56:00Z", 3.0),
    ];
    let main = chart_of(&state, "main");
    let panel = chart_of(&state, "panel-a");

    assert_eq!(main.measured_at(t("2026-06-15T09:51:00Z")), Some(8.0));
    assert_eq!(main.measured_at(t("2026-06-15T09:57:00Z")), Some(7.0));
    assert_eq!(panel.measured_at(t("2026-06-15T09:51:00Z")), Some(5.0));
    // More than ten minutes after its last reading x no longer counts; y (9 minutes) does.
    assert_eq!(main.measured_at(t("2026-06-15T10:06:00Z")), Some(3.0));
    assert_eq!(main.measured_peak_kw(), Some(8.0));
}

#[test]
fn without_a_plan_there_are_no_slots_and_the_chart_reaches_an_hour_ahead() {
    let mut state = state();
    state.plan = None;
    let main = chart_of(&state, "main");
    assert!(main.slots.is_empty());
    assert_eq!(main.planned_peak_kw(), 0.0);
    assert_eq!(main.to, state.now + Duration::hours(1));
}
