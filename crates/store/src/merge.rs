//! How vendor session data merges into what is stored: duplicates and out-of-order data never
//! move energy backwards or resurrect an ended session.

use chargeplan_core::Session;
use serde_json::json;

use crate::{EventKind, NewEvent};

/// The session to store after `incoming` arrives for `stored`, or `None` when it changes
/// nothing (older than what we have, or the same).
pub(crate) fn merge_session(stored: &Session, incoming: &Session) -> Option<Session> {
    if incoming.vendor_updated_at < stored.vendor_updated_at {
        return None;
    }
    let mut merged = stored.clone();
    merged.vendor_updated_at = incoming.vendor_updated_at;
    merged.energy = if incoming.energy > stored.energy {
        incoming.energy
    } else {
        stored.energy
    };
    merged.port_id = incoming.port_id.clone().or_else(|| stored.port_id.clone());
    merged.token_uid = incoming
        .token_uid
        .clone()
        .or_else(|| stored.token_uid.clone());
    if !stored.status.is_final() {
        merged.status = incoming.status;
        merged.started_at = incoming.started_at;
        merged.ended_at = incoming.ended_at;
        merged.power = incoming.power;
    }
    if merged.status.is_final() && !stored.status.is_final() {
        merged.ended_at = merged.ended_at.or(Some(incoming.vendor_updated_at));
        merged.power = chargeplan_core::Kilowatts::ZERO;
    }
    (merged != *stored).then_some(merged)
}

/// The events a change from `before` (None: first seen) to `after` means for the control loop.
pub(crate) fn session_events(before: Option<&Session>, after: &Session) -> Vec<NewEvent> {
    let event = |kind| NewEvent {
        site_id: after.site_id.clone(),
        at: after.vendor_updated_at,
        kind,
        payload: json!({
            "session_id": after.id.as_str(),
            "power_kw": after.power.get(),
            "energy_kwh": after.energy.get(),
        }),
    };
    let was_open = before.is_some_and(|session| !session.status.is_final());
    let mut events = Vec::new();
    if before.is_none() && !after.status.is_final() {
        events.push(event(EventKind::SessionStarted));
    }
    if after.status.is_final() && (before.is_none() || was_open) {
        events.push(event(EventKind::SessionEnded));
    }
    if was_open
        && !after.status.is_final()
        && before.is_some_and(|session| session.power != after.power)
    {
        events.push(event(EventKind::PowerChanged));
    }
    events
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{
        KilowattHours, Kilowatts, SessionId, SessionStatus, SiteId, VendorAccountId,
    };
    use chrono::{DateTime, Duration, Utc};

    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_560_000_000, 0).unwrap_or_default() + Duration::minutes(minutes)
    }

    fn session(updated: i64, kwh: f64, kw: f64, status: SessionStatus) -> Session {
        Session {
            id: SessionId::parse("s1").expect("valid id"),
            site_id: SiteId::parse("site").expect("valid id"),
            vendor_account: VendorAccountId::parse("cpo").expect("valid id"),
            vendor_session_id: "v1".into(),
            port_id: None,
            token_uid: None,
            started_at: at(0),
            ended_at: None,
            energy: KilowattHours::new(kwh).expect("valid energy"),
            power: Kilowatts::new(kw).expect("valid power"),
            status,
            vendor_updated_at: at(updated),
        }
    }

    #[test]
    fn older_data_changes_nothing() {
        let stored = session(10, 5.0, 6.0, SessionStatus::Active);
        assert_eq!(
            merge_session(&stored, &session(5, 7.0, 3.0, SessionStatus::Active)),
            None
        );
    }

    #[test]
    fn a_duplicate_changes_nothing() {
        let stored = session(10, 5.0, 6.0, SessionStatus::Active);
        assert_eq!(merge_session(&stored, &stored.clone()), None);
    }

    #[test]
    fn energy_never_moves_backwards() {
        let stored = session(10, 5.0, 6.0, SessionStatus::Active);
        let merged = merge_session(&stored, &session(11, 4.0, 5.0, SessionStatus::Active))
            .expect("newer data");
        assert_eq!(merged.energy.get(), 5.0);
        assert_eq!(merged.power.get(), 5.0);
    }

    #[test]
    fn an_ended_session_is_never_resurrected() {
        let mut stored = session(10, 5.0, 0.0, SessionStatus::Completed);
        stored.ended_at = Some(at(10));
        let merged = merge_session(&stored, &session(12, 6.0, 6.0, SessionStatus::Active))
            .expect("more energy");
        assert_eq!(merged.status, SessionStatus::Completed);
        assert_eq!(merged.ended_at, Some(at(10)));
        assert_eq!(merged.power.get(), 0.0);
        assert_eq!(merged.energy.get(), 6.0);
    }

    #[test]
    fn ending_without_an_end_time_uses_the_vendor_update_time() {
        let stored = session(10, 5.0, 6.0, SessionStatus::Active);
        let merged = merge_session(&stored, &session(20, 8.0, 6.0, SessionStatus::Completed))
            .expect("ended");
        assert_eq!(merged.ended_at, Some(at(20)));
        assert_eq!(merged.power.get(), 0.0);
    }

    #[test]
    fn events_say_started_ended_and_power_changed() {
        let first = session(0, 0.0, 6.0, SessionStatus::Active);
        let kinds = |events: Vec<NewEvent>| {
            events
                .into_iter()
                .map(|event| event.kind)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(session_events(None, &first)),
            [EventKind::SessionStarted]
        );
        let slower = session(1, 1.0, 3.0, SessionStatus::Active);
        assert_eq!(
            kinds(session_events(Some(&first), &slower)),
            [EventKind::PowerChanged]
        );
        let ended = session(2, 1.0, 0.0, SessionStatus::Completed);
        assert_eq!(
            kinds(session_events(Some(&slower), &ended)),
            [EventKind::SessionEnded]
        );
        assert!(session_events(Some(&ended), &ended).is_empty());
    }
}
