//! Period bounds across DST changes, weeks from Monday, labels and parsing.

use chrono_tz::America::Los_Angeles;

use super::*;
use crate::compute::compute;
use crate::test_fixtures::{date, entry, input, session, t};

#[test]
fn the_spring_forward_day_lasts_23_hours() {
    let bounds = Period::day(date("2026-03-08")).bounds(Los_Angeles);
    assert_eq!(bounds.from, t("2026-03-08T08:00:00Z")); // midnight PST
    assert_eq!(bounds.to, t("2026-03-09T07:00:00Z")); // midnight PDT
    let summary = PeriodSummary::new(Period::day(date("2026-03-08")), Los_Angeles);
    assert_eq!(summary.hours, 23.0);
    assert_eq!(summary.label, "2026-03-08");
    assert_eq!(
        (summary.first_day, summary.last_day),
        (date("2026-03-08"), date("2026-03-08"))
    );
}

#[test]
fn the_fall_back_day_lasts_25_hours() {
    let summary = PeriodSummary::new(Period::day(date("2026-11-01")), Los_Angeles);
    assert_eq!(summary.from, t("2026-11-01T07:00:00Z"));
    assert_eq!(summary.to, t("2026-11-02T08:00:00Z"));
    assert_eq!(summary.hours, 25.0);
}

#[test]
fn a_day_report_holds_the_sessions_that_started_on_that_local_day() {
    let mut report_input = input("2026-06-15", vec![], None, vec![]);
    report_input.period = Period::day(date("2026-03-08"));
    report_input.sessions = [
        ("before", "2026-03-08T07:59:59Z"), // 23:59:59 PST on the 7th
        ("first", "2026-03-08T08:00:00Z"),  // 00:00 PST
        ("last", "2026-03-09T06:59:59Z"),   // 23:59:59 PDT
        ("after", "2026-03-09T07:00:00Z"),  // 00:00 PDT on the 9th
    ]
    .into_iter()
    .map(|(id, start)| entry(session(id, None, start, None, 1.0), None, &[]))
    .collect();
    let report = compute(report_input);
    let ids: Vec<&str> = report
        .sessions
        .iter()
        .map(|r| r.session_id.as_str())
        .collect();
    assert_eq!(ids, ["first", "last"]);
    assert_eq!(
        report.sessions[0].started_at_local,
        "2026-03-08T00:00:00-08:00"
    );
    assert_eq!(
        report.sessions[1].started_at_local,
        "2026-03-08T23:59:59-07:00"
    );
}

#[test]
fn a_week_runs_from_monday_to_sunday() {
    // 2026-03-11 is a Wednesday; its week is Monday 9 to Sunday 15 March, all on PDT.
    let week = Period::week_containing(date("2026-03-11"));
    assert_eq!(week.kind(), PeriodKind::Week);
    assert_eq!(week.first_day(), date("2026-03-09"));
    assert_eq!(week.last_day(), date("2026-03-15"));
    assert_eq!(week.label(), "2026-W11");
    let summary = PeriodSummary::new(week, Los_Angeles);
    assert_eq!(summary.from, t("2026-03-09T07:00:00Z"));
    assert_eq!(summary.to, t("2026-03-16T07:00:00Z"));
    assert_eq!(summary.hours, 168.0);
    // A Monday and a Sunday are in their own week; the week of the spring change is 167 h.
    assert_eq!(Period::week_containing(date("2026-03-09")), week);
    assert_eq!(Period::week_containing(date("2026-03-15")), week);
    let spring = Period::week_containing(date("2026-03-08"));
    assert_eq!(spring.first_day(), date("2026-03-02"));
    assert_eq!(PeriodSummary::new(spring, Los_Angeles).hours, 167.0);
}

#[test]
fn labels_parse_back_to_their_period() {
    let day: Period = "2026-03-08".parse().unwrap();
    assert_eq!(day, Period::day(date("2026-03-08")));
    let week: Period = " 2026-W10 ".parse().unwrap();
    assert_eq!(week, Period::week_containing(date("2026-03-02")));
    assert_eq!(week.label(), "2026-W10");
    // ISO week 1 of 2026 starts on Monday 29 December 2025.
    let first: Period = "2026-W01".parse().unwrap();
    assert_eq!(first.first_day(), date("2025-12-29"));
    assert_eq!(first.label(), "2026-W01");
}

#[test]
fn bad_labels_are_rejected_naming_the_field() {
    assert_eq!(
        "2026-02-30".parse::<Period>().unwrap_err().to_string(),
        "period: '2026-02-30' is neither a day (2026-03-08) nor an ISO week (2026-W10)"
    );
    assert_eq!(
        "2026-W54".parse::<Period>().unwrap_err().to_string(),
        "period: '2026-W54' is not an ISO week; use e.g. 2026-W10"
    );
    assert_eq!("yesterday".parse::<Period>().unwrap_err().field(), "period");
}
