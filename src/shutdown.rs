//! Shutdown signals: the future that resolves on ctrl-c or SIGTERM, handed to the server.

use std::future::Future;

/// Installs the ctrl-c and SIGTERM handlers at once (so a signal that arrives before the
/// returned future is first polled is not lost, nor kills the process), and returns a future
/// that resolves when the process is asked to stop, logging which signal it was.
///
/// If a handler cannot be installed, that signal is logged and ignored rather than stopping
/// the process at once. Must be called within the Tokio runtime.
pub fn signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        let install = |kind: SignalKind, name: &'static str| {
            signal(kind)
                .inspect_err(|error| tracing::error!(error = %error, "cannot listen for {name}"))
                .ok()
        };
        (
            install(SignalKind::interrupt(), "ctrl-c"),
            install(SignalKind::terminate(), "SIGTERM"),
        )
    };
    async move {
        #[cfg(unix)]
        let name = {
            let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
                match stream {
                    Some(mut stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => "ctrl-c",
                () = wait(terminate) => "SIGTERM",
            }
        };
        #[cfg(not(unix))]
        let name = match tokio::signal::ctrl_c().await {
            Ok(()) => "ctrl-c",
            Err(_) => std::future::pending().await,
        };
        tracing::info!(
            signal = name,
            "shutdown requested: no new connections, finishing in-flight requests"
        );
    }
}
