//! Records of charge-bay sharing kept by the store: a site's waitlist (entries and the offers
//! of freed ports, whose taken form is the hold on a port) and the notes on each session that
//! the board shows (the owner's return time, "OK to unplug", the "done charging" texts).

use async_trait::async_trait;
use chargeplan_core::{PhoneNumber, PortId, SessionId, SiteId};
use chrono::{DateTime, Utc};

use crate::{Effects, StoreError};

/// Where a waitlist entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryState {
    /// In line.
    Waiting,
    /// Took an offer: a port is held for them.
    Holding,
    /// Left the list (LEAVE).
    Left,
    /// Taken off the list after too many skips or a lapsed hold.
    Removed,
    /// Plugged in on the port held for them.
    Served,
}

impl EntryState {
    const ALL: [Self; 5] = [
        Self::Waiting,
        Self::Holding,
        Self::Left,
        Self::Removed,
        Self::Served,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Holding => "holding",
            Self::Left => "left",
            Self::Removed => "removed",
            Self::Served => "served",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }

    /// Still on the list (waiting or holding a port).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Waiting | Self::Holding)
    }
}

/// A driver on a site's waitlist. The phone is never shown to anyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistEntry {
    /// Random id.
    pub id: String,
    pub site_id: SiteId,
    pub phone: PhoneNumber,
    /// Position in line is by this instant (then by id).
    pub joined_at: DateTime<Utc>,
    /// Offers skipped or left unanswered so far.
    pub skips: u32,
    pub state: EntryState,
    /// When the entry left the list, if it did.
    pub ended_at: Option<DateTime<Utc>>,
}

/// Where an offer of a port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfferState {
    /// Sent, waiting for TAKE or SKIP until `respond_by`.
    Open,
    /// TAKE: the port is held until `hold_until`.
    Taken,
    /// SKIP.
    Skipped,
    /// No answer by `respond_by` (counts as a skip).
    Expired,
    /// The driver left the list, or the port was taken by a car before an answer.
    Withdrawn,
    /// The holder plugged in on the held port.
    Used,
    /// A different car plugged into the held port; the holder stays first in line.
    Displaced,
    /// The hold ran out without the holder plugging in.
    Lapsed,
}

impl OfferState {
    const ALL: [Self; 8] = [
        Self::Open,
        Self::Taken,
        Self::Skipped,
        Self::Expired,
        Self::Withdrawn,
        Self::Used,
        Self::Displaced,
        Self::Lapsed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Taken => "taken",
            Self::Skipped => "skipped",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
            Self::Used => "used",
            Self::Displaced => "displaced",
            Self::Lapsed => "lapsed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }

    /// Open or taken: the port is spoken for.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Open | Self::Taken)
    }
}

/// A freed port offered to one driver in line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistOffer {
    /// Random id; the offer's text carries the idempotency key `offer:<id>`.
    pub id: String,
    pub entry_id: String,
    pub site_id: SiteId,
    pub port_id: PortId,
    pub offered_at: DateTime<Utc>,
    /// TAKE must arrive before this; after it the offer expires.
    pub respond_by: DateTime<Utc>,
    pub state: OfferState,
    pub answered_at: Option<DateTime<Utc>>,
    /// For a taken offer: the port is held until then.
    pub hold_until: Option<DateTime<Utc>>,
}

/// One step of an offer's life, written atomically: the offer moves from `from` to `to` (only
/// if it is still in `from`), its entry gets `entry_skips` and `entry_state`, and `effects`
/// (the texts saying so) are written — all or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferTransition {
    pub offer_id: String,
    pub from: OfferState,
    pub to: OfferState,
    /// Only for `from = Open`: the move happens only while `respond_by` is after this instant
    /// (a TAKE after the deadline changes nothing).
    pub before_deadline: Option<DateTime<Utc>>,
    /// For `to = Taken`: the end of the hold.
    pub hold_until: Option<DateTime<Utc>>,
    pub entry_skips: u32,
    pub entry_state: EntryState,
}

/// The lease an offer is made under: the site's owner and fencing token, checked in the
/// offer's transaction (see `LeaseStore::save_plan_fenced`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferFence {
    pub owner: String,
    pub token: i64,
}

