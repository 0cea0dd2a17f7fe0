//! "Your car is done — please move it": once per session when its car is done (the request is
//! met, or it stopped drawing while allowed to), then at most `max_done_reminders` reminders
//! spaced by `done_reminder_interval_min`, and nothing once the session has ended. Only
//! participants' sessions get texts. Each text is written with the session's note (its count)
//! under the key `done:<session>:<n>`, so a crash or a second pass never sends it twice.

use chargeplan_core::Site;
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, EntryState, NewOutboxMessage};
use chrono::{DateTime, Duration, Utc};

use super::ports::{PortState, PortStatus, SiteFacts};
use super::texts;
use crate::ControlError;

/// Queues the due "done" texts. Returns the next instant a reminder falls due, if any.
pub(super) async fn notify(
    store: &dyn Store,
    site: &Site,
    facts: &SiteFacts,
    ports: &[PortStatus],
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ControlError> {
    let settings = &facts.settings;
    let interval = Duration::minutes(i64::from(settings.done_reminder_interval_min));
    let waiting: Vec<_> = facts
        .line
        .iter()
        .filter(|e| e.state == EntryState::Waiting)
        .collect();
    let longest = waiting.iter().map(|e| now - e.joined_at).max();
    let mut next_due: Option<DateTime<Utc>> = None;
    for port in ports {
        let (PortState::Done(_), Some(car)) = (port.state, &port.car) else {
            continue;
        };
        let Some(session) = facts.sessions.iter().find(|s| s.id == car.session_id) else {
            continue;
        };
        if session.ended_at.is_some() {
            continue;
        }
        let note = facts.notes.get(&session.id);
        let sent = note.map_or(0, |n| n.done_texts);
        if sent > settings.max_done_reminders {
            continue;
        }
        if sent > 0 {
            let last = note.and_then(|n| n.last_done_text_at).unwrap_or(now);
            let due = last + interval;
            if due > now {
                next_due = Some(next_due.map_or(due, |at| at.min(due)));
                continue;
            }
        }
        let Some(uid) = &session.token_uid else {
            continue;
        };
        let Some(owner) = store.find_participant_by_token(&site.id, uid).await? else {
            continue;
        };
        let body = texts::done(car.energy_kwh, sent > 0, waiting.len(), longest);
        let effects = Effects {
            events: Vec::new(),
            messages: vec![NewOutboxMessage {
                site_id: Some(site.id.clone()),
                recipient: owner.phone.clone(),
                body,
                idempotency_key: format!("done:{}:{sent}", session.id),
                not_before: now,
            }],
        };
        let done_at = note.and_then(|n| n.done_at).unwrap_or(now);
        store
            .record_done_text(&session.id, done_at, sent, &effects, now)
            .await?;
        if sent < settings.max_done_reminders {
            let due = now + interval;
            next_due = Some(next_due.map_or(due, |at| at.min(due)));
        }
    }
    Ok(next_due)
}
