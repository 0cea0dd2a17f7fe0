//! Headroom for arrivals in the plan: a car that plugs in draws its port's maximum until its
//! first limit, so a plan that fills the cap is pushed over by every arrival; a circuit that
//! keeps one port's maximum free holds its cap, and the replay shows what that costs.

use chargeplan_replay::site::{self, CircuitFile, PortGroup, SiteFile};
use chargeplan_replay::{Battery, Info, Policy, Recorded, Replay};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// Two 6.656 kW ports on an 8 kW service.
fn two_port_site(arrival_headroom: Option<&str>) -> site::SiteModel {
    site::model(&SiteFile {
        id: "two".into(),
        name: "Two ports".into(),
        time_zone: "America/Los_Angeles".into(),
        slot_minutes: 5,
        poll_interval_s: 60,
        car_max_kw: 7.0,
        default_limit_kw: None,
        arrival_headroom: arrival_headroom.map(str::to_owned),
        circuits: vec![CircuitFile {
            id: "service".into(),
            parent: None,
            cap_kw: 8.0,
        }],
        ports: vec![PortGroup {
            circuit: "service".into(),
            stations: vec!["A".into(), "B".into()],
            max_amps: 32.0,
            voltage_v: 208.0,
            phases: 1,
        }],
        tariff: None,
    })
    .expect("valid site")
}

fn stay(station: &str, arrival: DateTime<Utc>, kwh: f64) -> Recorded {
    Recorded {
        line: 2,
        session_id: station.to_lowercase(),
        station_id: station.into(),
        arrival,
        departure: arrival + Duration::hours(4),
        requested_kwh: kwh,
        delivered_kwh: kwh,
        estimated_departure: None,
        claimed: true,
    }
}

/// Car A from 16:00 at its port's maximum, under the cap; car B from 16:31:10.
fn replay(arrival_headroom: Option<&str>) -> Replay {
    let at = Utc
        .with_ymd_and_hms(2019, 6, 14, 16, 0, 0)
        .single()
        .expect("time");
    Replay {
        site: two_port_site(arrival_headroom),
        sessions: vec![
            stay("A", at, 25.0),
            stay("B", at + Duration::seconds(31 * 60 + 10), 5.0),
        ],
        from: NaiveDate::from_ymd_opt(2019, 6, 14).expect("day"),
        to: NaiveDate::from_ymd_opt(2019, 6, 14).expect("day"),
        info: Info::Perfect,
        battery: Battery::Ideal,
        progress: false,
    }
}

#[test]
fn a_plan_that_fills_the_cap_is_pushed_over_by_the_next_arrival() {
    let reports = replay(None).run(&[Policy::Optimal]).expect("runs");
    assert!(reports[0].cap_violations > 0, "{:?}", reports[0]);
}

#[test]
fn one_ports_headroom_holds_the_cap_through_an_arrival_and_costs_energy_until_it_comes() {
    let held = replay(Some("one_port"))
        .run(&[Policy::Optimal])
        .expect("runs");
    let open = replay(None).run(&[Policy::Optimal]).expect("runs");
    assert_eq!(held[0].cap_violations, 0, "{:?}", held[0]);
    assert!(held[0].peak_kw <= 8.0 + 1e-6, "{:?}", held[0]);
    // Car A gets 8 − 6.656 kW while B's port is free: less energy than without headroom.
    assert!(
        held[0].energy_delivered_kwh < open[0].energy_delivered_kwh,
        "{:?} vs {:?}",
        held[0],
        open[0]
    );
}
