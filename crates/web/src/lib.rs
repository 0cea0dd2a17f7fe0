#![doc = include_str!("../README.md")]

mod api;
mod driver;
pub mod driver_page;
mod health;
mod join;
mod middleware;
mod shell;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use chargeplan_control::ControlHandle;
use chargeplan_core::Clock;
use chargeplan_store::Store;

pub use middleware::{ErrorReason, HttpOptions};

/// What every handler can reach. Cheap to clone: it only holds shared handles.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Persistent state; `check_ready` backs `/readyz`.
    pub store: Arc<dyn Store>,
    /// The time of day for pages and requests (a manual clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Re-plans a site when a driver changes a request; its config holds the link grace.
    pub control: ControlHandle,
    /// SHA-256 (lowercase hex) of the operator API's admin token (`api.admin_token`); `None`
    /// turns the operator API off.
    pub admin_token_hash: Option<String>,
}

/// The routes with their state, without middleware (tests call it with `oneshot`).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(driver::routes())
        .merge(join::routes())
        .merge(api::routes())
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
