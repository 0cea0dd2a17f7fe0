//! Unit tests of taper detection and probing.

use chargeplan_core::{
    KilowattHours, Kilowatts, LimitPeriod, MeterSample, PortId, SessionId, Setpoint, SetpointState,
    SiteId,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("time")
        + Duration::minutes(minutes)
}

fn session() -> SessionId {
    SessionId::parse("s1").expect("id")
}

fn limit(kw: f64, at: i64, state: SetpointState) -> Setpoint {
    let mut setpoint = Setpoint::new(
        SiteId::parse("site").expect("id"),
        None,
        PortId::parse("p1").expect("id"),
        session(),
        t(at),
        vec![LimitPeriod {
            start_offset_s: 0,
            limit_kw: kw,
        }],
        t(at),
    )
    .expect("setpoint");
    setpoint.state = state;
    setpoint
}

fn drew(kw: &[(i64, f64)]) -> Vec<MeterSample> {
    kw.iter()
        .map(|&(at, kw)| {
            MeterSample::new(
                session(),
                t(at),
                KilowattHours::new(1.0).expect("kWh"),
                Kilowatts::new(kw).expect("kW"),
                None,
            )
            .expect("sample")
        })
        .collect()
}

#[test]
fn a_car_drawing_well_under_its_limit_for_three_readings_is_capped_at_its_draw_plus_a_margin() {
    let memory = TaperMemory::default();
    let setpoints = [limit(6.6, 0, SetpointState::Accepted)];
    let samples = drew(&[(5, 3.0), (10, 2.5), (15, 2.2)]);

    let max = memory.max_kw(
        &session(),
        6.6,
        &samples,
        &setpoints,
        t(16),
        &FeedbackConfig::default(),
    );

    assert!((max - 4.0).abs() < 1e-9, "{max}");
}

#[test]
fn a_car_drawing_its_limit_or_with_too_few_readings_keeps_the_port_maximum() {
    let config = FeedbackConfig::default();
    let setpoints = [limit(6.6, 0, SetpointState::Accepted)];
    let full = drew(&[(5, 6.5), (10, 6.6), (15, 6.4)]);
    let one_full = drew(&[(5, 3.0), (10, 6.5), (15, 3.0)]);
    let few = drew(&[(10, 2.0), (15, 2.0)]);
    let stale = drew(&[(5, 2.0), (10, 2.0), (15, 2.0)]);

    for (samples, now) in [(&full, 16), (&one_full, 16), (&few, 16), (&stale, 60)] {
        let memory = TaperMemory::default();
        assert_eq!(
            memory.max_kw(&session(), 6.6, samples, &setpoints, t(now), &config),
            6.6
        );
    }
}

#[test]
fn readings_under_a_limit_that_was_not_accepted_prove_nothing() {
    let memory = TaperMemory::default();
    let setpoints = [limit(6.6, 0, SetpointState::Rejected)];
    let samples = drew(&[(5, 2.0), (10, 2.0), (15, 2.0)]);

    let max = memory.max_kw(
        &session(),
        6.6,
        &samples,
        &setpoints,
        t(16),
        &FeedbackConfig::default(),
    );

    assert_eq!(max, 6.6);
}

#[test]
fn a_lowered_maximum_holds_then_is_dropped_once_to_probe_for_more() {
    let memory = TaperMemory::default();
    let config = FeedbackConfig::default();
    let setpoints = [limit(6.6, 0, SetpointState::Accepted)];
    let samples = drew(&[(5, 2.0), (10, 2.0), (15, 2.0)]);

    let first = memory.max_kw(&session(), 6.6, &samples, &setpoints, t(16), &config);
    let held = memory.max_kw(&session(), 6.6, &[], &[], t(30), &config);
    let probe = memory.max_kw(&session(), 6.6, &samples, &setpoints, t(47), &config);

    assert!((first - 3.0).abs() < 1e-9);
    assert!((held - 3.0).abs() < 1e-9);
    assert_eq!(probe, 6.6);
}
