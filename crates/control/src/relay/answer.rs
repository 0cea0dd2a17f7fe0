//! A text into an open thread: passed on to the other side (the owner's reply read for a
//! return time, OK, NO or SHARE), or BLOCK and CLOSE.

use chargeplan_core::{ClockFormat, PhoneNumber, SharingSettings};
use chargeplan_store::prelude::*;
use chargeplan_store::{
    Effects, NewOutboxMessage, RelayBlock, RelayLogEntry, RelaySender, RelayThread,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::words::{self, OwnerSaid};
use super::{extended, texts};
use crate::ControlError;

/// What the sender asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Intent {
    Message(String),
    Block,
    Close,
}

/// What answering did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answered {
    /// The immediate answer to the sender.
    pub answer: Option<String>,
    pub log_outcome: String,
}

/// What goes to the other side and back to the sender.
struct Delivery {
    to_other: Option<String>,
    to_sender: Option<String>,
    outcome: &'static str,
    thread: RelayThread,
    /// What the board shows of the owner's answer.
    board: Option<BoardNote>,
}

/// An owner's answer the board shows beside their car.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BoardNote {
    BackAt(DateTime<Utc>),
    OkToUnplug,
}

pub(crate) async fn answer(
    store: &dyn Store,
    now: DateTime<Utc>,
    from: &PhoneNumber,
    thread: &RelayThread,
    intent: Intent,
    message_id: &str,
) -> Result<Answered, ControlError> {
    let (settings, tz, clock) = match &thread.site_id {
        Some(site) => {
            let site = store.get_site(site).await?;
            (
                store.get_sharing_settings(&site.id).await?,
                site.time_zone,
                site.clock,
            )
        }
        None => (SharingSettings::default(), Tz::UTC, ClockFormat::default()),
    };
    let role = thread.role_of(from);
    let code = thread.code;
    let body = match &intent {
        Intent::Message(text) => Some(text.clone()),
        _ => None,
    };
    let touched = extended(thread, now, settings.thread_lifetime_min);
    let delivery = match intent {
        Intent::Close => Delivery {
            to_other: Some(texts::closed_by_other(code)),
            to_sender: Some(texts::closed(code)),
            outcome: "closed",
            thread: RelayThread {
                closed_at: Some(now),
                ..touched
            },
            board: None,
        },
        Intent::Block if role == RelaySender::Owner => {
            if let Some(owner) = &thread.owner {
                let block = RelayBlock {
                    id: uuid::Uuid::now_v7().to_string(),
                    owner: owner.clone(),
                    blocked_phone: thread.waiter_phone.clone(),
                    created_at: now,
                };
                store.add_relay_block(&block).await?;
            }
            Delivery {
                to_other: None,
                to_sender: Some(texts::blocked(code)),
                outcome: "blocked",
                thread: RelayThread {
                    closed_at: Some(now),
                    ..touched
                },
                board: None,
            }
        }
        // Only an owner blocks; a waiting driver's BLOCK ends the conversation.
        Intent::Block => Delivery {
            to_other: Some(texts::closed_by_other(code)),
            to_sender: Some(texts::closed(code)),
            outcome: "closed",
            thread: RelayThread {
                closed_at: Some(now),
                ..touched
            },
            board: None,
        },
        Intent::Message(text) if text.trim().is_empty() => {
            return Ok(Answered {
                answer: Some(texts::empty_message(code)),
                log_outcome: "refused:empty".into(),
            });
        }
        Intent::Message(text) => message(thread, touched, role, &text, now, (tz, clock)),
    };

    let void = thread.void_reason.is_some();
    let other_phone = match role {
        RelaySender::Owner => Some(thread.waiter_phone.clone()),
        _ => thread.owner_phone.clone(),
    };
    let mut messages = Vec::new();
    if let (Some(text), Some(phone), false) = (&delivery.to_other, &other_phone, void) {
        messages.push(NewOutboxMessage {
            site_id: thread.site_id.clone(),
            recipient: phone.clone(),
            body: text.clone(),
            idempotency_key: format!("relay:{message_id}:other"),
            not_before: now,
        });
    }
    let log_outcome = if void {
        "refused:void".to_owned()
    } else {
        delivery.outcome.to_owned()
    };
    let log = RelayLogEntry {
        thread_id: Some(thread.id.clone()),
        site_id: thread.site_id.clone(),
        at: now,
        sender: role,
        sender_phone: from.clone(),
        outcome: log_outcome.clone(),
        body,
    };
    store
        .record_relay(
            &log,
            Some(&delivery.thread),
            &Effects {
                events: vec![],
                messages,
            },
        )
        .await?;
    if let (Some(note), Some(session), false) = (delivery.board, &thread.session_id, void) {
        note_on_board(store, session, note, now).await?;
    }
    Ok(Answered {
        answer: delivery.to_sender,
        log_outcome,
    })
}

