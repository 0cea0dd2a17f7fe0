//! Middleware around every route: request id, one log line per request (errors included), and
//! the request timeout.

use std::time::Duration;

use axum::Router;
use axum::extract::MatchedPath;
use axum::http::{Request, Response, StatusCode};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// Settings of the HTTP layer that come from the binary's configuration.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// A request still running after this is answered with 408 Request Timeout.
    pub request_timeout: Duration,
}

/// Why a handler answered with an error; put in the response's extensions so the trace
/// middleware logs it once. Must never hold a secret, phone number or SMS body.
#[derive(Debug, Clone)]
pub struct ErrorReason(pub String);

/// Wraps `router` in the request-id, trace and timeout layers (outermost first).
pub(crate) fn wrap(router: Router, options: &HttpOptions) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(make_span)
                    .on_request(())
                    .on_response(on_response)
                    // Failures are 5xx responses, logged by `on_response`; once is enough.
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                options.request_timeout,
            )),
    )
}

/// The span of one request. It names the route template, never the raw path or query: those
/// will carry personal link tokens.
fn make_span<B>(request: &Request<B>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("<unmatched>", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "http.request",
        http.method = %request.method(),
        http.route = route,
        request.id = request_id,
    )
}

fn on_response<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    let status = response.status().as_u16();
    let duration_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    if response.status().is_server_error() {
        let reason = response
            .extensions()
            .get::<ErrorReason>()
            .map_or("", |r| r.0.as_str());
        tracing::error!(
            http.status = status,
            http.duration_ms = duration_ms,
            error.reason = reason,
            "request failed"
        );
    } else {
        tracing::info!(
            http.status = status,
            http.duration_ms = duration_ms,
            "request finished"
        );
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt as _;

    use super::*;

    fn options(request_timeout: Duration) -> HttpOptions {
        HttpOptions { request_timeout }
    }

    #[tokio::test]
    async fn every_response_carries_a_request_id() {
        let app = wrap(
            Router::new().route("/x", get(|| async { "x" })),
            &options(Duration::from_secs(5)),
        );

        let response = app
            .oneshot(Request::get("/x").body(Body::empty()).expect("request"))
            .await
            .expect("infallible");

        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().contains_key("x-request-id"));
    }

    #[tokio::test]
    async fn a_request_id_sent_by_the_client_is_echoed() {
        let app = wrap(
            Router::new().route("/x", get(|| async { "x" })),
            &options(Duration::from_secs(5)),
        );
        let request = Request::get("/x")
            .header("x-request-id", "abc-123")
            .body(Body::empty())
            .expect("request");

        let response = app.oneshot(request).await.expect("infallible");

        assert_eq!(response.headers()["x-request-id"], "abc-123");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_slower_than_the_timeout_gets_408() {
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "late"
        };
        let app = wrap(
            Router::new().route("/slow", get(slow)),
            &options(Duration::from_secs(1)),
        );

        let response = app
            .oneshot(Request::get("/slow").body(Body::empty()).expect("request"))
            .await
            .expect("infallible");

        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    }
}
