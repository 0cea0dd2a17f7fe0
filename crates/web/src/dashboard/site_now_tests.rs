//! Unit tests of a site's state now: power from the latest fresh reading of each open session,
//! the root's cap, charging against done-and-plugged-in against not reported.

use chargeplan_core::{KilowattHours, MeterSample};

use super::*;
use crate::dashboard::series::tests::{sample, state};

fn with_energy(mut sample: MeterSample, kwh: f64) -> MeterSample {
    sample.energy = KilowattHours::new(kwh).unwrap();
    sample
}

#[test]
fn power_is_the_latest_fresh_reading_of_each_open_session_against_the_roots_cap() {
    let mut site = state();
    site.samples = vec![
        sample("x", "2026-06-15T09:50:00Z", 7.0),
        sample("x", "2026-06-15T10:05:00Z", 5.5),
        sample("y", "2026-06-15T10:06:00Z", 6.0),
    ];

    let now = measured_now(&site);

    assert!((now.power_kw - 11.5).abs() < 1e-9, "{now:?}");
    assert_eq!(now.cap_kw, Some(100.0));
    assert_eq!(
        (now.charging, now.done_plugged_in, now.not_reported),
        (2, 0, 0)
    );
}

#[test]
fn a_car_that_took_energy_and_draws_nothing_is_done_and_a_stale_reading_is_not_reported() {
    let mut site = state();
    site.samples = vec![
        with_energy(sample("x", "2026-06-15T10:06:00Z", 0.0), 12.0),
        sample("y", "2026-06-15T09:40:00Z", 6.0),
    ];

    let now = measured_now(&site);

    assert_eq!(now.power_kw, 0.0);
    assert_eq!(
        (now.charging, now.done_plugged_in, now.not_reported),
        (0, 1, 1)
    );
}

#[test]
fn a_car_waiting_at_zero_before_it_took_anything_is_not_counted_as_done() {
    let mut site = state();
    site.samples = vec![sample("x", "2026-06-15T10:06:00Z", 0.0)];

    let now = measured_now(&site);

    assert_eq!(
        (now.charging, now.done_plugged_in, now.not_reported),
        (0, 0, 2)
    );
}
