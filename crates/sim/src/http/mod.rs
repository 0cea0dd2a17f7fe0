//! The OCPI 2.2.1 CPO HTTP surface: router, envelope, headers, authorization, faults, pagination;
//! the simulator's control routes beside it (`control`).

mod chargingprofiles;
mod control;
mod lists;
mod registration;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::shared::{Access, Shared, lock};
use crate::wire::{Envelope, parse_datetime};

pub(crate) type AppState = Arc<Shared>;

/// All routes, behind the OCPI middleware.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/ocpi/versions", get(registration::versions))
        .route("/ocpi/2.2.1", get(registration::details))
        .route("/ocpi/2.2.1/", get(registration::details))
        .route(
            "/ocpi/2.2.1/credentials",
            get(registration::get_credentials)
                .post(registration::post_credentials)
                .put(registration::put_credentials)
                .delete(registration::delete_credentials),
        )
        .route("/ocpi/2.2.1/locations", get(lists::locations))
        .route("/ocpi/2.2.1/locations/", get(lists::locations))
        .route("/ocpi/2.2.1/locations/{location_id}", get(lists::location))
        .route(
            "/ocpi/2.2.1/locations/{location_id}/{evse_uid}",
            get(lists::evse),
        )
        .route(
            "/ocpi/2.2.1/locations/{location_id}/{evse_uid}/{connector_id}",
            get(lists::connector),
        )
        .route("/ocpi/2.2.1/sessions", get(lists::sessions))
        .route("/ocpi/2.2.1/sessions/", get(lists::sessions))
        .route(
            "/ocpi/2.2.1/chargingprofiles/{session_id}",
            get(chargingprofiles::get_active)
                .put(chargingprofiles::put_profile)
                .delete(chargingprofiles::delete_profile),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), ocpi_layer))
        .with_state(state.clone())
        .merge(control::router(state))
}

async fn not_found(State(state): State<AppState>) -> Response {
    reply(
        StatusCode::NOT_FOUND,
        2000,
        Some("no such object or endpoint"),
        None,
        now(&state),
    )
}

/// Simulated now, for envelope timestamps.
pub(crate) fn now(state: &Shared) -> DateTime<Utc> {
    lock(&state.world).now
}

/// An envelope with any status.
pub(crate) fn reply(
    http: StatusCode,
    status_code: u32,
    message: Option<&str>,
    data: Option<Value>,
    at: DateTime<Utc>,
) -> Response {
    let env = Envelope {
        data,
        status_code,
        status_message: message.map(str::to_owned),
        timestamp: at,
    };
    (http, axum::Json(env)).into_response()
}

/// A 1000 envelope around `data`.
pub(crate) fn ok(data: impl Serialize, at: DateTime<Utc>) -> Response {
    let data = serde_json::to_value(data).unwrap_or(Value::Null);
    reply(StatusCode::OK, 1000, Some("Success"), Some(data), at)
}

/// HTTP 200 with OCPI 2001 (invalid or missing parameters).
pub(crate) fn bad_params(message: &str, at: DateTime<Utc>) -> Response {
    reply(StatusCode::OK, 2001, Some(message), None, at)
}

/// Parses a JSON body: syntax errors are HTTP 400; well-formed JSON of the wrong shape is 2001.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    at: DateTime<Utc>,
) -> Result<T, Box<Response>> {
    serde_json::from_slice(bytes).map_err(|e| {
        Box::new(if e.is_data() {
            bad_params(&format!("invalid object: {e}"), at)
        } else {
            reply(
                StatusCode::BAD_REQUEST,
                2000,
                Some("invalid JSON"),
                None,
                at,
            )
        })
    })
}

fn is_functional(path: &str) -> bool {
    path.starts_with("/ocpi/2.2.1/") && !path.starts_with("/ocpi/2.2.1/credentials")
}

