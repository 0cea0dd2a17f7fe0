//! The pure core: a report from already-loaded data.

use chargeplan_core::{MeterSample, SessionStatus};

use crate::cost::cost;
use crate::counterfactual::{full_power_energy, full_power_kw};
use crate::fulfilment::REQUEST_MET_TOLERANCE_KWH;
use crate::input::{ReportInput, SessionInput};
use crate::measured::{last_seen, measured_energy};
use crate::period::{PeriodBounds, PeriodSummary};
use crate::relay::relay_summary;
use crate::report::Report;
use crate::rows::session_row;
use crate::summary::summarize;
use crate::waitlist::waitlist_summary;
use chargeplan_core::interval_energy::{INTERVAL_MINUTES, IntervalEnergy};

/// Computes the report of `input.period` over the sessions of `input` that started in it
/// (others, other sites' and reservations are ignored). See the crate documentation for
/// the method behind each figure.
pub fn compute(input: ReportInput) -> Report {
    let tz = input.site.time_zone;
    let bounds = input.period.bounds(tz);
    let mut sessions: Vec<&SessionInput> = input
        .sessions
        .iter()
        .filter(|s| counts_in(s, &input, bounds))
        .collect();
    sessions.sort_by(|a, b| {
        (a.session.started_at, &a.session.id).cmp(&(b.session.started_at, &b.session.id))
    });

    let mut measured = IntervalEnergy::default();
    let mut counterfactual = IntervalEnergy::default();
    let mut rows = Vec::with_capacity(sessions.len());
    let waitlist = waitlist_summary(
        bounds,
        &input.waitlist_entries,
        &input.waitlist_offers,
        &sessions,
    );
    for input_session in sessions {
        let session = &input_session.session;
        let samples: Vec<&MeterSample> = input_session
            .samples
            .iter()
            .filter(|m| m.session_id == session.id)
            .collect();
        let own = measured_energy(session, &samples);
        let own_peak_kw = own.peak().map_or(0.0, |p| p.kw);
        let power_kw = full_power_kw(session, &input.ports, own_peak_kw);
        counterfactual.add_all(&full_power_energy(
            session.started_at,
            last_seen(session, &samples),
            power_kw,
            session.energy.get(),
        ));
        measured.add_all(&own);
        rows.push(session_row(
            session,
            input_session.participant.as_ref(),
            input_session.latest_request.as_ref(),
            tz,
        ));
    }

    let summary = summarize(&rows, &measured, &counterfactual);
    let cost = input
        .tariff
        .as_ref()
        .map(|tariff| cost(tariff, tz, &measured, &summary));
    let relay = relay_summary(
        &input.site.id,
        bounds,
        &input.relay_threads,
        &input.relay_log,
    );
    Report {
        site_id: input.site.id.clone(),
        time_zone: tz,
        period: PeriodSummary::new(input.period, tz),
        interval_minutes: INTERVAL_MINUTES,
        request_met_tolerance_kwh: REQUEST_MET_TOLERANCE_KWH,
        summary,
        cost,
        relay,
        waitlist,
        sessions: rows,
    }
}

fn counts_in(s: &SessionInput, input: &ReportInput, bounds: PeriodBounds) -> bool {
    s.session.site_id == input.site.id
        && s.session.status != SessionStatus::Reservation
        && bounds.from <= s.session.started_at
        && s.session.started_at < bounds.to
}

#[cfg(test)]
#[path = "compute_tests.rs"]
mod tests;
