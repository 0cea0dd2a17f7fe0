//! Liveness (`/healthz`) and readiness (`/readyz`) probes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::{AppState, ErrorReason};

/// Body of `/healthz`.
#[derive(Debug, Serialize)]
pub(crate) struct Health {
    /// Always "ok": answering at all is the signal.
    status: &'static str,
}

/// Body of `/readyz`.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub(crate) enum Readiness {
    /// The store is reachable and migrated; names the backend ("sqlite" or "postgres").
    Ready { store: String },
    /// Not ready; says why, without secrets.
    Unavailable { reason: String },
}

/// 200 while the process is up; checks nothing else, so a slow database never restarts it.
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// 200 when the store answers and every migration is applied, else 503 with the reason.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.check_ready().await {
        Ok(()) => Json(Readiness::Ready {
            store: state.store.backend().to_string(),
        })
        .into_response(),
        Err(error) => {
            let reason = error.to_string();
            let body = Readiness::Unavailable {
                reason: reason.clone(),
            };
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
            // Logged once by the trace middleware, not here.
            response.extensions_mut().insert(ErrorReason(reason));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use chargeplan_store::{Store, StoreTarget};
    use serde_json::{Value, json};
    use tower::ServiceExt as _;

    use crate::{AppState, router};

    fn test_state(store: Arc<dyn Store>) -> AppState {
        let clock: Arc<dyn chargeplan_core::Clock> = Arc::new(chargeplan_core::SystemClock);
        let control = chargeplan_control::start(
            store.clone(),
            clock.clone(),
            chargeplan_control::ControlConfig::default(),
            &tokio_util::task::TaskTracker::new(),
            tokio_util::sync::CancellationToken::new(),
        );
        AppState::new(store, clock, control)
    }

    async fn sqlite_store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
        let target = StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        };
        chargeplan_store::open(&target)
            .await
            .expect("open SQLite store")
    }

    async fn get(store: Arc<dyn Store>, path: &str) -> (StatusCode, Value) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = router(test_state(store))
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON body"))
    }

    #[tokio::test]
    async fn healthz_answers_ok_even_before_migrations() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = sqlite_store(&dir).await;

        let (status, body) = get(store, "/healthz").await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"status": "ok"}));
    }

    #[tokio::test]
    async fn readyz_is_ready_and_names_the_backend_once_migrated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = sqlite_store(&dir).await;
        store.migrate().await.expect("migrate");

        let (status, body) = get(store, "/readyz").await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"status": "ready", "store": "sqlite"}));
    }

    #[tokio::test]
    async fn readyz_is_unavailable_with_a_reason_while_migrations_are_pending() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = sqlite_store(&dir).await;

        let (status, body) = get(store, "/readyz").await;

        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "unavailable");
        assert!(
            body["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{body}"
        );
    }
}
