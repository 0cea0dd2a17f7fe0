//! Unit tests of refusals, unknown outcomes and their retries.

use chargeplan_core::{LimitPeriod, PortId, SessionId, Setpoint, SetpointState, SiteId};
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn t(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("time")
        + Duration::seconds(seconds)
}

fn setpoint(at: i64, state: SetpointState, reason: Option<&str>) -> Setpoint {
    let mut setpoint = Setpoint::new(
        SiteId::parse("site").expect("id"),
        None,
        PortId::parse("p1").expect("id"),
        SessionId::parse("s1").expect("id"),
        t(at),
        vec![LimitPeriod {
            start_offset_s: 0,
            limit_kw: 7.0,
        }],
        t(at),
    )
    .expect("setpoint");
    setpoint.state = state;
    setpoint.reason = reason.map(str::to_owned);
    setpoint
}

#[test]
fn one_unknown_outcome_is_retried_within_seconds_not_minutes() {
    let policy = RetryPolicy::default();
    let lost = [setpoint(0, SetpointState::Failed, Some("http_503"))];

    let state = ControlState::of(&lost, t(1), &policy);

    assert_eq!(
        state,
        ControlState::Unknown {
            reason: Some("http_503".into()),
            attempts: 1,
            retry_at: t(5)
        }
    );
    assert_eq!(
        ControlState::of(&lost, t(5), &policy),
        ControlState::Controlled
    );
}

#[test]
fn unknown_outcomes_in_a_row_back_off_up_to_the_bound() {
    let policy = RetryPolicy::default();
    let failed = |at| setpoint(at, SetpointState::Failed, Some("timeout"));
    let mut history = vec![setpoint(0, SetpointState::Accepted, None)];
    let mut waits = Vec::new();
    for n in 0..7 {
        history.push(failed(100 * (n + 1)));
        let retry_at = ControlState::of(&history, t(100 * (n + 1)), &policy)
            .retry_at()
            .expect("not under control");
        waits.push((retry_at - t(100 * (n + 1))).num_seconds());
    }

    assert_eq!(waits, [5, 10, 20, 40, 60, 60, 60]);
}

#[test]
fn a_refusal_keeps_the_session_at_its_maximum_until_the_refusal_retry() {
    let policy = RetryPolicy {
        refusal_retry: Duration::minutes(3),
        ..RetryPolicy::default()
    };
    let refused = [setpoint(0, SetpointState::Rejected, Some("not_supported"))];

    assert_eq!(
        ControlState::of(&refused, t(179), &policy).label(),
        "refused"
    );
    assert_eq!(
        ControlState::of(&refused, t(180), &policy),
        ControlState::Controlled
    );
}

#[test]
fn an_accepted_or_pending_newest_limit_is_under_control() {
    let policy = RetryPolicy::default();
    for newest in [SetpointState::Accepted, SetpointState::Pending] {
        let history = [
            setpoint(0, SetpointState::Failed, Some("reset")),
            setpoint(1, newest, None),
        ];
        assert_eq!(
            ControlState::of(&history, t(2), &policy),
            ControlState::Controlled
        );
    }
    assert_eq!(
        ControlState::of(&[], t(0), &policy),
        ControlState::Controlled
    );
}
