//! What a car draws before its first limit is measured: at its port's maximum it can push a
//! tight service over its cap in the slot it arrives in; a station default of zero holds it.

use chargeplan_replay::site::{self, CircuitFile, PortGroup, SiteFile};
use chargeplan_replay::{Battery, Info, Policy, Recorded, Replay};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

fn one_port_site(default_limit_kw: Option<f64>) -> site::SiteModel {
    site::model(&SiteFile {
        id: "one".into(),
        name: "One port".into(),
        time_zone: "America/Los_Angeles".into(),
        slot_minutes: 5,
        poll_interval_s: 60,
        car_max_kw: 7.0,
        default_limit_kw,
        arrival_headroom: None,
        circuits: vec![CircuitFile {
            id: "service".into(),
            parent: None,
            cap_kw: 5.0,
        }],
        ports: vec![PortGroup {
            circuit: "service".into(),
            stations: vec!["A".into()],
            max_amps: 32.0,
            voltage_v: 208.0,
            phases: 1,
        }],
        tariff: None,
    })
    .expect("valid site")
}

fn replay(default_limit_kw: Option<f64>) -> Replay {
    let arrival = Utc
        .with_ymd_and_hms(2019, 6, 14, 16, 0, 0)
        .single()
        .expect("time");
    Replay {
        site: one_port_site(default_limit_kw),
        sessions: vec![Recorded {
            line: 2,
            session_id: "a".into(),
            station_id: "A".into(),
            arrival,
            departure: arrival + Duration::hours(4),
            requested_kwh: 10.0,
            delivered_kwh: 10.0,
            estimated_departure: None,
            claimed: true,
        }],
        from: NaiveDate::from_ymd_opt(2019, 6, 14).expect("day"),
        to: NaiveDate::from_ymd_opt(2019, 6, 14).expect("day"),
        info: Info::Perfect,
        battery: Battery::Ideal,
        progress: false,
    }
}

#[test]
fn a_car_at_its_port_maximum_before_its_first_limit_counts_against_the_cap() {
    let reports = replay(None).run(&[Policy::Optimal]).expect("runs");

    // 6.656 kW for the first minute, then 5 kW: a 5.33 kW average in the arrival's slot.
    assert_eq!(reports[0].cap_violations, 1, "{:?}", reports[0]);
    assert!(reports[0].peak_kw > 5.3, "{:?}", reports[0]);
    assert!((reports[0].energy_delivered_kwh - 10.0).abs() < 1e-6);
}

#[test]
fn a_station_default_of_zero_holds_a_new_car_until_the_plan_limits_it() {
    let reports = replay(Some(0.0))
        .run(&[Policy::Optimal, Policy::Uncontrolled])
        .expect("runs");

    assert_eq!(reports[0].cap_violations, 0, "{:?}", reports[0]);
    assert!((reports[0].energy_delivered_kwh - 10.0).abs() < 1e-6);
    assert!(
        reports[1].cap_violations > 0,
        "uncontrolled ignores the cap"
    );
}
