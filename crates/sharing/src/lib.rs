//! Crate root: the public entry points; the crate documentation is README.md, included below.
#![doc = include_str!("../README.md")]

mod command;
mod owner_reply;
mod reply_time;
mod sanitize;

pub use command::Command;
pub use owner_reply::{OwnerReply, is_share};
pub use reply_time::{
    FEW_MINUTES, JUST_PAST, MAX_RETURN_AHEAD, ReturnTime, ReturnTimeKind, ReturnTimeRules,
    find_return_time, local_to_utc,
};
pub use sanitize::{MAX_RELAYED_CHARS, PHONE_MIN_DIGITS, REMOVED, Sanitized, sanitize};