/// Shows the owner's answer on the board: their return time, and "OK to unplug" only where
/// the port's cable may be moved by others.
async fn note_on_board(
    store: &dyn Store,
    session: &chargeplan_core::SessionId,
    note: BoardNote,
    now: DateTime<Utc>,
) -> Result<(), ControlError> {
    let session = store.get_session(session).await?;
    if session.ended_at.is_some() {
        return Ok(());
    }
    match note {
        BoardNote::BackAt(at) => store.set_owner_return(&session.id, at, now).await?,
        BoardNote::OkToUnplug => {
            let ports = store.list_ports(&session.site_id).await?;
            let movable = ports
                .iter()
                .any(|port| Some(&port.id) == session.port_id.as_ref() && port.cable_movable);
            if movable {
                store.set_ok_to_unplug(&session.id, now).await?;
            }
        }
    }
    Ok(())
}

fn message(
    thread: &RelayThread,
    touched: RelayThread,
    role: RelaySender,
    text: &str,
    now: DateTime<Utc>,
    (tz, clock): (Tz, ClockFormat),
) -> Delivery {
    let code = thread.code;
    let said = if role == RelaySender::Owner {
        words::owner_said(text, now, tz)
    } else if words::is_share(text) {
        OwnerSaid::Share
    } else {
        OwnerSaid::Text(text.to_owned())
    };
    let from_owner = role == RelaySender::Owner;
    match said {
        OwnerSaid::Share => {
            let (number, thread) = if from_owner {
                (
                    thread.owner_phone.as_ref().map(|p| p.as_e164().to_owned()),
                    RelayThread {
                        owner_shared: true,
                        ..touched
                    },
                )
            } else {
                (
                    Some(thread.waiter_phone.as_e164().to_owned()),
                    RelayThread {
                        waiter_shared: true,
                        ..touched
                    },
                )
            };
            Delivery {
                to_other: number.map(|n| texts::shared_number(code, from_owner, &n)),
                to_sender: Some(texts::share_receipt(code)),
                outcome: "shared",
                thread,
                board: None,
            }
        }
        OwnerSaid::Ok => Delivery {
            to_other: Some(texts::owner_ok(code)),
            to_sender: Some(texts::told_ok(code)),
            outcome: "relayed:ok",
            thread: touched,
            board: Some(BoardNote::OkToUnplug),
        },
        OwnerSaid::No => Delivery {
            to_other: Some(texts::owner_no(code)),
            to_sender: Some(texts::told_no(code)),
            outcome: "relayed:no",
            thread: touched,
            board: None,
        },
        OwnerSaid::BackAt { at, note } => {
            let local = clock.local_time(at, tz, now);
            let note = note.map(|note| words::clean(&note).text);
            Delivery {
                to_other: Some(texts::owner_back_at(code, &local, note.as_deref())),
                to_sender: Some(texts::told_back_at(code, &local)),
                outcome: "relayed:return_time",
                thread: touched,
                board: Some(BoardNote::BackAt(at)),
            }
        }
        OwnerSaid::Text(text) => {
            let cleaned = words::clean(&text);
            Delivery {
                to_other: Some(texts::relayed(code, from_owner, &cleaned.text)),
                to_sender: None,
                outcome: if cleaned.removed {
                    "relayed:cleaned"
                } else {
                    "relayed"
                },
                thread: touched,
                board: None,
            }
        }
    }
}
