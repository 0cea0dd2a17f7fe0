#![doc = include_str!("../README.md")]

pub mod access;
mod api;
mod board;
mod contact;
mod dashboard;
mod driver;
pub mod driver_page;
mod garage;
mod health;
mod join;
mod metrics;
mod middleware;
mod relay_audit;
mod sharing_fields;
mod shell;
mod sticker;
mod time_axis;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use chargeplan_control::ControlHandle;
use chargeplan_core::{Clock, PhoneNumber};
use chargeplan_store::Store;
use chrono::{DateTime, Utc};

pub use middleware::{ErrorReason, HttpOptions};

/// What every handler can reach. Cheap to clone: it only holds shared handles.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Persistent state; `check_ready` backs `/readyz`.
    pub store: Arc<dyn Store>,
    /// The time of day for pages and requests (a manual clock in tests).
    pub clock: Arc<dyn Clock>,
    /// People's own time, for what they live through at their pace whatever the garage's
    /// clock does: dashboard logins and their failures, API tokens, texted codes and their
    /// hourly limits. The same as `clock` unless the garage runs sped up (`chargeplan demo`).
    pub wall_clock: Arc<dyn Clock>,
    /// Re-plans a site when a driver changes a request; its config holds the link grace.
    pub control: ControlHandle,
    /// SHA-256 (lowercase hex) of the bootstrap admin token (`api.admin_token`), an admin
    /// credential from the configuration besides the operators' own API tokens; `None` when
    /// not configured.
    pub admin_token_hash: Option<String>,
    /// Login attempts per client address, shared by every request of this process.
    pub login_limiter: access::LoginLimiter,
    /// Whether cookies get the `Secure` flag (the public URL is HTTPS).
    pub secure_cookies: bool,
    /// Each vendor account's poller status, for `/metrics` (`None` where no exchange runs).
    pub vendor_polls: Option<chargeplan_exchange::service::PollStatuses>,
    /// The number people text to reach a member (`sms.public_number`), printed on stickers;
    /// `None`: stickers say to scan the code instead.
    pub public_sms_number: Option<PhoneNumber>,
    /// Whether the developer pages are served (`/dev/garage`; with the console SMS page,
    /// as `chargeplan demo` runs it).
    pub dev_pages: bool,
    /// When the recorded day `chargeplan demo` replays is over, on `clock`: from then on no
    /// car arrives, and the dashboard and `/dev/garage` say so and how to start it again.
    /// `None` outside the demo.
    pub replay_ends_at: Option<DateTime<Utc>>,
}

impl AppState {
    /// The state with no bootstrap admin token, plain-HTTP cookies, no vendor poll statuses,
    /// no public SMS number and no replayed day.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, control: ControlHandle) -> Self {
        Self {
            store,
            wall_clock: clock.clone(),
            clock,
            control,
            admin_token_hash: None,
            login_limiter: access::LoginLimiter::default(),
            secure_cookies: false,
            vendor_polls: None,
            public_sms_number: None,
            dev_pages: false,
            replay_ends_at: None,
        }
    }

    /// Once the recorded day the demo replays is over: why the garage stays empty and what to
    /// do about it; `None` before, and outside the demo.
    pub(crate) fn replay_over(&self) -> Option<&'static str> {
        self.replay_ends_at
            .filter(|ends_at| self.clock.now() >= *ends_at)
            .map(|_| REPLAY_OVER)
    }
}

/// What the dashboard and `/dev/garage` say once the demo's recorded day is over.
const REPLAY_OVER: &str = "The recorded day is over — restart the demo: the last car of the \
                           replayed day has left, so the garage stays empty and nothing more \
                           arrives. Stop the demo (Ctrl-C) and start it again to replay the day \
                           from 07:00.";

/// The routes with their state, without middleware (tests call it with `oneshot`).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(driver::routes())
        .merge(join::routes())
        .merge(sticker::routes())
        .merge(board::routes())
        .merge(contact::routes())
        .merge(garage::routes())
        .merge(api::routes())
        .merge(access::routes())
        .merge(dashboard::routes())
        .merge(metrics::routes())
        .fallback(api::unknown_path)
        .with_state(state)
}

/// [`router`] wrapped in the middleware every served request goes through: request id, one
/// log line per request, and the request timeout.
pub fn app(state: AppState, options: &HttpOptions) -> Router {
    with_middleware(router(state), options)
}

/// Any routes (ours merged with others, such as the OCPI receiver) wrapped in the same
/// middleware as [`app`].
pub fn with_middleware(routes: Router, options: &HttpOptions) -> Router {
    middleware::wrap(routes, options)
}
