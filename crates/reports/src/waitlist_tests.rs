use chargeplan_core::{KilowattHours, Kilowatts, MeterSample, PhoneNumber, PortId};
use chargeplan_store::{EntryState, OfferState, WaitlistEntry, WaitlistOffer};
use chrono::Duration;

use super::*;
use crate::input::SessionInput;
use crate::period::Period;
use crate::test_fixtures::{date, kwh, request, session, site_id, t};

fn bounds() -> PeriodBounds {
    Period::day(date("2026-06-15")).bounds(chrono_tz::America::Los_Angeles)
}

fn joined(id: &str, at: &str, state: EntryState) -> WaitlistEntry {
    WaitlistEntry {
        id: id.into(),
        site_id: site_id(),
        phone: PhoneNumber::parse("+15005550101").expect("phone"),
        joined_at: t(at),
        skips: 0,
        state,
        ended_at: None,
    }
}

fn offer(entry: &str, at: &str, state: OfferState) -> WaitlistOffer {
    WaitlistOffer {
        id: format!("{entry}-{at}"),
        entry_id: entry.into(),
        site_id: site_id(),
        port_id: PortId::parse("p1").expect("port"),
        offered_at: t(at),
        respond_by: t(at) + Duration::minutes(10),
        state,
        answered_at: None,
        hold_until: None,
    }
}

/// Samples every 5 minutes from `start`: (kWh so far, kW now).
fn metered(input: &mut SessionInput, start: &str, readings: &[(f64, f64)]) {
    let from = t(start);
    input.samples = readings
        .iter()
        .enumerate()
        .map(|(i, &(energy, power))| MeterSample {
            session_id: input.session.id.clone(),
            at: from + Duration::minutes(5 * i as i64),
            energy: KilowattHours::new(energy).expect("energy"),
            power: Kilowatts::new(power).expect("power"),
            state_of_charge_pct: None,
        })
        .collect();
}

#[test]
fn joins_offers_and_the_wait_to_the_offer_taken_are_counted_in_the_period() {
    use OfferState::{Expired, Open, Skipped, Used};
    // Los Angeles day 2026-06-15 is 07:00Z to 07:00Z.
    let entries = [
        joined("a", "2026-06-15T16:00:00Z", EntryState::Served),
        joined("b", "2026-06-15T17:00:00Z", EntryState::Removed),
        joined("c", "2026-06-15T18:00:00Z", EntryState::Waiting),
        joined("before", "2026-06-14T18:00:00Z", EntryState::Served),
    ];
    let offers = [
        offer("a", "2026-06-15T16:10:00Z", Skipped),
        offer("a", "2026-06-15T16:30:00Z", Used),
        offer("b", "2026-06-15T17:05:00Z", Expired),
        offer("before", "2026-06-15T08:00:00Z", Used),
        // Made after the period: counts for c's wait, not among the period's offers.
        offer("c", "2026-06-16T08:00:00Z", OfferState::Taken),
        offer("b", "2026-06-15T17:20:00Z", Open),
    ];
    let summary = waitlist_summary(bounds(), &entries, &offers, &[]);
    assert_eq!(summary.joins, 3);
    assert_eq!(summary.offers_made, 5);
    assert_eq!(
        summary.offers_taken, 2,
        "a's used offer and the earlier one's"
    );
    assert_eq!(summary.offers_skipped, 1);
    assert_eq!(summary.offers_expired, 1);
    assert_eq!(summary.served, 1);
    // a waited 30 min, c 14 h = 840 min: the median of two is their mean.
    assert_eq!(summary.median_wait_min, Some(435.0));
}

#[test]
fn a_car_stays_from_its_request_met_or_its_last_draw_until_it_leaves() {
    // Met 20 kWh at 17:15 (still drawing a little), unplugged 18:00: 45 minutes.
    let met = session(
        "met",
        Some("p1"),
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T18:00:00Z"),
        20.0,
    );
    let mut met = SessionInput {
        participant: None,
        latest_request: Some(request(&met, kwh(20.0), "2026-06-15T23:00:00Z")),
        session: met,
        samples: Vec::new(),
    };
    let mut readings: Vec<(f64, f64)> = (0..=14).map(|i| (f64::from(i) * 1.4, 7.0)).collect();
    readings.push((20.0, 0.5)); // 17:15
    metered(&mut met, "2026-06-15T16:00:00Z", &readings);
    // No request; stopped drawing after the 16:20 sample (at 16:25), left 17:00: 35 minutes.
    let stopped = session(
        "stopped",
        Some("p2"),
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T17:00:00Z"),
        6.0,
    );
    let mut stopped = SessionInput {
        participant: None,
        latest_request: None,
        session: stopped,
        samples: Vec::new(),
    };
    metered(
        &mut stopped,
        "2026-06-15T16:00:00Z",
        &[
            (0.0, 7.0),
            (0.6, 7.0),
            (1.2, 7.0),
            (1.8, 7.0),
            (2.4, 7.0),
            (3.0, 0.0),
            (3.0, 0.0),
        ],
    );
    // Still plugged in: not measured.
    let open = session("open", Some("p3"), "2026-06-15T16:00:00Z", None, 1.0);
    let mut open = SessionInput {
        participant: None,
        latest_request: None,
        session: open,
        samples: Vec::new(),
    };
    metered(&mut open, "2026-06-15T16:00:00Z", &[(0.0, 0.0), (0.0, 0.0)]);

    let sessions = [&met, &stopped, &open];
    let summary = waitlist_summary(bounds(), &[], &[], &sessions);
    assert_eq!(summary.sessions_measured_after_done, 2);
    // 45 and 35 minutes.
    assert_eq!(summary.median_min_after_done, Some(40.0));
    assert_eq!(summary.joins, 0);
    assert_eq!(summary.median_wait_min, None);
}

#[test]
fn a_car_drawing_to_the_end_stayed_no_time_after_done() {
    let busy = session(
        "busy",
        Some("p1"),
        "2026-06-15T16:00:00Z",
        Some("2026-06-15T16:10:00Z"),
        1.2,
    );
    let mut busy = SessionInput {
        participant: None,
        latest_request: None,
        session: busy,
        samples: Vec::new(),
    };
    metered(
        &mut busy,
        "2026-06-15T16:00:00Z",
        &[(0.0, 7.0), (0.6, 7.0), (1.2, 7.0)],
    );
    let summary = waitlist_summary(bounds(), &[], &[], &[&busy]);
    assert_eq!(summary.median_min_after_done, Some(0.0));
}
