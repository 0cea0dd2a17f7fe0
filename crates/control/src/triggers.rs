//! Which events call for a new plan, and reading the session an event is about.

use chargeplan_core::SessionId;
use chargeplan_store::{Event, EventKind};

/// Measured power this far from the plan (more than 1 kW and 20 %) is worth a new plan.
pub fn drift_matters(planned_kw: f64, measured_kw: f64) -> bool {
    let gap = (planned_kw - measured_kw).abs();
    gap > 1.0 && gap > 0.2 * planned_kw.max(measured_kw)
}

/// Whether an event changes what the site should do.
pub(crate) fn triggers_replan(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::SessionStarted
            | EventKind::SessionEnded
            | EventKind::RequestSubmitted
            | EventKind::CapChanged
            | EventKind::TariffChanged
    )
}

/// Whether an event says a late vendor answer settled a setpoint (the session may be under
/// control again, or refused): the site is planned again at once.
pub(crate) fn settles_a_setpoint(event: &Event) -> bool {
    event.kind == EventKind::SetpointChanged && event.payload.get("reconciled").is_some()
}

pub(crate) fn session_of(event: &Event) -> Option<SessionId> {
    event
        .payload
        .get("session_id")
        .and_then(|v| v.as_str())
        .and_then(|id| SessionId::parse(id).ok())
}

#[cfg(test)]
mod tests {
    use super::drift_matters;

    #[test]
    fn only_a_large_gap_between_planned_and_measured_power_is_drift() {
        assert!(drift_matters(6.6, 2.0));
        assert!(drift_matters(0.0, 3.0));
        assert!(!drift_matters(6.6, 6.0));
        assert!(!drift_matters(0.5, 1.2));
    }
}
