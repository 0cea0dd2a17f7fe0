//! Tests of projections: what counts as a shortfall, what limits it, and the sentence.

use chrono::Duration;
use chrono_tz::{America, Europe};

use super::*;
use crate::ids::SessionId;
use crate::request::EnergyNeed;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// 09:00 in Los Angeles (PDT) on Monday 2026-06-01.
fn now() -> DateTime<Utc> {
    t("2026-06-01T16:00:00Z")
}

/// 17:00 the same day in Los Angeles.
fn five_pm() -> DateTime<Utc> {
    t("2026-06-02T00:00:00Z")
}

const H24: ClockFormat = ClockFormat::TwentyFourHour;

fn projection(delivered: f64, requested: Option<f64>, shortfall: f64) -> Projection {
    Projection {
        delivered_kwh: delivered,
        requested_kwh: requested,
        departure: five_pm(),
        completion: None,
        shortfall_kwh: shortfall,
        cause: None,
        limit: None,
    }
}

fn la(p: &Projection, wh: Option<f64>) -> String {
    p.sentence(America::Los_Angeles, H24, wh, now())
}

fn request(kwh: f64, departure: DateTime<Utc>) -> ChargingRequest {
    ChargingRequest::new(
        SessionId::parse("s1").unwrap(),
        1,
        departure,
        EnergyNeed::Kwh(kwh),
        None,
        now(),
    )
    .unwrap()
}

/// A plan from `now()` of `slots` 30-minute slots at `kw`, with the optimizer's `reason`.
fn plan(kw: f64, slots: u32, reason: Option<&str>) -> (Plan, SessionPlan) {
    let planned = SessionPlan {
        session_id: SessionId::parse("s1").unwrap(),
        power_kw: vec![kw; slots as usize],
        energy_kwh: kw * f64::from(slots) / 2.0,
        shortfall_kwh: 0.0,
        completion: None,
        shortfall_reason: reason.map(str::to_owned),
    };
    let plan = Plan {
        id: crate::PlanId::generate(),
        site_id: crate::SiteId::parse("site").unwrap(),
        created_at: now(),
        start: now(),
        slot_minutes: crate::SlotMinutes::new(30).unwrap(),
        horizon_slots: slots,
        sessions: vec![planned.clone()],
    };
    (plan, planned)
}

#[test]
fn optimizer_reasons_map_to_causes_a_driver_understands() {
    let cases = [
        (
            "window too short for max power: at most 4.000 kWh at 7.2 kW over 6 slots",
            ShortfallCause::NotEnoughTime,
        ),
        (
            "circuit main full from 2026-06-01T16:00:00+00:00 to 2026-06-01T18:00:00+00:00 (24 of 30 slots in the window)",
            ShortfallCause::SiteAtCapacity,
        ),
        (
            "minimum current or power steps leave the remaining headroom unusable",
            ShortfallCause::PowerSteps,
        ),
        (
            "site peak kept at the plan's peak to avoid demand charges",
            ShortfallCause::SiteAtCapacity,
        ),
        ("something new", ShortfallCause::SiteAtCapacity),
    ];
    for (reason, cause) in cases {
        assert_eq!(
            ShortfallCause::from_optimizer_reason(reason),
            cause,
            "{reason}"
        );
    }
    assert_eq!(
        planned_max_kw("window too short for max power: at most 4.000 kWh at 1.6 kW over 6 slots"),
        Some(1.6)
    );
}

#[test]
fn a_met_request_promises_the_energy_by_departure() {
    let p = projection(18.0, Some(18.0), 0.0);
    assert!(p.is_met());
    assert_eq!(la(&p, None), "You'll have ~18 kWh by 17:00.");
    assert_eq!(
        la(&p, Some(300.0)),
        "You'll have ~18 kWh (~60 mi) by 17:00."
    );
    assert_eq!(
        p.sentence(America::Los_Angeles, ClockFormat::TwelveHour, None, now()),
        "You'll have ~18 kWh by 5:00 pm."
    );
}

