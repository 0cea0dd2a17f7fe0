//! Feedback from what cars really draw: a car that draws well under its limit for several
//! readings in a row (battery taper, a full battery, a slow on-board charger) has its maximum
//! lowered to what it draws plus a margin, so the power it leaves unused goes to others at the
//! next plan; after a while the cap is dropped again to probe whether it can take more.

use std::collections::HashMap;
use std::sync::Mutex;

use chargeplan_core::{MeterSample, SessionId, Setpoint, SetpointState};
use chrono::{DateTime, Duration, Utc};

/// How feedback decides.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackConfig {
    /// Readings in a row that must all show the car under its limit.
    pub readings: usize,
    /// Only readings this recent count.
    pub window: Duration,
    /// "Well under": drawing less than this share of the limit ...
    pub under_share: f64,
    /// ... and at least this many kW below it.
    pub under_kw: f64,
    /// The lowered maximum is the most drawn in those readings plus this margin, kW.
    pub margin_kw: f64,
    /// A lowered maximum is dropped after this long, to probe for more.
    pub probe_after: Duration,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        Self {
            readings: 3,
            window: Duration::minutes(20),
            under_share: 0.8,
            under_kw: 1.0,
            margin_kw: 1.0,
            probe_after: Duration::minutes(30),
        }
    }
}

/// The lowered maxima in force, per session. Kept in memory: after a restart every car is
/// simply probed again.
#[derive(Debug, Default)]
pub struct TaperMemory {
    caps: Mutex<HashMap<SessionId, (f64, DateTime<Utc>)>>,
}

impl TaperMemory {
    /// The maximum to plan `session` with: `port_max_kw`, or a lowered one when the car has
    /// been drawing well under its limits.
    pub fn max_kw(
        &self,
        session: &SessionId,
        port_max_kw: f64,
        samples: &[MeterSample],
        setpoints: &[Setpoint],
        now: DateTime<Utc>,
        config: &FeedbackConfig,
    ) -> f64 {
        let mut caps = self
            .caps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(&(cap, since)) = caps.get(session) {
            if now - since < config.probe_after {
                return cap.min(port_max_kw);
            }
            // Probe: plan at the full maximum once; readings after this plan decide anew.
            caps.remove(session);
            return port_max_kw;
        }
        match drawn_under_limit(session, samples, setpoints, now, config) {
            Some(drawn_kw) => {
                let cap = (drawn_kw + config.margin_kw).min(port_max_kw);
                caps.insert(session.clone(), (cap, now));
                cap
            }
            None => port_max_kw,
        }
    }

    /// Forgets sessions that are no longer planned.
    pub fn retain(&self, open: &[SessionId]) {
        let mut caps = self
            .caps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        caps.retain(|id, _| open.contains(id));
    }
}

/// The most the car drew over its last `readings` readings, when every one of them was well
/// under the limit in force at that instant; `None` otherwise.
pub fn drawn_under_limit(
    session: &SessionId,
    samples: &[MeterSample],
    setpoints: &[Setpoint],
    now: DateTime<Utc>,
    config: &FeedbackConfig,
) -> Option<f64> {
    let recent: Vec<&MeterSample> = samples
        .iter()
        .rev()
        .filter(|sample| now - sample.at <= config.window)
        .take(config.readings)
        .collect();
    if recent.len() < config.readings {
        return None;
    }
    let mut most = 0.0_f64;
    for sample in recent {
        let limit = limit_at(session, setpoints, sample.at)?;
        let drawn = sample.power.get();
        if drawn >= limit * config.under_share || limit - drawn < config.under_kw {
            return None;
        }
        most = most.max(drawn);
    }
    Some(most)
}

/// The limit the newest accepted setpoint of `session` set for the instant `at`.
fn limit_at(session: &SessionId, setpoints: &[Setpoint], at: DateTime<Utc>) -> Option<f64> {
    setpoints
        .iter()
        .filter(|sp| &sp.session_id == session && sp.state == SetpointState::Accepted)
        .filter(|sp| sp.created_at <= at)
        .max_by_key(|sp| sp.created_at)
        .and_then(|sp| sp.limit_at(at))
}

#[cfg(test)]
#[path = "feedback_tests.rs"]
mod tests;
