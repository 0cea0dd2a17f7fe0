//! Tests of `serve`: it answers, and on the shutdown signal it lets in-flight requests finish
//! within the grace period, or gives up after it.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::*;

/// A running server on a free port, with the trigger of its shutdown signal.
struct Running {
    url: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ServeError>>,
}

async fn start(app: Router, shutdown_timeout: Duration) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let url = format!("http://{}", listener.local_addr().expect("bound address"));
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(serve_router(listener, app, shutdown_timeout, shutdown));
    Running { url, stop, task }
}

fn slow_app(delay: Duration) -> Router {
    Router::new().route(
        "/slow",
        get(move || async move {
            tokio::time::sleep(delay).await;
            "done"
        }),
    )
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_cleanly_on_the_signal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = chargeplan_store::StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    };
    let store = chargeplan_store::open(&target).await.expect("open store");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/healthz", listener.local_addr().expect("address"));
    let (stop, stopped) = oneshot::channel::<()>();
    let options = HttpOptions {
        request_timeout: Duration::from_secs(5),
    };
    let shutdown = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(async move {
        serve(
            listener,
            chargeplan_web::router(test_state(store)),
            &options,
            Duration::from_secs(5),
            shutdown,
        )
        .await
    });

    let response = reqwest::get(&url).await.expect("GET /healthz");
    stop.send(()).expect("server still running");
    let outcome = tokio::time::timeout(Duration::from_secs(5), task).await;

    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(matches!(outcome, Ok(Ok(Ok(())))), "{outcome:?}");
}

#[tokio::test]
async fn an_in_flight_request_finishes_after_the_shutdown_signal() {
    let server = start(slow_app(Duration::from_millis(500)), Duration::from_secs(5)).await;
    let request = tokio::spawn(reqwest::get(format!("{}/slow", server.url)));
    tokio::time::sleep(Duration::from_millis(100)).await;

    server.stop.send(()).expect("server still running");
    let response = request
        .await
        .expect("join")
        .expect("the in-flight request is answered");
    let outcome = server.task.await.expect("join");

    assert_eq!(response.text().await.expect("body"), "done");
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[tokio::test]
async fn a_request_outliving_the_grace_period_makes_serve_fail() {
    let server = start(
        slow_app(Duration::from_secs(30)),
        Duration::from_millis(300),
    )
    .await;
    let _request = tokio::spawn(reqwest::get(format!("{}/slow", server.url)));
    tokio::time::sleep(Duration::from_millis(100)).await;

    server.stop.send(()).expect("server still running");
    let outcome = tokio::time::timeout(Duration::from_secs(5), server.task).await;

    assert!(
        matches!(outcome, Ok(Ok(Err(ServeError::ShutdownTimedOut { .. })))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn no_new_connection_is_accepted_after_the_signal() {
    let server = start(slow_app(Duration::from_millis(10)), Duration::from_secs(5)).await;

    server.stop.send(()).expect("server still running");
    server.task.await.expect("join").expect("clean stop");
    let after = reqwest::get(format!("{}/slow", server.url)).await;

    assert!(after.is_err(), "the listener must be closed: {after:?}");
}

fn test_state(store: Arc<dyn Store>) -> AppState {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let control = chargeplan_control::start(
        store.clone(),
        clock.clone(),
        chargeplan_control::ControlConfig::default(),
        &TaskTracker::new(),
        CancellationToken::new(),
    );
    AppState::new(store, clock, control)
}
