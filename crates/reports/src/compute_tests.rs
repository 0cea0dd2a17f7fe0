//! Hand-computed reports of small sites (Los Angeles, 2026-06-15 is on PDT, UTC-7).

use chargeplan_core::{MeterSample, RequestedEnergy, SessionStatus, Tariff};

use super::*;
use crate::fulfilment::RequestKind;
use crate::measured::measured_energy;
use crate::test_fixtures::*;

const DAY: &str = "2026-06-15";

/// Session `a` on a 12 kW port draws 6 kW from 16:00Z to 17:00Z (6 kWh, asked 5: met);
/// session `b` on a 6 kW port draws 1 kWh in its first 10 minutes from 16:30Z, then 1 kWh
/// in the next 50 (2 kWh, asked 4: not met). Together: 12 kW from 16:30Z to 16:40Z.
fn two_sessions(tariff: Option<Tariff>) -> ReportInput {
    let a = session(
        "a",
        Some("p1"),
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T17:00:00Z"),
        6.0,
    );
    let b = session(
        "b",
        Some("p2"),
        "2026-06-15T16:30:00Z",
        Some("2026-06-15T17:30:00Z"),
        2.0,
    );
    let a_request = request(&a, kwh(5.0), "2026-06-15T18:00:00Z");
    let b_request = request(&b, kwh(4.0), "2026-06-15T17:30:00Z");
    input(
        DAY,
        vec![port("p1", 12.0), port("p2", 6.0)],
        tariff,
        vec![
            entry(
                b,
                Some(b_request),
                &[
                    ("2026-06-15T16:30:00Z", 0.0),
                    ("2026-06-15T16:40:00Z", 1.0),
                    ("2026-06-15T17:30:00Z", 2.0),
                ],
            ),
            entry(
                a,
                Some(a_request),
                &[
                    ("2026-06-15T16:00:00Z", 0.0),
                    ("2026-06-15T16:30:00Z", 3.0),
                    ("2026-06-15T17:00:00Z", 6.0),
                ],
            ),
        ],
    )
}

