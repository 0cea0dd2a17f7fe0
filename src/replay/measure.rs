//! Reading the finished replay out of the store: each session's outcome and the site's power
//! over time, from the meter samples or, when those are too sparse, from the limits sent.

use std::collections::HashMap;

use chargeplan_core::{Port, PortId, Session, Setpoint, SiteId};
use chargeplan_store::prelude::*;
use chrono::{DateTime, Duration, Utc};

use super::report::{Outcome, PORT_KW, PeakSource, Trace, site_peak};
use crate::scenario::drivers::Recorded;

/// J1772's lowest current, as the control loop plans it: a port is off or at least 6 A.
const J1772_MIN_AMPS: f64 = 6.0;
/// Fewer meter samples than this per session on average are too sparse for a peak.
const MIN_SAMPLES_PER_SESSION: usize = 2;

/// What the store says of the replayed day.
#[derive(Debug)]
pub struct Measured {
    pub outcomes: Vec<Outcome>,
    pub peak_kw: f64,
    pub peak_source: PeakSource,
}

/// Every session of `site` that started in `[from, end)` and belongs to the recorded day;
/// sessions still open count as leaving at `end`.
pub async fn measure(
    store: &dyn Store,
    site: &SiteId,
    day: &HashMap<String, Recorded>,
    from: DateTime<Utc>,
    end: DateTime<Utc>,
) -> anyhow::Result<Measured> {
    let ports: HashMap<PortId, Port> = store
        .list_ports(site)
        .await?
        .into_iter()
        .map(|port| (port.id.clone(), port))
        .collect();
    let mut sessions: Vec<(Session, &Recorded)> = Vec::new();
    for session in store.list_sessions_started(site, from, end).await? {
        let recorded = session
            .token_uid
            .as_ref()
            .and_then(|token| day.get(token.as_str()));
        match recorded {
            Some(recorded) => sessions.push((session, recorded)),
            None => tracing::warn!(session.id = %session.id, "a session not of the recorded day"),
        }
    }
    let mut outcomes = Vec::with_capacity(sessions.len());
    let mut traces = Vec::with_capacity(sessions.len());
    let mut samples = 0;
    for (session, recorded) in &sessions {
        let departure = session.ended_at.unwrap_or(end).max(session.started_at);
        let min_kw = session
            .port_id
            .as_ref()
            .and_then(|id| ports.get(id))
            .map(|port| port.power_for_amps(J1772_MIN_AMPS).get())
            .filter(|min| *min < PORT_KW);
        outcomes.push(Outcome {
            id: session.id.as_str().to_owned(),
            arrival: session.started_at,
            departure,
            requested_kwh: recorded.requested_kwh,
            car_kwh: recorded.car_kwh,
            delivered_kwh: session.energy.get(),
            min_kw,
        });
        let mut measured = store.list_meter_samples(&session.id).await?;
        measured.sort_by_key(|sample| sample.at);
        samples += measured.len();
        traces.push(Trace {
            changes: measured
                .iter()
                .map(|sample| (sample.at, sample.power.get()))
                .collect(),
            end: departure,
        });
    }
    if samples >= MIN_SAMPLES_PER_SESSION * sessions.len() {
        return Ok(Measured {
            outcomes,
            peak_kw: site_peak(&traces),
            peak_source: PeakSource::MeterSamples,
        });
    }
    let setpoints = store.list_setpoints(site, from - Duration::days(1)).await?;
    let traces: Vec<Trace> = sessions
        .iter()
        .zip(&outcomes)
        .map(|((session, _), outcome)| {
            let mine: Vec<&Setpoint> = setpoints
                .iter()
                .filter(|s| s.session_id == session.id)
                .collect();
            limits_trace(&mine, outcome.departure)
        })
        .collect();
    Ok(Measured {
        outcomes,
        peak_kw: site_peak(&traces),
        peak_source: PeakSource::LimitsSent,
    })
}

/// The limit in force over time from a session's setpoints, oldest first: each holds from its
/// creation until the next one.
fn limits_trace(setpoints: &[&Setpoint], end: DateTime<Utc>) -> Trace {
    let mut changes = Vec::new();
    for (k, setpoint) in setpoints.iter().enumerate() {
        let until = setpoints.get(k + 1).map_or(end, |next| next.created_at);
        let at = |offset_s: u32| setpoint.starts_at + Duration::seconds(i64::from(offset_s));
        let in_force = setpoint
            .periods
            .iter()
            .take_while(|p| at(p.start_offset_s) <= setpoint.created_at)
            .last()
            .or(setpoint.periods.first())
            .map_or(0.0, |p| p.limit_kw);
        changes.push((setpoint.created_at, in_force));
        for period in &setpoint.periods {
            let from = at(period.start_offset_s);
            if from > setpoint.created_at && from < until {
                changes.push((from, period.limit_kw));
            }
        }
    }
    Trace { changes, end }
}
