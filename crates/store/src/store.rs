//! The `Store` trait: everything the rest of chargeplan reads and writes.

use async_trait::async_trait;
use chargeplan_core::{
    BilledPeak, CapOverride, ChargingRequest, Circuit, CircuitId, MemberId, MeterSample,
    Participant, ParticipantId, PhoneNumber, Plan, PlanId, Port, PortId, ScheduledCap, Session,
    SessionId, Setpoint, SetpointId, SetpointState, Site, SiteId, Tariff, TokenUid,
    VendorAccountId, VendorRef,
};
use chrono::{DateTime, Utc};

use crate::{
    DriverLink, DriverNotice, Effects, Event, LeaseStore, NewEvent, NewOutboxMessage,
    OperatorStore, OutboxMessage, PhoneVerification, RelayStore, SessionParty, SessionUpsert,
    SharingNoteStore, SharingSettingsStore, StoreError, SuppressionReason, VendorAccount,
    WaitlistStore, WebhookStore,
};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Migrations applied by this call, oldest first (empty when already up to date).
    pub applied: Vec<String>,
}

/// Persistent state of chargeplan: one trait per area, each method one transaction.
///
/// `use chargeplan_store::prelude::*` brings every area's methods into scope.
pub trait Store:
    StoreAdmin
    + LayoutStore
    + VendorStore
    + ParticipantStore
    + SessionStore
    + PlanStore
    + OutboxStore
    + DriverStore
    + SuppressionStore
    + WebhookStore
    + LeaseStore
    + OperatorStore
    + SharingSettingsStore
    + RelayStore
    + WaitlistStore
    + SharingNoteStore
    + Send
    + Sync
    + std::fmt::Debug
{
}

impl<T> Store for T where
    T: StoreAdmin
        + LayoutStore
        + VendorStore
        + ParticipantStore
        + SessionStore
        + PlanStore
        + OutboxStore
        + DriverStore
        + SuppressionStore
        + WebhookStore
        + LeaseStore
        + OperatorStore
        + SharingSettingsStore
        + RelayStore
        + WaitlistStore
        + SharingNoteStore
        + Send
        + Sync
        + std::fmt::Debug
{
}

/// The database itself: which backend, migrations, readiness.
#[async_trait]
pub trait StoreAdmin: Send + Sync {
    fn backend(&self) -> Backend;

    /// Applies the migrations not yet applied.
    async fn migrate(&self) -> Result<MigrationReport, StoreError>;
    /// Ok when the database answers and every migration is applied.
    async fn check_ready(&self) -> Result<(), StoreError>;
}