#[test]
fn amounts_from_ten_are_whole_and_smaller_ones_have_one_decimal() {
    let s = |kwh: f64| la(&projection(kwh, None, 0.0), None);
    assert_eq!(s(18.4), "You'll have ~18 kWh by 17:00.");
    assert_eq!(s(18.5), "You'll have ~19 kWh by 17:00.");
    assert_eq!(s(9.44), "You'll have ~9.4 kWh by 17:00.");
    assert_eq!(s(9.96), "You'll have ~10 kWh by 17:00.");
    assert_eq!(s(f64::NAN), "You'll have ~0.0 kWh by 17:00.");
    assert_eq!(s(-0.0), "You'll have ~0.0 kWh by 17:00.");
    assert_eq!(
        la(&projection(2.5, None, 0.0), Some(300.0)),
        "You'll have ~2.5 kWh (~8.3 mi) by 17:00."
    );
}

#[test]
fn a_small_shortfall_still_counts_as_met() {
    assert!(projection(19.9, Some(20.0), 0.05).is_met());
    assert!(!projection(19.9, Some(20.0), 0.21).is_met());
    assert!(projection(99.0, Some(100.0), 1.0).is_met());
    assert!(!projection(98.9, Some(100.0), 1.1).is_met());
    assert!(projection(30.0, None, 0.0).is_met());
    assert!(!projection(30.0, None, f64::NAN).is_met());
}

#[test]
fn a_car_drawing_less_than_its_charger_is_named_as_the_limit() {
    // 20 kWh by 12:21 (now + 3 h 21 min); the car took 1.1 kW, planned at 1.6 with margin.
    let leave = now() + Duration::minutes(201);
    let (plan, planned) = plan(
        1.6,
        7,
        Some("window too short for max power: at most 5.500 kWh at 1.6 kW over 7 slots"),
    );
    let charger = ChargerNow {
        max_kw: 6.7,
        drawing_kw: 1.1,
    };
    let p = Projection::from_plan_at(
        &plan,
        &planned,
        1.0,
        &request(20.0, leave),
        now(),
        Some(charger),
    );
    assert_eq!(p.limit, Some(PowerLimit::Car { kw: 1.1 }));
    assert_eq!(
        la(&p, None),
        "Your car is drawing 1.1 kW, so by 12:21 you will have about 6.6 of the 20 kWh you asked for; leave later or ask for less."
    );
}

#[test]
fn a_charger_at_its_maximum_is_named_as_the_limit() {
    let (plan, planned) = plan(
        7.2,
        4,
        Some("window too short for max power: at most 14.400 kWh at 7.2 kW over 4 slots"),
    );
    let charger = ChargerNow {
        max_kw: 7.2,
        drawing_kw: 7.1,
    };
    let leave = now() + Duration::hours(2);
    let p = Projection::from_plan_at(
        &plan,
        &planned,
        0.0,
        &request(30.0, leave),
        now(),
        Some(charger),
    );
    assert_eq!(
        la(&p, Some(300.0)),
        "This charger gives at most 7.2 kW, so by 11:00 you will have about 14 of the 30 kWh (~48 of 100 mi) you asked for; leave later or ask for less."
    );
}

#[test]
fn a_full_site_is_named_as_the_limit() {
    let mut p = projection(12.0, Some(18.0), 6.0);
    p.cause = Some(ShortfallCause::SiteAtCapacity);
    assert_eq!(
        la(&p, None),
        "The site is at its power limit with other cars charging, so by 17:00 you will have about 12 of the 18 kWh you asked for; leave later or ask for less."
    );
    p.cause = Some(ShortfallCause::PowerSteps);
    assert!(
        la(&p, None).starts_with("This charger cannot run below its minimum power, so by 17:00")
    );
    p.cause = None;
    assert_eq!(
        la(&p, None),
        "By 17:00 you will have about 12 of the 18 kWh you asked for; leave later or ask for less."
    );
}

