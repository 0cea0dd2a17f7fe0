//! What a text says, read with `chargeplan-sharing`'s parsers: the command, an owner's reply,
//! and relayed text made safe to pass between strangers.

use chargeplan_core::{MemberId, ThreadCode};
use chargeplan_sharing::{Command, OwnerReply};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// An inbound text as the relay routes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Said {
    Contact {
        member: MemberId,
        message: String,
    },
    Thread {
        code: Option<ThreadCode>,
        text: String,
    },
    Block(Option<ThreadCode>),
    Unblock,
    Close(Option<ThreadCode>),
    Wait(Option<String>),
    Leave,
    Take,
    Skip,
    Empty,
}

pub(crate) fn read(body: &str) -> Said {
    match Command::parse(body) {
        Command::Contact { member, message } => Said::Contact { member, message },
        Command::Thread { code, body } => Said::Thread { code, text: body },
        Command::Block { code } => Said::Block(code),
        Command::Unblock { .. } => Said::Unblock,
        Command::Close { code } => Said::Close(code),
        Command::Wait { site_code } => Said::Wait(site_code),
        Command::Leave => Said::Leave,
        Command::Take => Said::Take,
        Command::Skip => Said::Skip,
        Command::Empty => Said::Empty,
    }
}

/// An owner's reply, as the relay passes it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OwnerSaid {
    Ok,
    No,
    Share,
    BackAt {
        at: DateTime<Utc>,
        note: Option<String>,
    },
    Text(String),
}

pub(crate) fn owner_said(text: &str, now: DateTime<Utc>, tz: Tz) -> OwnerSaid {
    match OwnerReply::classify(text, now, tz) {
        OwnerReply::Ok => OwnerSaid::Ok,
        OwnerReply::No => OwnerSaid::No,
        OwnerReply::Share => OwnerSaid::Share,
        OwnerReply::ReturnAt { at, note } => OwnerSaid::BackAt { at, note },
        OwnerReply::Text(text) => OwnerSaid::Text(text),
    }
}

pub(crate) fn is_share(text: &str) -> bool {
    chargeplan_sharing::is_share(text)
}

/// Relayed text with links, e-mail addresses and phone numbers removed and its length capped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cleaned {
    pub text: String,
    /// Whether anything was removed or cut.
    pub removed: bool,
}

pub(crate) fn clean(text: &str) -> Cleaned {
    let sanitized = chargeplan_sharing::sanitize(text);
    Cleaned {
        removed: sanitized.removed_anything(),
        text: sanitized.text,
    }
}