/// Sites and their electrical layout: circuits, caps, tariffs, ports.
#[async_trait]
pub trait LayoutStore: Send + Sync {
    async fn upsert_site(&self, site: &Site, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn get_site(&self, id: &SiteId) -> Result<Site, StoreError>;
    async fn list_sites(&self) -> Result<Vec<Site>, StoreError>;
    /// Replaces the site's whole circuit tree (circuits must form a valid tree).
    async fn replace_circuits(
        &self,
        site: &SiteId,
        circuits: &[Circuit],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn list_circuits(&self, site: &SiteId) -> Result<Vec<Circuit>, StoreError>;
    /// Sets a circuit's static cap and records a `CapChanged` event.
    async fn set_static_cap(
        &self,
        circuit: &CircuitId,
        cap_kw: f64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Replaces the weekly cap windows of one circuit.
    async fn replace_scheduled_caps(
        &self,
        circuit: &CircuitId,
        caps: &[ScheduledCap],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn list_scheduled_caps(&self, site: &SiteId) -> Result<Vec<ScheduledCap>, StoreError>;
    async fn add_cap_override(
        &self,
        cap: &CapOverride,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Overrides of the site not yet expired at `at`.
    async fn list_cap_overrides(
        &self,
        site: &SiteId,
        at: DateTime<Utc>,
    ) -> Result<Vec<CapOverride>, StoreError>;
    /// Ends the circuit's overrides at `now`: active ones expire at `now`, future ones are
    /// deleted. Records a `CapChanged` event when any changed; returns how many changed.
    async fn end_cap_overrides(
        &self,
        circuit: &CircuitId,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    async fn set_tariff(&self, tariff: &Tariff, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn get_tariff(&self, site: &SiteId) -> Result<Option<Tariff>, StoreError>;
    /// The site's billed peak as last recorded (of whatever billing period it was).
    async fn billed_peak(&self, site: &SiteId) -> Result<Option<BilledPeak>, StoreError>;
    /// Records `peak` when it is of a later billing period than the one stored, or higher in
    /// the same one ([`BilledPeak::max_with`]); otherwise changes nothing. Returns whether it
    /// was recorded.
    async fn record_billed_peak(
        &self,
        peak: &BilledPeak,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn upsert_port(&self, port: &Port) -> Result<(), StoreError>;
    async fn list_ports(&self, site: &SiteId) -> Result<Vec<Port>, StoreError>;
    async fn find_port_by_vendor(&self, vendor: &VendorRef) -> Result<Option<Port>, StoreError>;
    /// Sets whether others may unplug the port's cable when its owner allows it. Not
    /// changed by `upsert_port` on an existing port, so vendor refreshes keep it.
    async fn set_port_cable_movable(
        &self,
        port: &PortId,
        cable_movable: bool,
    ) -> Result<(), StoreError>;
    async fn set_port_controllable(
        &self,
        port: &PortId,
        controllable: bool,
    ) -> Result<(), StoreError>;
}

/// Registered drivers.
#[async_trait]
pub trait ParticipantStore: Send + Sync {
    /// Stores a new participant. A member ID another participant (of any site) has is a
    /// `Conflict` for which [`StoreError::is_member_id_taken`] holds: draw another and retry,
    /// or use [`crate::register_participant`], which does.
    async fn insert_participant(&self, participant: &Participant) -> Result<(), StoreError>;
    /// Replaces everything but the site and creation time (member ID and plate included).
    async fn update_participant(&self, participant: &Participant) -> Result<(), StoreError>;
    async fn delete_participant(&self, id: &ParticipantId) -> Result<(), StoreError>;
    async fn get_participant(&self, id: &ParticipantId) -> Result<Participant, StoreError>;
    async fn list_participants(&self, site: &SiteId) -> Result<Vec<Participant>, StoreError>;
    /// The participant with this member ID, at whichever site.
    async fn find_participant_by_member_id(
        &self,
        member_id: &MemberId,
    ) -> Result<Option<Participant>, StoreError>;
    /// The participants with this phone number, one per site they joined.
    async fn find_participants_by_phone(
        &self,
        phone: &PhoneNumber,
    ) -> Result<Vec<Participant>, StoreError>;
    async fn find_participant_by_token(
        &self,
        site: &SiteId,
        token: &TokenUid,
    ) -> Result<Option<Participant>, StoreError>;
}

/// Charging sessions, their meter data and the drivers' requests.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Inserts or updates a session from vendor data, keyed by vendor account and vendor id.
    /// Older data (by `vendor_updated_at`) changes nothing; energy never decreases; an ended
    /// session stays ended. Appends `SessionStarted`/`SessionEnded`/`PowerChanged` events for
    /// what changed, and writes `on_insert` only when the session is new — all in one
    /// transaction. Returns the outcome and the session as stored.
    async fn upsert_session(
        &self,
        session: &Session,
        on_insert: &Effects,
    ) -> Result<(SessionUpsert, Session), StoreError>;
    async fn get_session(&self, id: &SessionId) -> Result<Session, StoreError>;
    async fn find_session_by_vendor(
        &self,
        vendor: &VendorAccountId,
        vendor_session_id: &str,
    ) -> Result<Option<Session>, StoreError>;
    /// Records the OCPI party that reported the session, unless one is recorded already (the
    /// first party keeps it).
    async fn record_session_party(
        &self,
        session: &SessionId,
        party: &SessionParty,
    ) -> Result<(), StoreError>;
    /// The OCPI party that reported the session, if one was recorded.
    async fn session_party(&self, session: &SessionId) -> Result<Option<SessionParty>, StoreError>;
    /// Sessions of the site that have not ended.
    async fn list_open_sessions(&self, site: &SiteId) -> Result<Vec<Session>, StoreError>;
    /// Sessions that started in `[from, to)`.
    async fn list_sessions_started(
        &self,
        site: &SiteId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError>;
    /// Keeps a meter sample; the same (session, instant) twice is kept once.
    async fn add_meter_sample(&self, sample: &MeterSample) -> Result<(), StoreError>;
    async fn list_meter_samples(&self, session: &SessionId)
    -> Result<Vec<MeterSample>, StoreError>;
    /// Samples of every session of the site taken in `[from, to)`, oldest first.
    async fn list_site_meter_samples(
        &self,
        site: &SiteId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MeterSample>, StoreError>;
    /// The session's samples at or after `since`, oldest first.
    async fn list_meter_samples_since(
        &self,
        session: &SessionId,
        since: DateTime<Utc>,
    ) -> Result<Vec<MeterSample>, StoreError>;

    /// Stores a new revision; it must be exactly one more than the latest (else `Conflict`).
    /// Writes `effects` and a `RequestSubmitted` event in the same transaction.
    async fn add_request_revision(
        &self,
        request: &ChargingRequest,
        effects: &Effects,
    ) -> Result<(), StoreError>;
    async fn latest_request(
        &self,
        session: &SessionId,
    ) -> Result<Option<ChargingRequest>, StoreError>;
    /// Every revision, oldest first.
    async fn request_history(
        &self,
        session: &SessionId,
    ) -> Result<Vec<ChargingRequest>, StoreError>;
}

/// Plans and the setpoints sent from them.
#[async_trait]
pub trait PlanStore: Send + Sync {
    async fn save_plan(&self, plan: &Plan) -> Result<(), StoreError>;
    async fn get_plan(&self, id: &PlanId) -> Result<Plan, StoreError>;
    async fn latest_plan(&self, site: &SiteId) -> Result<Option<Plan>, StoreError>;
    /// Plans of the site created in `[from, to)`, newest first, at most `limit`.
    async fn list_plans(
        &self,
        site: &SiteId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Plan>, StoreError>;
    async fn insert_setpoint(&self, setpoint: &Setpoint) -> Result<(), StoreError>;
    async fn set_setpoint_state(
        &self,
        id: &SetpointId,
        state: SetpointState,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records a dispatch outcome with its reason, unless a final answer is already there:
    /// `accepted` or `rejected` replace `pending` or `failed` (an outcome we did not know, as
    /// when the vendor's result arrives after we gave up waiting); `failed` replaces only
    /// `pending`. Returns whether the setpoint changed.
    async fn settle_setpoint(
        &self,
        id: &SetpointId,
        state: SetpointState,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn get_setpoint(&self, id: &SetpointId) -> Result<Setpoint, StoreError>;
    /// Setpoints of one session created at or after `since`, oldest first.
    async fn list_session_setpoints(
        &self,
        session: &SessionId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Setpoint>, StoreError>;
    /// The session's newest setpoint, if any.
    async fn latest_setpoint(&self, session: &SessionId) -> Result<Option<Setpoint>, StoreError>;
    /// Setpoints of the site created at or after `since`, oldest first.
    async fn list_setpoints(
        &self,
        site: &SiteId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Setpoint>, StoreError>;
}

/// The SMS outbox and the event log.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Enqueues messages on their own (see [`Effects`] to enqueue with a change).
    async fn enqueue_messages(
        &self,
        messages: &[NewOutboxMessage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Claims up to `limit` due messages for `lease`; a claim that expires is claimed again.
    async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    async fn mark_message_sent(
        &self,
        id: i64,
        provider_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records a failed attempt: retried at `retry_at`, or given up when `retry_at` is None.
    async fn mark_message_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn get_message(&self, id: i64) -> Result<OutboxMessage, StoreError>;
    /// Messages not yet sent or given up.
    async fn outbox_depth(&self) -> Result<u64, StoreError>;

    async fn append_event(&self, event: &NewEvent) -> Result<i64, StoreError>;
    /// Events of the site after `after_id`, oldest first, at most `limit`.
    async fn events_after(
        &self,
        site: &SiteId,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Event>, StoreError>;
}

/// Vendor cloud accounts and their registration tokens.
#[async_trait]
pub trait VendorStore: Send + Sync {
    /// Creates or replaces the account with this id.
    async fn upsert_vendor_account(&self, account: &VendorAccount) -> Result<(), StoreError>;
    async fn get_vendor_account(&self, id: &VendorAccountId) -> Result<VendorAccount, StoreError>;
    async fn list_vendor_accounts(&self) -> Result<Vec<VendorAccount>, StoreError>;
}

/// The driver flow: personal links, phone verification, notices, and event cursors.
#[async_trait]
pub trait DriverStore: Send + Sync {
    /// Stores the session's link and writes `effects` (the Welcome SMS) in the same
    /// transaction — unless the session already has a link, in which case nothing is written
    /// and `false` is returned.
    async fn create_driver_link(
        &self,
        link: &DriverLink,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn find_driver_link(&self, token_hash: &str) -> Result<Option<DriverLink>, StoreError>;
    async fn driver_link_for_session(
        &self,
        session: &SessionId,
    ) -> Result<Option<DriverLink>, StoreError>;

    async fn insert_phone_verification(
        &self,
        verification: &PhoneVerification,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn get_phone_verification(
        &self,
        id: &str,
    ) -> Result<Option<PhoneVerification>, StoreError>;
    /// Verifications for this phone at this site created at or after `since`.
    async fn count_phone_verifications(
        &self,
        site: &SiteId,
        phone: &PhoneNumber,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Verifications for any phone at this site created at or after `since`.
    async fn count_site_verifications(
        &self,
        site: &SiteId,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Stores `attempts` and `verified_at` of the verification.
    async fn update_phone_verification(
        &self,
        verification: &PhoneVerification,
    ) -> Result<(), StoreError>;

    async fn get_driver_notice(
        &self,
        session: &SessionId,
    ) -> Result<Option<DriverNotice>, StoreError>;
    /// Stores the notice and writes `effects` (the SMS it records) in one transaction.
    async fn save_driver_notice(
        &self,
        notice: &DriverNotice,
        effects: &Effects,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The last event `consumer` handled at `site` (0 when none).
    async fn event_cursor(&self, consumer: &str, site: &SiteId) -> Result<i64, StoreError>;
    async fn set_event_cursor(
        &self,
        consumer: &str,
        site: &SiteId,
        last_event_id: i64,
    ) -> Result<(), StoreError>;
}

/// Numbers we must never text.
#[async_trait]
pub trait SuppressionStore: Send + Sync {
    /// Adds the number (or replaces its reason).
    async fn suppress_number(
        &self,
        phone: &PhoneNumber,
        reason: SuppressionReason,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Removes the number; `true` when it was on the list.
    async fn lift_suppression(&self, phone: &PhoneNumber) -> Result<bool, StoreError>;
    async fn number_suppression(
        &self,
        phone: &PhoneNumber,
    ) -> Result<Option<SuppressionReason>, StoreError>;
}