/// Echoes request ids, checks the token, and applies latency and the fault switches.
async fn ocpi_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = header_or_new(req.headers(), "x-request-id");
    let correlation_id = header_or_new(req.headers(), "x-correlation-id");
    let functional = is_functional(req.uri().path());
    let access = state.access(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let (latency, fault) = {
        let mut faults = lock(&state.faults);
        let fault = if functional && access == Some(Access::Full) {
            take_fault(&mut faults)
        } else {
            None
        };
        (faults.latency, fault)
    };
    if !latency.is_zero() {
        sleep_or_cancel(&state, latency).await;
    }
    let mut resp = match access {
        None => reply(
            StatusCode::UNAUTHORIZED,
            2000,
            Some("missing or unknown token"),
            None,
            now(&state),
        ),
        Some(Access::Registration) if functional => reply(
            StatusCode::UNAUTHORIZED,
            2000,
            Some("registration token: credentials and versions only"),
            None,
            now(&state),
        ),
        Some(access) => {
            req.extensions_mut().insert(access);
            match fault {
                Some(Fault::ServerError(status)) => (
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    "simulated failure",
                )
                    .into_response(),
                Some(Fault::Hang(hang)) => {
                    sleep_or_cancel(&state, hang).await;
                    next.run(req).await
                }
                Some(Fault::Malformed) => {
                    let mut resp = next.run(req).await;
                    *resp.body_mut() = Body::from(r#"{"data": [{"id": "trunc"#);
                    resp.headers_mut().remove(header::CONTENT_LENGTH);
                    resp
                }
                Some(Fault::Reset) => {
                    let mut resp = next.run(req).await;
                    let broken = futures_util::stream::once(async {
                        Err::<axum::body::Bytes, _>(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "simulated connection reset",
                        ))
                    });
                    *resp.body_mut() = Body::from_stream(broken);
                    resp.headers_mut().remove(header::CONTENT_LENGTH);
                    resp
                }
                None => next.run(req).await,
            }
        }
    };
    let headers = resp.headers_mut();
    for (name, value) in [
        ("x-request-id", request_id),
        ("x-correlation-id", correlation_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    resp
}

enum Fault {
    ServerError(u16),
    Hang(std::time::Duration),
    Malformed,
    Reset,
}

fn take_fault(f: &mut crate::config::Faults) -> Option<Fault> {
    let server_error = Fault::ServerError(if f.server_error_status == 0 {
        500
    } else {
        f.server_error_status
    });
    let hang = Fault::Hang(if f.hang.is_zero() {
        std::time::Duration::from_secs(30)
    } else {
        f.hang
    });
    if f.server_errors > 0 {
        f.server_errors -= 1;
        Some(server_error)
    } else if f.timeouts > 0 {
        f.timeouts -= 1;
        Some(hang)
    } else if f.malformed > 0 {
        f.malformed -= 1;
        Some(Fault::Malformed)
    } else if f.resets > 0 {
        f.resets -= 1;
        Some(Fault::Reset)
    } else {
        drawn_fault(&mut f.rates, server_error, hang)
    }
}

/// One draw against the rates: each fault takes its share of [0, 1) in turn.
fn drawn_fault(
    rates: &mut crate::config::FaultRates,
    server_error: Fault,
    hang: Fault,
) -> Option<Fault> {
    let total = rates.server_error + rates.hang + rates.malformed + rates.reset;
    if total <= 0.0 {
        return None;
    }
    let u = rates.draw();
    let mut edge = rates.server_error;
    if u < edge {
        return Some(server_error);
    }
    edge += rates.hang;
    if u < edge {
        return Some(hang);
    }
    edge += rates.malformed;
    if u < edge {
        return Some(Fault::Malformed);
    }
    (u < edge + rates.reset).then_some(Fault::Reset)
}

async fn sleep_or_cancel(state: &Shared, d: std::time::Duration) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = state.cancel.cancelled() => {}
    }
}

fn header_or_new(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// `date_from`, `date_to`, `offset`, `limit` of a list GET, with the raw filters for the next link.
#[derive(Debug)]
pub(crate) struct ListQuery {
    pub date_from: Option<DateTime<Utc>>,
    pub date_to: Option<DateTime<Utc>>,
    pub offset: usize,
    pub limit: usize,
    filters: Vec<(String, String)>,
}

impl ListQuery {
    pub fn parse(q: &HashMap<String, String>, max: usize) -> Result<Self, String> {
        let date = |key: &str| -> Result<Option<DateTime<Utc>>, String> {
            q.get(key)
                .map(|v| parse_datetime(v).ok_or_else(|| format!("{key} is not a DateTime: {v:?}")))
                .transpose()
        };
        let number = |key: &str| -> Result<Option<usize>, String> {
            q.get(key)
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| format!("{key} is not a non-negative integer: {v:?}"))
                })
                .transpose()
        };
        let filters = ["date_from", "date_to"]
            .into_iter()
            .filter_map(|k| q.get(k).map(|v| (k.to_owned(), v.replace(' ', "+"))))
            .collect();
        Ok(Self {
            date_from: date("date_from")?,
            date_to: date("date_to")?,
            offset: number("offset")?.unwrap_or(0),
            limit: number("limit")?.unwrap_or(max).clamp(1, max.max(1)),
            filters,
        })
    }

    /// Whether an object last updated at `t` passes the date filters (`date_from` inclusive, `date_to` exclusive).
    pub fn admits(&self, t: DateTime<Utc>) -> bool {
        let secs = |d: DateTime<Utc>| d.timestamp();
        self.date_from.is_none_or(|f| secs(t) >= secs(f))
            && self.date_to.is_none_or(|to| secs(t) < secs(to))
    }
}

/// One page of `items` with `Link`, `X-Total-Count` and `X-Limit`, honouring the page fault switches.
/// Only the page's items are turned into JSON, so long lists stay cheap to page through.
pub(crate) fn page<T>(
    state: &Shared,
    path: &str,
    q: &ListQuery,
    items: &[T],
    to_json: impl Fn(&T) -> Value,
    at: DateTime<Utc>,
) -> Response {
    let total = items.len();
    let (overlap, reverse) = {
        let f = lock(&state.faults);
        (f.duplicate_overlap, f.out_of_order_pages)
    };
    let start = if q.offset > 0 {
        q.offset.saturating_sub(overlap)
    } else {
        0
    }
    .min(total);
    let end = (q.offset + q.limit).min(total).max(start);
    let mut chunk: Vec<Value> = items[start..end].iter().map(to_json).collect();
    if reverse {
        chunk.reverse();
    }
    let mut resp = ok(chunk, at);
    let headers = resp.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    headers.insert("x-limit", HeaderValue::from(state.page_limit));
    if q.offset + q.limit < total
        && let Ok(mut url) = reqwest::Url::parse(&format!("{}{}", state.origin, path))
    {
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &q.filters {
                pairs.append_pair(k, v);
            }
            pairs.append_pair("offset", &(q.offset + q.limit).to_string());
            pairs.append_pair("limit", &q.limit.to_string());
        }
        if let Ok(v) = HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")) {
            headers.insert(header::LINK, v);
        }
    }
    resp
}
