//! Tests of the replay's arithmetic.

use chrono::{Duration, TimeZone as _};

use super::*;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 6, 14, 14, 0, 0)
        .single()
        .expect("valid")
        + Duration::minutes(minutes)
}

fn outcome(id: &str, from: i64, to: i64, requested: f64, delivered: f64) -> Outcome {
    Outcome {
        id: id.to_owned(),
        arrival: at(from),
        departure: at(to),
        requested_kwh: requested,
        car_kwh: requested,
        delivered_kwh: delivered,
        min_kw: Some(1.248),
    }
}

#[test]
fn a_request_is_met_at_99_percent_of_what_the_stay_allows() {
    // One hour at 6.656 kW: at most 6.656 kWh, whatever was asked.
    let greedy = outcome("a", 0, 60, 20.0, 6.6);
    let modest = outcome("b", 0, 60, 4.0, 3.97);
    let short = outcome("c", 0, 60, 4.0, 3.9);

    assert!((greedy.physical_kwh() - PORT_KW).abs() < 1e-9);
    assert!(greedy.met());
    assert!(modest.met());
    assert!(!short.met());
}

#[test]
fn the_site_peak_sums_the_powers_in_force_at_each_instant() {
    let traces = [
        Trace {
            changes: vec![(at(0), 6.0), (at(30), 2.0)],
            end: at(60),
        },
        Trace {
            changes: vec![(at(10), 5.0)],
            end: at(90),
        },
        Trace {
            changes: vec![(at(60), 7.0)],
            end: at(120),
        },
    ];

    // 6 + 5 from minute 10 to 30; at minute 60 the first has left: 5 + 7.
    assert!((site_peak(&traces) - 12.0).abs() < 1e-9);
    assert!(site_peak(&[]).abs() < 1e-9);
}

#[test]
fn hindsight_shares_the_cap_and_the_report_divides_by_it() {
    // Two cars for two hours under a 6.656 kW cap: 13.312 kWh in all, asked 20.
    let inputs = Inputs {
        speedup: 600.0,
        cap_kw: PORT_KW,
        outcomes: vec![
            outcome("a", 0, 120, 10.0, 5.0),
            outcome("b", 0, 120, 10.0, 5.0),
        ],
        submitted: 2,
        peak_kw: 6.656,
        peak_source: PeakSource::MeterSamples,
    };

    let report = report(&inputs).expect("valid problem");

    assert_eq!(report.sessions, 2);
    assert!((report.requested_kwh - 20.0).abs() < 1e-9);
    assert!((report.delivered_kwh - 10.0).abs() < 1e-9);
    assert!((report.hindsight_kwh - 2.0 * PORT_KW).abs() < 1e-6);
    assert!((report.ratio - 10.0 / (2.0 * PORT_KW)).abs() < 1e-6);
    assert!(report.met_share.abs() < 1e-9);
}

#[test]
fn the_car_limited_hindsight_asks_no_more_than_the_car_accepts() {
    let mut small = outcome("a", 0, 120, 10.0, 3.0);
    small.car_kwh = 3.0;
    let inputs = Inputs {
        speedup: 600.0,
        cap_kw: 100.0,
        outcomes: vec![small],
        submitted: 1,
        peak_kw: 6.656,
        peak_source: PeakSource::MeterSamples,
    };

    let report = report(&inputs).expect("valid problem");

    assert!((report.hindsight_kwh - 10.0).abs() < 1e-6);
    assert!((report.hindsight_car_kwh - 3.0).abs() < 1e-6);
    assert!((report.ratio_car - 1.0).abs() < 1e-6);
    assert!(report.met_share.abs() < 1e-9);
}

#[test]
fn a_day_longer_than_24_hours_is_planned_to_its_last_departure() {
    let outcomes = [
        outcome("a", 0, 60, 5.0, 5.0),
        outcome("b", 1500, 1560, 5.0, 5.0),
    ];

    let problem = hindsight_problem(&outcomes, 150.0, |o| o.requested_kwh);
    let plan = solve_hindsight(&problem).expect("valid problem");

    assert_eq!(problem.horizon_slots, Some(312));
    assert!((plan.energy_kwh - 10.0).abs() < 1e-6);
}

#[test]
fn the_json_report_is_one_object_with_every_figure() {
    let report = Report {
        speedup: 3600.0,
        cap_kw: 30.0,
        sessions: 49,
        submitted: 38,
        requested_kwh: 600.5,
        delivered_kwh: 300.25,
        met_share: 0.5,
        peak_kw: 29.9,
        peak_source: PeakSource::LimitsSent,
        hindsight_kwh: 310.0,
        ratio: 300.25 / 310.0,
        hindsight_car_kwh: 305.0,
        ratio_car: 300.25 / 305.0,
    };

    let json: serde_json::Value = serde_json::from_str(&report.json()).expect("valid JSON");

    assert_eq!(json["sessions"], 49);
    assert_eq!(json["requests_submitted"], 38);
    assert_eq!(json["peak_source"], "limits sent");
    assert!((json["delivered_kwh"].as_f64().expect("number") - 300.25).abs() < 1e-9);
    assert!((json["ratio"].as_f64().expect("number") - 300.25 / 310.0).abs() < 1e-12);
    assert!(report.human().contains("delivered / hindsight = 96.9 %"));
}
