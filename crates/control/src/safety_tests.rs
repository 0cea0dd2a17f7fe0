//! Unit tests of the worst-case check.

use chargeplan_core::{
    Circuit, CircuitId, CircuitTree, Kilowatts, LimitPeriod, Phases, Port, PortId, SiteId,
    VendorAccountId, VendorRef,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("time")
        + Duration::minutes(minutes)
}

/// A 20 kW service feeding a 10 kW pod.
fn tree() -> CircuitTree {
    let site = SiteId::parse("s").expect("id");
    let kw = |v| Kilowatts::new(v).expect("kW");
    CircuitTree::new(vec![
        Circuit::new(
            CircuitId::parse("main").expect("id"),
            site.clone(),
            "Main",
            None,
            kw(20.0),
        )
        .expect("circuit"),
        Circuit::new(
            CircuitId::parse("pod").expect("id"),
            site,
            "Pod",
            Some(CircuitId::parse("main").expect("id")),
            kw(10.0),
        )
        .expect("circuit"),
    ])
    .expect("tree")
}

fn port(id: &str, circuit: &str, max_kw: f64) -> Port {
    Port::new(
        PortId::parse(id).expect("id"),
        SiteId::parse("s").expect("id"),
        CircuitId::parse(circuit).expect("id"),
        VendorRef::new(VendorAccountId::parse("v").expect("id"), "L", id, "1").expect("ref"),
        Kilowatts::new(max_kw).expect("kW"),
        Phases::One,
        230.0,
        true,
    )
    .expect("port")
}

fn limits(kw: &[(u32, f64)]) -> Worst {
    Worst::Schedule {
        starts_at: t(0),
        periods: kw
            .iter()
            .map(|&(minute, limit_kw)| LimitPeriod {
                start_offset_s: minute * 60,
                limit_kw,
            })
            .collect(),
    }
}

fn static_caps(circuit: &Circuit, _at: DateTime<Utc>) -> f64 {
    circuit.cap.get()
}

fn every_five_minutes() -> Vec<DateTime<Utc>> {
    (0..12).map(|i| t(i * 5)).collect()
}

#[test]
fn limits_within_every_cap_are_safe() {
    let ports = [
        (port("a", "pod", 7.4), limits(&[(0, 5.0)])),
        (port("b", "pod", 7.4), limits(&[(0, 5.0)])),
        (port("c", "main", 7.4), Worst::AtMax),
        (port("d", "main", 7.4), Worst::Idle),
    ];

    assert_eq!(
        first_violation(&tree(), static_caps, &ports, every_five_minutes()),
        None
    );
}

#[test]
fn an_uncontrolled_or_unconfirmed_port_counts_at_its_maximum() {
    // Pod: 5 kW of ours plus a 7.4 kW port whose limit is not confirmed.
    let ports = [
        (port("a", "pod", 7.4), limits(&[(0, 5.0)])),
        (port("b", "pod", 7.4), Worst::AtMax),
    ];

    let violation = first_violation(&tree(), static_caps, &ports, every_five_minutes())
        .expect("the pod can be overloaded");

    assert_eq!(violation.circuit.as_str(), "pod");
    assert!((violation.worst_kw - 12.4).abs() < 1e-9);
    assert_eq!(violation.at, t(0));
}

#[test]
fn a_parent_circuit_sums_all_ports_below_it() {
    let ports = [
        (port("a", "pod", 7.4), limits(&[(0, 5.0)])),
        (port("b", "pod", 7.4), limits(&[(0, 5.0)])),
        (port("c", "main", 7.4), Worst::AtMax),
        (port("d", "main", 7.4), Worst::AtMax),
    ];

    let violation = first_violation(&tree(), static_caps, &ports, every_five_minutes())
        .expect("the service can be overloaded");

    assert_eq!(violation.circuit.as_str(), "main");
    assert!((violation.worst_kw - 24.8).abs() < 1e-9);
}

#[test]
fn a_cap_lowered_later_is_checked_at_that_instant() {
    let lowered = |circuit: &Circuit, at: DateTime<Utc>| {
        if circuit.id.as_str() == "pod" && at >= t(30) {
            4.0
        } else {
            circuit.cap.get()
        }
    };
    let ports = [
        (port("a", "pod", 7.4), limits(&[(0, 6.0), (30, 4.0)])),
        (port("b", "pod", 7.4), limits(&[(0, 3.0), (40, 0.0)])),
    ];

    let violation = first_violation(&tree(), lowered, &ports, every_five_minutes())
        .expect("4 + 3 kW at 16:30 is over the lowered 4 kW");

    assert_eq!(violation.at, t(30));
    assert_eq!(violation.circuit.as_str(), "pod");
}

#[test]
fn before_a_schedule_starts_the_port_may_draw_its_maximum() {
    let worst = limits(&[(0, 2.0)]);

    assert_eq!(worst.kw_at(7.4, t(-1)), 7.4);
    assert_eq!(worst.kw_at(7.4, t(1)), 2.0);
    assert_eq!(Worst::Idle.kw_at(7.4, t(1)), 0.0);
}
