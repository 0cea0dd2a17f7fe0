//! The report's JSON view against the crate's `Report`, and the query errors.

use chargeplan_core::{PortId, SessionId, SiteId};
use chargeplan_reports::{PeriodSummary, REQUEST_MET_TOLERANCE_KWH, RelaySummary, WaitlistSummary};
use chrono::TimeZone as _;

use super::*;

fn report(cost: bool) -> Report {
    let tz = chrono_tz::America::Los_Angeles;
    let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0).unwrap();
    let row = |request, requested_kwh, met, ended: bool| SessionRow {
        session_id: SessionId::generate(),
        driver: "Guest on s1-p1".into(),
        port_id: ended.then(|| PortId::parse("s1-p1").unwrap()),
        started_at: at,
        started_at_local: "2026-06-15T09:00:00-07:00".into(),
        ended_at: ended.then_some(at),
        ended_at_local: ended.then(|| "2026-06-15T09:00:00-07:00".into()),
        request,
        requested_kwh,
        delivered_kwh: 7.25,
        met,
        departure_requested: ended.then_some(at),
        departure_requested_local: ended.then(|| "2026-06-15T09:00:00-07:00".into()),
    };
    Report {
        site_id: SiteId::parse("s1").unwrap(),
        time_zone: tz,
        period: PeriodSummary::new(Period::week_containing(day), tz),
        interval_minutes: 5,
        request_met_tolerance_kwh: REQUEST_MET_TOLERANCE_KWH,
        summary: Summary {
            sessions_count: 3,
            sessions_without_request: 1,
            sessions_as_much_as_possible: 1,
            sessions_with_kwh_request: 1,
            requested_kwh: 10.0,
            delivered_on_kwh_requests_kwh: 7.25,
            delivered_kwh: 21.75,
            requests_met: 0,
            requests_still_charging: 1,
            requests_met_pct: cost.then_some(50.0),
            measured_peak_kw: 12.5,
            measured_peak_at: Some(at),
            counterfactual_peak_kw: 19.8,
            counterfactual_peak_at: cost.then_some(at),
            peak_reduction_kw: 7.3,
        },
        relay: RelaySummary {
            threads_opened: 4,
            threads_answered: 3,
            replies_relayed: 5,
            median_first_reply_min: cost.then_some(6.5),
        },
        waitlist: WaitlistSummary {
            joins: 2,
            offers_made: 3,
            offers_taken: 1,
            offers_skipped: 1,
            offers_expired: 1,
            served: 1,
            median_wait_min: cost.then_some(12.0),
            sessions_measured_after_done: 2,
            median_min_after_done: cost.then_some(25.0),
        },
        cost: cost.then(|| CostSummary {
            currency: "USD".into(),
            energy_cost: 5.4,
            demand_charge_per_kw: 18.5,
            demand_charge: 231.25,
            counterfactual_demand_charge: 366.3,
            demand_charge_saving: 135.05,
        }),
        sessions: vec![
            row(RequestKind::Kwh, Some(10.0), Some(false), true),
            row(RequestKind::None, None, None, false),
            row(RequestKind::AsMuchAsPossible, None, None, true),
        ],
    }
}

#[test]
fn the_view_serializes_exactly_as_the_report() {
    for cost in [true, false] {
        let report = report(cost);
        let expected = serde_json::to_value(&report).unwrap();
        let view = serde_json::to_value(ReportView::from(report)).unwrap();
        assert_eq!(view, expected);
    }
}

#[test]
fn query_errors_name_the_field_and_the_value() {
    let error = invalid(
        report_query::period(Some("month"), None, NaiveDate::MIN).unwrap_err(),
        Some("month"),
    );
    assert_eq!(error.field(), Some("period"));
    assert_eq!(
        error.message(),
        "period: 'month' is not a period; use day or week"
    );
    let error = invalid(report_query::table(Some("all")).unwrap_err(), Some("all"));
    assert_eq!(error.field(), Some("table"));
}
