//! Loading a site's facts for the port states from the store: ports, open sessions with their
//! requests, recent meter samples and sharing notes, the latest plan, the line and its offers.

use std::collections::HashMap;

use chargeplan_core::{SharingSettings, SiteId};
use chargeplan_store::prelude::*;
use chrono::{DateTime, Duration, Utc};

use super::ports::SiteFacts;
use crate::ControlError;

/// How long a car without a request is assumed to stay, when no config says otherwise (the
/// planner's default, `ControlConfig::default_stay`).
pub const DEFAULT_STAY_HOURS: i64 = 8;

/// The site's sharing settings (defaults when the operator never set them).
pub async fn settings(store: &dyn Store, site: &SiteId) -> Result<SharingSettings, ControlError> {
    Ok(store.get_sharing_settings(site).await?)
}

/// Reads everything `port_states` needs about `site` at `now`.
pub async fn load(
    store: &dyn Store,
    site: &SiteId,
    default_stay: Duration,
    now: DateTime<Utc>,
) -> Result<SiteFacts, ControlError> {
    let settings = settings(store, site).await?;
    let ports = store.list_ports(site).await?;
    let sessions = store.list_open_sessions(site).await?;
    let idle = Duration::minutes(i64::from(settings.done_idle_min));
    let mut requests = HashMap::new();
    let mut samples = HashMap::new();
    for session in &sessions {
        if let Some(request) = store.latest_request(&session.id).await? {
            requests.insert(session.id.clone(), request);
        }
        let recent = store
            .list_meter_samples_since(&session.id, now - idle)
            .await?;
        samples.insert(session.id.clone(), recent);
    }
    let notes = store
        .list_open_sharing_notes(site)
        .await?
        .into_iter()
        .map(|note| (note.session_id.clone(), note))
        .collect();
    Ok(SiteFacts {
        settings,
        ports,
        sessions,
        requests,
        plan: store.latest_plan(site).await?,
        samples,
        notes,
        line: store.list_waitlist(site).await?,
        offers: store.list_live_offers(site).await?,
        default_stay,
    })
}