#[test]
fn two_sessions_give_exact_requested_delivered_met_and_peak() {
    let report = compute(two_sessions(None));
    let s = &report.summary;
    assert_eq!(s.sessions_count, 2);
    assert_eq!(s.sessions_with_kwh_request, 2);
    assert_eq!(s.requested_kwh, 9.0);
    assert_eq!(s.delivered_kwh, 8.0);
    assert_eq!(s.delivered_on_kwh_requests_kwh, 8.0);
    assert_eq!(s.requests_met, 1);
    assert_eq!(s.requests_met_pct, Some(50.0));
    assert_eq!(s.measured_peak_kw, 12.0);
    assert_eq!(s.measured_peak_at, Some(t("2026-06-15T16:30:00Z")));
    // Uncontrolled: a at 12 kW 16:00–16:30, b at 6 kW 16:30–16:50; they never overlap.
    assert_eq!(s.counterfactual_peak_kw, 12.0);
    assert_eq!(s.counterfactual_peak_at, Some(t("2026-06-15T16:00:00Z")));
    assert_eq!(s.peak_reduction_kw, 0.0);

    let ids: Vec<&str> = report
        .sessions
        .iter()
        .map(|r| r.session_id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"], "rows are in start order");
    let a = &report.sessions[0];
    assert_eq!(a.request, RequestKind::Kwh);
    assert_eq!(
        (a.requested_kwh, a.delivered_kwh, a.met),
        (Some(5.0), 6.0, Some(true))
    );
    assert_eq!(a.started_at_local, "2026-06-15T09:00:00-07:00");
    assert_eq!(
        a.departure_requested_local.as_deref(),
        Some("2026-06-15T11:00:00-07:00")
    );
    assert_eq!(report.sessions[1].met, Some(false));
}

#[test]
fn a_car_still_charging_short_of_its_request_is_undecided_and_one_already_met_counts() {
    let mut input = two_sessions(None);
    // b (asked 4, has 2) and a (asked 5, has 6) are both still plugged in.
    for entry in &mut input.sessions {
        entry.session.ended_at = None;
    }

    let report = compute(input);

    let s = &report.summary;
    assert_eq!((s.requests_met, s.requests_still_charging), (1, 1));
    assert_eq!(s.requests_met_pct, Some(100.0), "only a is decided");
    assert_eq!(report.sessions[1].met, None, "b may still get its 4 kWh");
    assert_eq!(report.sessions[0].met, Some(true));
}

#[test]
fn a_request_short_by_the_tolerance_is_still_met() {
    let mut input = two_sessions(None);
    // b delivered 2.0 kWh: asking 2.1 is met, asking 2.11 is not.
    input.sessions[0].latest_request = Some(request(
        &input.sessions[0].session,
        kwh(2.1),
        "2026-06-15T18:00:00Z",
    ));
    assert_eq!(compute(input.clone()).sessions[1].met, Some(true));
    input.sessions[0].latest_request = Some(request(
        &input.sessions[0].session,
        kwh(2.11),
        "2026-06-15T18:00:00Z",
    ));
    assert_eq!(compute(input).sessions[1].met, Some(false));
}

#[test]
fn uncontrolled_charging_peaks_higher_than_staggered_controlled_charging() {
    // Three cars arrive at 16:00Z and leave at 19:00Z with 6 kWh each; the controller
    // charged them one after the other at 6 kW. The third has no port: the site's largest
    // port, 7.2 kW, is used for it.
    let end = Some("2026-06-15T19:00:00Z");
    let car = |id, port| session(id, port, "2026-06-15T16:00:00Z", end, 6.0);
    // Hourly readings at 16:00, 17:00, 18:00 and 19:00Z.
    let hourly = |kwh: [f64; 4]| -> Vec<(&'static str, f64)> {
        let at = [
            "2026-06-15T16:00:00Z",
            "2026-06-15T17:00:00Z",
            "2026-06-15T18:00:00Z",
            "2026-06-15T19:00:00Z",
        ];
        at.into_iter().zip(kwh).collect()
    };
    let report = compute(input(
        DAY,
        vec![port("p1", 6.0), port("p2", 6.0), port("p3", 7.2)],
        Some(tariff(0.2, vec![], 10.0)),
        vec![
            entry(car("c1", Some("p1")), None, &hourly([0.0, 6.0, 6.0, 6.0])),
            entry(car("c2", Some("p2")), None, &hourly([0.0, 0.0, 6.0, 6.0])),
            entry(car("c3", None), None, &hourly([0.0, 0.0, 0.0, 6.0])),
        ],
    ));
    let s = &report.summary;
    assert_eq!(s.measured_peak_kw, 6.0);
    assert_eq!(s.measured_peak_at, Some(t("2026-06-15T16:00:00Z")));
    // 6 + 6 + 7.2 kW until the third car is full after 50 minutes.
    assert_eq!(s.counterfactual_peak_kw, 19.2);
    assert_eq!(s.counterfactual_peak_at, Some(t("2026-06-15T16:00:00Z")));
    assert_eq!(s.peak_reduction_kw, 13.2);
    let cost = report.cost.expect("a tariff");
    assert_eq!(cost.energy_cost, 3.6);
    assert_eq!(cost.demand_charge, 60.0);
    assert_eq!(cost.counterfactual_demand_charge, 192.0);
    assert_eq!(cost.demand_charge_saving, 132.0);
}

#[test]
fn energy_is_priced_at_the_time_of_use_price_of_each_interval() {
    // 6 kW from 16:00 to 18:00 local (23:00Z to 01:00Z): one hour at the default 0.20,
    // one hour in the 17:00–21:00 window at 0.50.
    let s = session(
        "e",
        Some("p1"),
        "2026-06-15T23:00:00Z",
        Some("2026-06-16T01:00:00Z"),
        12.0,
    );
    let report = compute(input(
        DAY,
        vec![port("p1", 12.0)],
        Some(tariff(0.20, vec![window(17, 21, 0.50)], 10.0)),
        vec![entry(
            s,
            None,
            &[
                ("2026-06-15T23:00:00Z", 0.0),
                ("2026-06-15T23:30:00Z", 3.0),
                ("2026-06-16T00:00:00Z", 6.0),
                ("2026-06-16T00:30:00Z", 9.0),
                ("2026-06-16T01:00:00Z", 12.0),
            ],
        )],
    ));
    let cost = report.cost.expect("a tariff");
    assert_eq!(cost.currency, "USD");
    assert_eq!(cost.energy_cost, 4.2);
    assert_eq!(cost.demand_charge_per_kw, 10.0);
    assert_eq!(cost.demand_charge, 60.0);
    assert_eq!(cost.counterfactual_demand_charge, 120.0);
    assert_eq!(cost.demand_charge_saving, 60.0);
}

#[test]
fn without_a_tariff_there_are_no_cost_figures() {
    let report = compute(two_sessions(None));
    assert_eq!(report.cost, None);
    let json = serde_json::to_value(&report).expect("json");
    assert!(json["cost"].is_null(), "{json}");
    assert_eq!(json["summary"]["measured_peak_kw"], 12.0);
    assert_eq!(json["summary"]["requested_kwh"], 9.0);
    assert_eq!(json["time_zone"], "America/Los_Angeles");
    assert_eq!(json["period"]["label"], DAY);
    assert_eq!(json["sessions"][0]["request"], "kwh");
}

#[test]
fn sessions_without_a_request_or_asking_as_much_as_possible_are_not_in_the_met_figures() {
    let none = session(
        "n",
        None,
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T17:00:00Z"),
        3.0,
    );
    let amap = session(
        "m",
        None,
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T17:00:00Z"),
        4.0,
    );
    let amap_request = request(
        &amap,
        RequestedEnergy::AsMuchAsPossible,
        "2026-06-15T17:00:00Z",
    );
    let mut reservation = session("r", None, "2026-06-15T16:00:00Z", None, 0.0);
    reservation.status = SessionStatus::Reservation;
    let yesterday = session("y", None, "2026-06-15T06:59:59Z", None, 1.0);
    let report = compute(input(
        DAY,
        vec![port("p1", 7.2)],
        None,
        vec![
            entry(none, None, &[]),
            entry(amap, Some(amap_request), &[]),
            entry(reservation, None, &[]),
            entry(yesterday, None, &[]),
        ],
    ));
    let s = &report.summary;
    assert_eq!(s.sessions_count, 2);
    assert_eq!(s.sessions_without_request, 1);
    assert_eq!(s.sessions_as_much_as_possible, 1);
    assert_eq!(s.sessions_with_kwh_request, 0);
    assert_eq!(
        (s.requested_kwh, s.delivered_on_kwh_requests_kwh),
        (0.0, 0.0)
    );
    assert_eq!(s.delivered_kwh, 7.0);
    assert_eq!((s.requests_met, s.requests_met_pct), (0, None));
    let amap_row = report
        .sessions
        .iter()
        .find(|r| r.session_id.as_str() == "m");
    let amap_row = amap_row.expect("row");
    assert_eq!(amap_row.request, RequestKind::AsMuchAsPossible);
    assert_eq!((amap_row.requested_kwh, amap_row.met), (None, None));
    // Without samples, each session's energy is spread over its stay: 3 + 4 kW.
    assert_eq!(s.measured_peak_kw, 7.0);
}

#[test]
fn measured_energy_starts_from_zero_and_ignores_readings_going_backwards() {
    let s = session(
        "g",
        None,
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T16:30:00Z"),
        3.0,
    );
    let readings = samples(
        &s,
        &[
            ("2026-06-15T16:10:00Z", 1.0),
            ("2026-06-15T16:20:00Z", 0.5),
            ("2026-06-15T16:25:00Z", 2.0),
        ],
    );
    let refs: Vec<&MeterSample> = readings.iter().collect();
    let per_interval: Vec<f64> = measured_energy(&s, &refs)
        .iter()
        .map(|(_, kwh)| (kwh * 1e9).round() / 1e9)
        .collect();
    // 1 kWh over 16:00–16:10; the lower reading at 16:20 is skipped, so the next kWh is
    // spread over 16:10–16:25; the last kWh (to the session's 3 kWh) over 16:25–16:30.
    let third = (1e9_f64 / 3.0).round() / 1e9;
    assert_eq!(per_interval, [0.5, 0.5, third, third, third, 1.0]);
}
