//! The `serve` and `migrate` commands: wire the configured store into the web app and serve it
//! until a shutdown signal, with a bounded grace period for in-flight requests.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chargeplan_control::DispatchSetup;
use chargeplan_core::{Clock, SystemClock};
use chargeplan_exchange::ocpi::receiver::RESULTS_PATH;
use chargeplan_exchange::service::ExchangeService;
use chargeplan_store::{Backend, Store};
use chargeplan_web::{AppState, HttpOptions};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::settings::Settings;
use crate::texts;

/// Why serving stopped with a failure.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// In-flight requests were still running when the grace period ran out.
    #[error("in-flight requests did not finish within {timeout_s} s of the shutdown signal")]
    ShutdownTimedOut {
        /// The grace period, `server.shutdown_timeout_s`.
        timeout_s: u64,
    },
    /// Accepting or serving connections failed.
    #[error("the HTTP server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// `chargeplan serve`: opens and migrates the store, binds, serves until `shutdown` resolves.
pub async fn run(
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    migrate_store(store.as_ref()).await?;
    let listener = TcpListener::bind(settings.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    run_on(
        settings,
        store,
        Arc::new(SystemClock),
        None,
        listener,
        shutdown,
    )
    .await
}

/// Applies pending migrations and logs what the store is.
pub async fn migrate_store(store: &dyn Store) -> anyhow::Result<()> {
    let report = store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    tracing::info!(
        store.backend = %store.backend(),
        migrations.applied = report.applied.len(),
        "store ready"
    );
    Ok(())
}

/// Runs everything on a migrated store and a bound listener: the OCPI exchange, the control
/// loop (dispatching to the vendors), SMS delivery, and the HTTP routes, until `shutdown`.
/// `replay_ends_at`: when the recorded day a demo replays is over, on `clock` (the pages then
/// say so); `None` for a real site.
pub async fn run_on(
    settings: &Settings,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    replay_ends_at: Option<chrono::DateTime<chrono::Utc>>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let options = HttpOptions {
        request_timeout: settings.server.request_timeout,
    };
    let (tasks, cancel) = (TaskTracker::new(), CancellationToken::new());
    let listen = listener.local_addr()?;
    let exchange = settings.exchange.service_config(listen);
    let results_url = format!("{}{RESULTS_PATH}", exchange.public_url);
    let (exchange, ocpi_routes) = ExchangeService::start(
        store.clone(),
        clock.clone(),
        exchange,
        &tasks,
        cancel.clone(),
    );
    let mut control_config = settings.driver.control_config(listen);
    control_config.retry = settings.exchange.retry.clone();
    // Several instances may share a PostgreSQL database: each site is owned through a lease.
    control_config.leases = store.backend() == Backend::Postgres;
    control_config.dispatch = Some(DispatchSetup {
        results: exchange.results.clone(),
        results_url,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
    });
    let control = chargeplan_control::start(
        store.clone(),
        clock.clone(),
        control_config,
        &tasks,
        cancel.clone(),
    );
    let relay = Arc::new(control.relay());
    let sms_routes = texts::start(settings, relay, listen, &store, &clock, &tasks, &cancel)?;
    let routes = chargeplan_web::router(AppState {
        admin_token_hash: settings.api.admin_token_hash(),
        secure_cookies: settings
            .driver
            .public_url_for(listen)
            .starts_with("https://"),
        vendor_polls: Some(exchange.statuses.clone()),
        // Logins, tokens and texted codes run on real time even when the garage is sped up.
        wall_clock: Arc::new(SystemClock),
        public_sms_number: settings.sms_public_number.clone(),
        dev_pages: matches!(
            settings.sms,
            crate::settings::SmsSettings::Console { page: true }
        ),
        replay_ends_at,
        ..AppState::new(store, clock, control)
    })
    .merge(ocpi_routes)
    .merge(sms_routes);
    let served = serve(
        listener,
        routes,
        &options,
        settings.server.shutdown_timeout,
        shutdown,
    )
    .await;
    stop_background(&tasks, &cancel, settings.server.shutdown_timeout).await;
    served?;
    Ok(())
}

/// Stops the background tasks (pollers) and waits for them, at most `timeout`.
async fn stop_background(tasks: &TaskTracker, cancel: &CancellationToken, timeout: Duration) {
    cancel.cancel();
    tasks.close();
    if tokio::time::timeout(timeout, tasks.wait()).await.is_err() {
        tracing::warn!("background tasks did not stop within the shutdown timeout");
    }
}

/// `chargeplan migrate`: applies pending migrations and prints their names on stdout.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let report = store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    if report.applied.is_empty() {
        println!(
            "{} store is up to date: no migration to apply",
            store.backend()
        );
    } else {
        for name in &report.applied {
            println!("applied {name}");
        }
        println!(
            "{} store migrated: {} migration(s) applied",
            store.backend(),
            report.applied.len()
        );
    }
    Ok(())
}

pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let target = settings.store_target();
    // `StoreTarget`'s Debug redacts the PostgreSQL URL.
    tracing::debug!(store.target = ?target, "opening store");
    // The store's error already says "cannot open store: ...".
    Ok(chargeplan_store::open(&target).await?)
}

/// Serves `routes` with the middleware on `listener` until `shutdown` resolves, then stops accepting and waits up to
/// `shutdown_timeout` for in-flight requests (mini-redis style: the signal is a parameter, so
/// tests can drive it).
///
/// # Errors
/// [`ServeError::ShutdownTimedOut`] when requests outlive the grace period; I/O errors.
pub async fn serve(
    listener: TcpListener,
    routes: axum::Router,
    options: &HttpOptions,
    shutdown_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_router(
        listener,
        chargeplan_web::with_middleware(routes, options),
        shutdown_timeout,
        shutdown,
    )
    .await
}

/// [`serve`] for any router, so the shutdown behaviour can be tested with slow routes.
async fn serve_router(
    listener: TcpListener,
    app: axum::Router,
    shutdown_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let address = listener.local_addr()?;
    let (signalled_tx, mut signalled_rx) = watch::channel(false);
    let signal = async move {
        shutdown.await;
        // The receiver lives as long as this function; a send error cannot happen.
        let _ = signalled_tx.send(true);
    };
    // The client address reaches handlers (the login rate limit) as `ConnectInfo`.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(signal)
        .into_future();
    tokio::pin!(server);

    tracing::info!(server.address = %address, "listening on http://{address}");
    tokio::select! {
        result = &mut server => {
            // Either the signal came and nothing was in flight, or accepting failed.
            result?;
            tracing::info!("server stopped");
            return Ok(());
        }
        _ = signalled_rx.wait_for(|signalled| *signalled) => {}
    }
    match tokio::time::timeout(shutdown_timeout, &mut server).await {
        Ok(result) => {
            result?;
            tracing::info!("in-flight requests finished; server stopped");
            Ok(())
        }
        Err(_elapsed) => Err(ServeError::ShutdownTimedOut {
            timeout_s: shutdown_timeout.as_secs(),
        }),
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
