//! Charge-bay sharing in the store: per-site settings and the anonymous relay between waiting
//! drivers and owners (threads, their log and owners' blocks).

use async_trait::async_trait;
use chargeplan_core::{
    MemberId, ParticipantId, PhoneNumber, SessionId, SharingSettings, SiteId, ThreadCode,
};
use chrono::{DateTime, Utc};

use crate::{Effects, StoreError};

/// Per-site sharing settings.
#[async_trait]
pub trait SharingSettingsStore: Send + Sync {
    /// The site's settings, or the defaults when none were saved. `NotFound` for an unknown
    /// site.
    async fn get_sharing_settings(&self, site: &SiteId) -> Result<SharingSettings, StoreError>;
    /// Replaces the site's settings (validated first: an invalid value changes nothing).
    async fn set_sharing_settings(
        &self,
        site: &SiteId,
        settings: &SharingSettings,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Who sent a relay message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelaySender {
    /// The driver who texted a member ID.
    Waiter,
    /// The member whose car it is.
    Owner,
    /// A number that is not a party of the thread it wrote to, or of any thread.
    Stranger,
}

impl RelaySender {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiter => "waiter",
            Self::Owner => "owner",
            Self::Stranger => "stranger",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Waiter, Self::Owner, Self::Stranger]
            .into_iter()
            .find(|sender| sender.as_str() == s)
    }
}

/// One conversation between a waiting driver and the owner of the member ID they texted.
#[derive(Clone, PartialEq)]
pub struct RelayThread {
    pub id: String,
    /// Shown as `[K7]` at the start of every text of the thread, to both sides.
    pub code: ThreadCode,
    /// The member ID the waiting driver used.
    pub member_id: MemberId,
    /// The owner's site; `None` for a void thread to an unknown ID.
    pub site_id: Option<SiteId>,
    pub owner: Option<ParticipantId>,
    /// Never shown to the waiting driver (unless the owner says SHARE).
    pub owner_phone: Option<PhoneNumber>,
    /// Never shown to the owner (unless the waiting driver says SHARE).
    pub waiter_phone: PhoneNumber,
    /// The owner's charging session when the thread opened, if their car was plugged in.
    pub session_id: Option<SessionId>,
    /// Why the thread relays nothing (`unknown_member`, `blocked`); `None` for a real one.
    pub void_reason: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    /// Closes by itself at this instant unless a message extends it.
    pub closes_at: DateTime<Utc>,
    /// Closed early (CLOSE), if so.
    pub closed_at: Option<DateTime<Utc>>,
    pub owner_shared: bool,
    pub waiter_shared: bool,
}

impl RelayThread {
    /// Whether the thread still carries messages at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && now < self.closes_at
    }

    /// The role of `phone` in this thread.
    pub fn role_of(&self, phone: &PhoneNumber) -> RelaySender {
        if self.owner_phone.as_ref() == Some(phone) {
            RelaySender::Owner
        } else if &self.waiter_phone == phone {
            RelaySender::Waiter
        } else {
            RelaySender::Stranger
        }
    }
}

impl std::fmt::Debug for RelayThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayThread")
            .field("id", &self.id)
            .field("code", &self.code)
            .field("site_id", &self.site_id)
            .field("owner", &self.owner)
            .field("void_reason", &self.void_reason)
            .field("opened_at", &self.opened_at)
            .field("closes_at", &self.closes_at)
            .field("closed_at", &self.closed_at)
            .finish_non_exhaustive()
    }
}

/// One line of the relay's log: a relayed message, a refusal, or a system notice.
#[derive(Clone, PartialEq)]
pub struct RelayLogEntry {
    pub thread_id: Option<String>,
    pub site_id: Option<SiteId>,
    pub at: DateTime<Utc>,
    pub sender: RelaySender,
    /// Kept for abuse review; never shown in the audit.
    pub sender_phone: PhoneNumber,
    /// `relayed`, `opened`, `closed`, `blocked`, `shared`, or `refused:<reason>`.
    pub outcome: String,
    /// The text as received, until the site's retention ends.
    pub body: Option<String>,
}

impl std::fmt::Debug for RelayLogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayLogEntry")
            .field("thread_id", &self.thread_id)
            .field("site_id", &self.site_id)
            .field("at", &self.at)
            .field("sender", &self.sender)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// A number an owner blocked.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayBlock {
    pub id: String,
    pub owner: ParticipantId,
    pub blocked_phone: PhoneNumber,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for RelayBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayBlock")
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// The relay's threads, log and blocks.
#[async_trait]
pub trait RelayStore: Send + Sync {
    /// Stores a new thread with its first log line and the texts it causes, in one
    /// transaction.
    async fn open_relay_thread(
        &self,
        thread: &RelayThread,
        log: &RelayLogEntry,
        effects: &Effects,
    ) -> Result<(), StoreError>;
    /// Appends a log line and writes the texts it causes; with `thread_update`, also stores
    /// the thread's new state (last message, closing time, closed, shared) — one transaction.
    async fn record_relay(
        &self,
        log: &RelayLogEntry,
        thread_update: Option<&RelayThread>,
        effects: &Effects,
    ) -> Result<(), StoreError>;
    async fn get_relay_thread(&self, id: &str) -> Result<Option<RelayThread>, StoreError>;
    /// Threads open at `now` in which `phone` is the waiter or the owner, the most recent
    /// message first.
    async fn open_threads_of_phone(
        &self,
        phone: &PhoneNumber,
        now: DateTime<Utc>,
    ) -> Result<Vec<RelayThread>, StoreError>;
    /// Threads `phone` opened (as the waiter) at or after `since`.
    async fn count_threads_opened_by(
        &self,
        phone: &PhoneNumber,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Threads opened to `member` at or after `since`.
    async fn count_threads_to_member(
        &self,
        member: &MemberId,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Log lines of the site in `[from, to)`, oldest first.
    async fn list_relay_log(
        &self,
        site: &SiteId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RelayLogEntry>, StoreError>;
    /// Threads of the site opened in `[from, to)`, oldest first.
    async fn list_relay_threads(
        &self,
        site: &SiteId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RelayThread>, StoreError>;
    /// Deletes message bodies logged before `before` at `site` (who, when and which thread
    /// stay); returns how many were cleared.
    async fn purge_relay_bodies(
        &self,
        site: &SiteId,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Blocks `phone` from reaching `owner` (again: nothing changes).
    async fn add_relay_block(&self, block: &RelayBlock) -> Result<(), StoreError>;
    async fn is_relay_blocked(
        &self,
        owner: &ParticipantId,
        phone: &PhoneNumber,
    ) -> Result<bool, StoreError>;
    async fn list_relay_blocks(&self, owner: &ParticipantId)
    -> Result<Vec<RelayBlock>, StoreError>;
    /// Lifts one of the owner's blocks; `false` when there was none with this id.
    async fn remove_relay_block(&self, owner: &ParticipantId, id: &str)
    -> Result<bool, StoreError>;
}
