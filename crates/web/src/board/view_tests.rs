//! The board's words from hand-made port states.

use chargeplan_control::waitlist::ports::CarStatus;
use chargeplan_core::{PortId, SessionId};

use super::*;

fn now() -> DateTime<Utc> {
    // 09:00 in Los Angeles.
    "2026-06-15T16:00:00Z".parse().expect("time")
}

fn tz() -> Tz {
    "America/Los_Angeles".parse().expect("zone")
}

fn car(kwh: f64, of: Option<f64>, completion_min: Option<i64>) -> CarStatus {
    CarStatus {
        session_id: SessionId::parse("s-1").expect("id"),
        energy_kwh: kwh,
        requested_kwh: of,
        power_kw: 6.6,
        planned_completion: completion_min.map(|m| now() + Duration::minutes(m)),
        expected_free_at: now() + Duration::minutes(completion_min.unwrap_or(0)),
        owner_back_at: None,
        ok_to_unplug: false,
    }
}

fn port(id: &str, state: PortState, car: Option<CarStatus>) -> PortStatus {
    PortStatus {
        port_id: PortId::parse(id).expect("id"),
        cable_movable: true,
        state,
        offered: false,
        car,
    }
}

#[test]
fn a_charging_car_shows_its_energy_against_the_request_and_its_planned_finish() {
    let view = board(
        "Depot",
        &[port(
            "p1",
            PortState::Charging,
            Some(car(12.4, Some(20.0), Some(70))),
        )],
        0,
        tz(),
        now(),
    );
    let row = &view.ports[0];
    assert_eq!(row.label, "Port p1");
    assert_eq!(row.state, "Charging");
    assert_eq!(row.details, ["12 of 20 kWh", "Planned to finish at 10:10"]);
    assert_eq!(
        view.outlook,
        "Next charger expected free in about 1 h 10 min."
    );
    assert_eq!(view.updated, "09:00");
}

#[test]
fn a_done_car_shows_the_owners_return_and_ok_to_unplug() {
    let mut done = car(20.0, Some(20.0), None);
    done.owner_back_at = Some(now() + Duration::minutes(20));
    done.ok_to_unplug = true;
    let view = board(
        "Depot",
        &[port(
            "p2",
            PortState::Done(DoneReason::RequestMet),
            Some(done),
        )],
        2,
        tz(),
        now(),
    );
    let row = &view.ports[0];
    assert_eq!(row.state, "Done");
    assert_eq!(
        row.details,
        [
            "Has the charge it asked for",
            "20 of 20 kWh",
            "Owner back around 09:20",
            "OK to unplug"
        ]
    );
    assert_eq!(view.waiting, 2);
    assert_eq!(
        view.outlook,
        "No estimate yet: every charger is spoken for."
    );
}

#[test]
fn free_and_held_ports_are_counted_and_said() {
    let until = now() + Duration::minutes(15);
    let view = board(
        "Depot",
        &[
            port("p1", PortState::Free, None),
            port("p2", PortState::Held { until }, None),
        ],
        0,
        tz(),
        now(),
    );
    assert_eq!(view.free, 1);
    assert_eq!(view.outlook, "The next charger should be free now.");
    assert_eq!(view.ports[1].state, "Held");
    assert_eq!(
        view.ports[1].details,
        ["Held for a driver from the waitlist until 09:15"]
    );
}