#[test]
fn a_plan_short_only_by_rounding_or_timing_is_no_shortfall() {
    // The optimizer planned all of it (no reason), but the meter lags the plan: 9.8 of 10.
    let (plan, planned) = plan(6.7, 2, None);
    let p = Projection::from_plan(&plan, &planned, 3.1, &request(10.0, five_pm()), now());
    assert!((p.delivered_kwh - 9.8).abs() < 1e-9);
    assert!(p.is_met());
    assert_eq!(la(&p, None), "You'll have ~10 kWh by 17:00.");
}

#[test]
fn a_departure_after_the_horizon_is_no_shortfall_when_later_hours_cover_it() {
    // 10 kWh in 26 hours at 6.7 kW, but the plan covers only the first hour.
    let leave = now() + Duration::hours(26);
    let (plan, planned) = plan(
        6.7,
        2,
        Some("window too short for max power: at most 6.700 kWh at 6.7 kW over 2 slots"),
    );
    let charger = ChargerNow {
        max_kw: 6.7,
        drawing_kw: 6.7,
    };
    let p = Projection::from_plan_at(
        &plan,
        &planned,
        0.0,
        &request(10.0, leave),
        now(),
        Some(charger),
    );
    assert!(p.is_met(), "{p:?}");
    assert_eq!(p.cause, None);
    // The same plan for a driver leaving at the end of it is short.
    let p = Projection::from_plan_at(
        &plan,
        &planned,
        0.0,
        &request(10.0, plan.end()),
        now(),
        Some(charger),
    );
    assert!(!p.is_met());
    assert_eq!(p.limit, Some(PowerLimit::Charger { kw: 6.7 }));
}

#[test]
fn a_departure_on_another_local_day_names_the_weekday() {
    let mut p = projection(18.0, Some(18.0), 0.0);
    p.departure = t("2026-06-02T14:30:00Z");
    assert_eq!(la(&p, None), "You'll have ~18 kWh by Tue 07:30.");
    p.departure = t("2026-06-02T06:00:00Z");
    assert_eq!(la(&p, None), "You'll have ~18 kWh by 23:00.");
}

#[test]
fn the_time_follows_daylight_saving_changes() {
    let mut p = projection(18.0, Some(18.0), 0.0);
    p.departure = t("2026-03-09T00:00:00Z");
    assert_eq!(
        p.sentence(America::Los_Angeles, H24, None, t("2026-03-08T08:30:00Z")),
        "You'll have ~18 kWh by 17:00."
    );
    p.departure = t("2026-10-25T07:00:00Z");
    assert_eq!(
        p.sentence(Europe::Berlin, H24, None, t("2026-10-24T20:00:00Z")),
        "You'll have ~18 kWh by Sun 08:00."
    );
}

#[test]
fn local_times_are_24_hour_with_the_weekday_only_on_other_days() {
    let tz = America::Los_Angeles;
    assert_eq!(format_local_time(now(), tz, now()), "09:00");
    assert_eq!(
        format_local_time(now() + Duration::hours(14), tz, now()),
        "23:00"
    );
    assert_eq!(
        format_local_time(now() - Duration::hours(10), tz, now()),
        "Sun 23:00"
    );
}

#[test]
fn a_projection_counts_energy_so_far_and_only_what_the_plan_gives_from_now_on() {
    let (plan, planned) = plan(6.0, 2, Some("circuit main full from …"));
    let req = request(18.0, five_pm());
    let fresh = Projection::from_plan(&plan, &planned, 4.0, &req, now());
    let later = Projection::from_plan(&plan, &planned, 5.5, &req, now() + Duration::minutes(15));
    assert_eq!(fresh.delivered_kwh, 10.0);
    assert_eq!(fresh.shortfall_kwh, 8.0);
    assert_eq!(fresh.cause, Some(ShortfallCause::SiteAtCapacity));
    assert!(!fresh.is_met());
    assert!(
        (later.delivered_kwh - 10.0).abs() < 1e-9,
        "{}",
        later.delivered_kwh
    );
    assert_eq!(fresh.departure, five_pm());
}