/// What is known and was said about one session for the board and the "done" texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSharingNote {
    pub session_id: SessionId,
    pub site_id: SiteId,
    /// When the owner said they will be back (relayed reply).
    pub owner_back_at: Option<DateTime<Utc>>,
    /// When the owner said others may unplug their car.
    pub ok_to_unplug_at: Option<DateTime<Utc>>,
    /// When the car was first found done (request met or not drawing).
    pub done_at: Option<DateTime<Utc>>,
    /// "Done" texts queued: the first notice plus reminders.
    pub done_texts: u32,
    pub last_done_text_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A site's waitlist: entries, offers and holds; each method one transaction.
#[async_trait]
pub trait WaitlistStore: Send + Sync {
    /// Adds `entry` unless the phone already has an active entry at the site, writing
    /// `effects` only when added. Returns the active entry and whether it is new.
    async fn join_waitlist(
        &self,
        entry: &WaitlistEntry,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<(WaitlistEntry, bool), StoreError>;
    /// The site's active entries (waiting and holding), first in line first.
    async fn list_waitlist(&self, site: &SiteId) -> Result<Vec<WaitlistEntry>, StoreError>;
    /// Every entry of the site (active or not) that joined in `[from, to)`, oldest first.
    async fn list_waitlist_joined(
        &self,
        site: &SiteId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<WaitlistEntry>, StoreError>;
    /// The phone's active entries at every site, oldest first.
    async fn waitlist_entries_of_phone(
        &self,
        phone: &PhoneNumber,
    ) -> Result<Vec<WaitlistEntry>, StoreError>;
    /// Ends an active entry with `state` (left or removed), withdrawing its live offer or
    /// hold, and writes `effects`. `false` (nothing written) when it was not active.
    async fn end_waitlist_entry(
        &self,
        entry_id: &str,
        state: EntryState,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Stores an open offer and its text (`effects`) — only while `fence` (when given) still
    /// holds the site's lease, the port has no live offer and the entry is waiting with no
    /// live offer. Returns whether it was stored.
    async fn create_offer(
        &self,
        offer: &WaitlistOffer,
        fence: Option<&OfferFence>,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Applies one step of an offer (see [`OfferTransition`]); `false` when the offer was no
    /// longer in `from` (or past its deadline), in which case nothing is written.
    async fn transition_offer(
        &self,
        transition: &OfferTransition,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The site's live offers (open and taken), oldest first.
    async fn list_live_offers(&self, site: &SiteId) -> Result<Vec<WaitlistOffer>, StoreError>;
    /// The entry's live offer, if any.
    async fn live_offer_of_entry(
        &self,
        entry_id: &str,
    ) -> Result<Option<WaitlistOffer>, StoreError>;
    /// Every offer of the site made at or after `since`, oldest first (audit and tests).
    async fn list_offers(
        &self,
        site: &SiteId,
        since: DateTime<Utc>,
    ) -> Result<Vec<WaitlistOffer>, StoreError>;
    /// The sites where a participant has this phone number.
    async fn sites_of_phone(&self, phone: &PhoneNumber) -> Result<Vec<SiteId>, StoreError>;
}

/// Per-session notes for the board: what the owner said through the relay, and the "done"
/// texts sent.
#[async_trait]
pub trait SharingNoteStore: Send + Sync {
    /// The owner said they will be back at `back_at` (`NotFound` for an unknown session).
    async fn set_owner_return(
        &self,
        session: &SessionId,
        back_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The owner said others may unplug their car (`NotFound` for an unknown session).
    async fn set_ok_to_unplug(
        &self,
        session: &SessionId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The notes of the site's sessions that have not ended.
    async fn list_open_sharing_notes(
        &self,
        site: &SiteId,
    ) -> Result<Vec<SessionSharingNote>, StoreError>;
    /// Records a "done" text: `done_at` and `done_texts = sent + 1` — only while the stored
    /// count is still `sent` (0 when there is no note) — and writes `effects` with it.
    /// Returns whether it was recorded.
    async fn record_done_text(
        &self,
        session: &SessionId,
        done_at: DateTime<Utc>,
        sent: u32,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
