//! Loading a report's data from the store, then computing it.

use std::collections::HashMap;

use chargeplan_core::{MeterSample, Session, SessionId, SiteId};
use chargeplan_store::prelude::*;
use chargeplan_store::{RelayLogEntry, RelayThread};
use chrono::{DateTime, Duration, Utc};

use crate::compute::compute;
use crate::error::ReportError;
use crate::input::{ReportInput, SessionInput};
use crate::period::Period;
use crate::report::Report;

/// Loads the site, its ports and tariff, the sessions that started in `period` with their
/// latest requests, meter samples and registered drivers, the relay threads opened in it with their log, and
/// computes the report.
pub async fn load(store: &dyn Store, site: &SiteId, period: Period) -> Result<Report, ReportError> {
    let site = store.get_site(site).await?;
    let ports = store.list_ports(&site.id).await?;
    let tariff = store.get_tariff(&site.id).await?;
    let bounds = period.bounds(site.time_zone);
    let sessions = store
        .list_sessions_started(&site.id, bounds.from, bounds.to)
        .await?;
    let mut samples = load_samples(store, &site.id, &sessions, bounds.from).await?;
    let participants = store.list_participants(&site.id).await?;
    let mut inputs = Vec::with_capacity(sessions.len());
    for session in sessions {
        let latest_request = store.latest_request(&session.id).await?;
        let participant = session
            .token_uid
            .as_ref()
            .and_then(|uid| participants.iter().find(|p| p.has_token(uid)))
            .map(|p| p.id.clone());
        inputs.push(SessionInput {
            samples: samples.remove(&session.id).unwrap_or_default(),
            latest_request,
            participant,
            session,
        });
    }
    let (relay_threads, relay_log) = load_relay(store, &site.id, bounds.from, bounds.to).await?;
    let waitlist_entries = store
        .list_waitlist_joined(&site.id, bounds.from, bounds.to)
        .await?;
    let waitlist_offers = store.list_offers(&site.id, bounds.from).await?;
    Ok(compute(ReportInput {
        site,
        ports,
        tariff,
        sessions: inputs,
        period,
        relay_threads,
        relay_log,
        waitlist_entries,
        waitlist_offers,
    }))
}

/// The relay threads opened in `[from, to)` and the site's log lines from `from` to just
/// after the last of them closes (its `closes_at` moves with every message, so every line
/// of those threads is inside), in one query each.
async fn load_relay(
    store: &dyn Store,
    site: &SiteId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<RelayThread>, Vec<RelayLogEntry>), ReportError> {
    let threads = store.list_relay_threads(site, from, to).await?;
    let Some(last) = threads
        .iter()
        .map(|t| t.closed_at.unwrap_or(t.closes_at).max(t.last_message_at))
        .max()
    else {
        return Ok((threads, Vec::new()));
    };
    let log = store
        .list_relay_log(site, from, last.max(to) + Duration::seconds(1))
        .await?;
    Ok((threads, log))
}

/// The samples of `sessions`, by session, in one query of the site's samples from `from` to
/// just after the latest vendor report (or end) of any of them: the time of a session's
/// last sample is that of its last report.
async fn load_samples(
    store: &dyn Store,
    site: &SiteId,
    sessions: &[Session],
    from: DateTime<Utc>,
) -> Result<HashMap<SessionId, Vec<MeterSample>>, ReportError> {
    let Some(last_report) = sessions
        .iter()
        .map(|s| {
            s.ended_at
                .map_or(s.vendor_updated_at, |end| end.max(s.vendor_updated_at))
        })
        .max()
    else {
        return Ok(HashMap::new());
    };
    let mut by_session: HashMap<SessionId, Vec<MeterSample>> = sessions
        .iter()
        .map(|s| (s.id.clone(), Vec::new()))
        .collect();
    let to = last_report + Duration::seconds(1);
    for sample in store.list_site_meter_samples(site, from, to).await? {
        if let Some(samples) = by_session.get_mut(&sample.session_id) {
            samples.push(sample);
        }
    }
    Ok(by_session)
}
