//! A site's state now, in one row of the dashboard's front page: power drawn against the cap,
//! cars charging, cars done and still plugged in, and what needs the operator's attention
//! (a vendor not answering, limits refused or unknown, a worst case over a cap, a site that
//! cannot be planned).

use std::collections::{HashMap, HashSet};

use chargeplan_core::{MeterSample, SessionId};
use chrono::Duration;

use super::load::SiteState;
use super::notice::not_plannable;
use super::series::site_charts;
use crate::AppState;

/// A meter reading older than this says nothing about now.
const FRESH_MINUTES: i64 = 15;
/// Below this a car counts as drawing nothing.
const DRAWING_KW: f64 = 0.1;

/// What the front page says about one site.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SiteNow {
    /// Power the open sessions draw now, from their latest fresh readings.
    pub(crate) power_kw: f64,
    /// The site's (root circuit's) cap now; `None` without circuits.
    pub(crate) cap_kw: Option<f64>,
    /// Open sessions drawing power now.
    pub(crate) charging: usize,
    /// Open sessions that took energy and draw nothing now: done, or paused by the car.
    pub(crate) done_plugged_in: usize,
    /// Open sessions with no fresh reading or none yet.
    pub(crate) not_reported: usize,
    /// Alerts, in words, most urgent first.
    pub(crate) alerts: Vec<String>,
}

/// The site's state now from what the overview loads, and the alerts only the running
/// server knows (control loop gauges, vendor polls).
pub(crate) fn site_now(state: &AppState, site: &SiteState) -> SiteNow {
    let mut now = measured_now(site);
    now.alerts = alerts(state, site);
    now
}

/// Power, cap and counts from the stored state alone.
pub(crate) fn measured_now(site: &SiteState) -> SiteNow {
    let latest = latest_samples(&site.samples);
    let fresh_after = site.now - Duration::minutes(FRESH_MINUTES);
    let mut now = SiteNow {
        power_kw: 0.0,
        cap_kw: site_charts(site).first().map(|chart| chart.cap_now_kw),
        charging: 0,
        done_plugged_in: 0,
        not_reported: 0,
        alerts: Vec::new(),
    };
    for open in &site.sessions {
        match latest.get(&open.session.id) {
            Some(sample) if sample.at >= fresh_after => {
                let power = sample.power.get();
                now.power_kw += power;
                if power >= DRAWING_KW {
                    now.charging += 1;
                } else if sample.energy.get() > 0.0 {
                    now.done_plugged_in += 1;
                } else {
                    now.not_reported += 1;
                }
            }
            _ => now.not_reported += 1,
        }
    }
    now
}

fn latest_samples(samples: &[MeterSample]) -> HashMap<SessionId, &MeterSample> {
    let mut latest: HashMap<SessionId, &MeterSample> = HashMap::new();
    for sample in samples {
        let newer = latest
            .get(&sample.session_id)
            .is_none_or(|seen| sample.at >= seen.at);
        if newer {
            latest.insert(sample.session_id.clone(), sample);
        }
    }
    latest
}

fn alerts(state: &AppState, site: &SiteState) -> Vec<String> {
    let gauges = state.control.metrics().sites();
    let mut alerts = Vec::new();
    if gauges.worst_case_over_cap(&site.site.id).is_some() {
        alerts.push("Limits held back: the worst case is over a cap".to_owned());
    }
    let vendors: HashSet<_> = site
        .ports
        .iter()
        .map(|port| port.vendor.vendor_account.clone())
        .collect();
    let mut failing: Vec<_> = crate::metrics::poll_statuses(state)
        .into_iter()
        .filter(|(vendor, status)| vendors.contains(vendor) && status.consecutive_errors > 0)
        .collect();
    failing.sort_by(|a, b| a.0.cmp(&b.0));
    for (vendor, status) in failing {
        let polls = status.consecutive_errors;
        alerts.push(format!(
            "Vendor {vendor} not answering: {polls} poll{} failed in a row",
            if polls == 1 { "" } else { "s" }
        ));
    }
    let not_controlled = gauges.not_under_control(&site.site.id);
    if not_controlled > 0 {
        alerts.push(format!(
            "{not_controlled} car{} with limits refused or unknown",
            if not_controlled == 1 { "" } else { "s" }
        ));
    }
    if let Some(reason) = not_plannable(site) {
        alerts.push(reason.to_owned());
    }
    alerts
}

#[cfg(test)]
#[path = "site_now_tests.rs"]
mod tests;
