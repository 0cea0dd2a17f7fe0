#![doc = include_str!("../README.md")]

mod health;
mod middleware;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use chargeplan_store::Store;

pub use middleware::{ErrorReason, HttpOptions};

/// What every handler can reach. Cheap to clone: it only holds shared handles.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Persistent state; `check_ready` backs `/readyz`.
    pub store: Arc<dyn Store>,
}

/// The routes with their state, without middleware (tests call it with `oneshot`).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
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
