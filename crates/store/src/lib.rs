#![doc = include_str!("../README.md")]

mod driver_records;
mod error;
mod layout;
mod lease;
mod merge;
mod open;
mod operator_rows;
mod operators;
mod records;
mod register;
mod rows;
mod sharing;
mod signals;
mod sql_driver;
mod sql_layout;
mod sql_leases;
mod sql_operators;
mod sql_outbox;
mod sql_people;
mod sql_plans;
mod sql_sessions;
mod sql_sharing;
mod sql_sharing_notes;
mod sql_store;
mod sql_vendors;
mod sql_waitlist;
mod sql_webhooks;
mod store;
mod time;
mod waitlist_records;
mod webhooks;

pub mod postgres;
pub mod sqlite;

pub use driver_records::{DriverLink, DriverNotice, PhoneVerification, SuppressionReason};
pub use error::StoreError;
pub use lease::{Lease, LeaseStore, SiteSignals, SiteSubscription};
pub use open::{StoreTarget, open};
pub use operators::{ApiToken, DashboardSession, Operator, OperatorRole, OperatorStore};
pub use records::{
    Effects, Event, EventKind, NewEvent, NewOutboxMessage, OutboxMessage, OutboxState,
    SessionParty, SessionUpsert, VendorAccount,
};
pub use register::{MEMBER_ID_ATTEMPTS, register_participant};
pub use sharing::{
    RelayBlock, RelayLogEntry, RelaySender, RelayStore, RelayThread, SharingSettingsStore,
};
pub use signals::SITE_CHANNEL;
pub use store::{
    Backend, DriverStore, LayoutStore, MigrationReport, OutboxStore, ParticipantStore, PlanStore,
    SessionStore, Store, StoreAdmin, SuppressionStore, VendorStore,
};
pub use waitlist_records::{
    EntryState, OfferFence, OfferState, OfferTransition, SessionSharingNote, SharingNoteStore,
    WaitlistEntry, WaitlistOffer, WaitlistStore,
};
pub use webhooks::{WebhookKind, WebhookStore};

/// Every area trait of the store, to call its methods on `dyn Store`.
pub mod prelude {
    pub use crate::{
        DriverStore, LayoutStore, LeaseStore, OperatorStore, OutboxStore, ParticipantStore,
        PlanStore, RelayStore, SessionStore, SharingNoteStore, SharingSettingsStore, Store,
        StoreAdmin, SuppressionStore, VendorStore, WaitlistStore, WebhookStore,
    };
}
