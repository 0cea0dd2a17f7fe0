//! Shutdown signals: the future that resolves on ctrl-c or SIGTERM, handed to the server.

/// Resolves when the process is asked to stop (ctrl-c, or SIGTERM on Unix), and logs which.
///
/// If a signal handler cannot be installed, that signal is logged and ignored rather than
/// stopping the server at once.
pub async fn signal() {
    let ctrl_c = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "ctrl-c",
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for ctrl-c");
                std::future::pending().await
            }
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
                "SIGTERM"
            }
            Err(error) => {
                tracing::error!(error = %error, "cannot listen for SIGTERM");
                std::future::pending().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<&str>();

    let name = tokio::select! {
        name = ctrl_c => name,
        name = terminate => name,
    };
    tracing::info!(
        signal = name,
        "shutdown requested: no new connections, finishing in-flight requests"
    );
}
