//! A session's measured energy per interval, from the differences between meter readings.

use chargeplan_core::{MeterSample, Session};
use chrono::{DateTime, Utc};

use chargeplan_core::interval_energy::IntervalEnergy;

/// When the session was last known to be plugged in: its end, or for a session still open,
/// the later of its last vendor report and its last sample.
pub(crate) fn last_seen(session: &Session, samples: &[&MeterSample]) -> DateTime<Utc> {
    session.ended_at.unwrap_or_else(|| {
        samples
            .iter()
            .map(|s| s.at)
            .fold(session.vendor_updated_at, DateTime::max)
    })
}

/// The session's energy per interval.
///
/// The readings are put in time order between two known points: nothing delivered when
/// the session started, and `session.energy` when it was last seen (each added only when
/// it lies outside the samples). The energy between two consecutive readings is spread
/// evenly over the time between them. A reading lower than an earlier one (a meter reset,
/// a stale report) is skipped: the energy up to the next higher reading is spread from the
/// last reading that was not lower. A session without samples gets its energy spread evenly
/// over its whole stay; a first reading that already shows energy at the session's start
/// counts in that reading's interval.
pub(crate) fn measured_energy(session: &Session, samples: &[&MeterSample]) -> IntervalEnergy {
    let mut readings: Vec<(DateTime<Utc>, f64)> =
        samples.iter().map(|s| (s.at, s.energy.get())).collect();
    readings.sort_by_key(|&(at, _)| at);
    if readings
        .first()
        .is_none_or(|&(at, _)| session.started_at < at)
    {
        readings.insert(0, (session.started_at, 0.0));
    }
    let end = last_seen(session, samples);
    if readings.last().is_some_and(|&(at, _)| at < end) {
        readings.push((end, session.energy.get()));
    }

    let mut energy = IntervalEnergy::default();
    let Some(&(mut last_at, first)) = readings.first() else {
        return energy;
    };
    // A first reading at or before the session's start may already show energy.
    energy.add_at(last_at, first);
    let mut highest = first;
    for &(at, reading) in &readings[1..] {
        if reading >= highest {
            energy.add_spread(last_at, at, reading - highest);
            (last_at, highest) = (at, reading);
        }
    }
    energy
}
