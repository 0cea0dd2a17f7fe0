//! The CSV exports: columns, empty values, RFC 4180 quoting.

use chargeplan_core::{RequestedEnergy, Tariff};

use super::*;
use crate::compute::compute;
use crate::input::SessionInput;
use crate::test_fixtures::*;

fn report(tariff: Option<Tariff>) -> Report {
    let a = session(
        "a",
        Some("p1"),
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T17:00:00Z"),
        6.0,
    );
    let b = session("b", None, "2026-06-15T16:30:00Z", None, 1.5);
    let c = session("c", None, "2026-06-15T16:45:00Z", None, 0.0);
    let a_request = request(&a, kwh(6.05), "2026-06-15T18:00:00Z");
    let c_request = request(
        &c,
        RequestedEnergy::AsMuchAsPossible,
        "2026-06-15T20:00:00Z",
    );
    compute(input(
        "2026-06-15",
        vec![port("p1", 12.0)],
        tariff,
        vec![
            SessionInput {
                participant: Some(driver_a()),
                ..entry(a, Some(a_request), &[])
            },
            entry(b, None, &[]),
            entry(c, Some(c_request), &[]),
        ],
    ))
}

/// The registered driver of session `a`.
fn driver_a() -> chargeplan_core::ParticipantId {
    chargeplan_core::ParticipantId::parse("driver-a").expect("id")
}

#[test]
fn fields_with_commas_quotes_or_line_breaks_are_quoted() {
    assert_eq!(field("plain"), "plain");
    assert_eq!(field("a,b"), "\"a,b\"");
    assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(field("two\nlines"), "\"two\nlines\"");
    assert_eq!(field("cr\r"), "\"cr\r\"");
    assert_eq!(field(""), "");
    assert_eq!(line(&["x,y".to_owned(), "z".to_owned()]), "\"x,y\",z\r\n");
}

#[test]
fn the_sessions_csv_has_a_header_and_a_line_per_session() {
    let csv = to_csv(&report(None));
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    let driver = crate::driver_alias(Some(&driver_a()), None);
    assert!(driver.starts_with("Driver "), "{driver}");
    assert_eq!(
        lines,
        [
            "session_id,driver,port_id,started_local,ended_local,request,requested_kwh,delivered_kwh,met,departure_requested_local",
            &format!(
                "a,{driver},p1,2026-06-15T09:00:00-07:00,2026-06-15T10:00:00-07:00,kwh,6.05,6,yes,2026-06-15T11:00:00-07:00"
            ),
            "b,Guest,,2026-06-15T09:30:00-07:00,,none,,1.5,,",
            "c,Guest,,2026-06-15T09:45:00-07:00,,as_much_as_possible,,0,,2026-06-15T13:00:00-07:00",
        ]
    );
    assert!(csv.ends_with("\r\n"));
}

#[test]
fn the_summary_csv_lists_every_metric_and_leaves_cost_empty_without_a_tariff() {
    let csv = summary_csv(&report(None));
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines[0], "metric,value");
    for expected in [
        "site_id,lot-a",
        "period,2026-06-15",
        "period_from_local,2026-06-15T00:00:00-07:00",
        "sessions_count,3",
        "requested_kwh,6.05",
        "requests_met,1",
        "requests_still_charging,0",
        "requests_met_pct,100",
        "currency,",
        "energy_cost,",
        "demand_charge_saving,",
    ] {
        assert!(lines.contains(&expected), "{expected} missing from\n{csv}");
    }
    let with_tariff = summary_csv(&report(Some(tariff(0.2, vec![], 10.0))));
    assert!(
        with_tariff.contains("\r\ncurrency,USD\r\n"),
        "{with_tariff}"
    );
    assert_eq!(
        with_tariff.lines().count(),
        csv.lines().count(),
        "the same metrics with or without a tariff"
    );
}
