//! A site's relay audit: every message the anonymous relay carried or refused, with who sent
//! it (the role: waiter, owner, stranger), when, in which thread (its code), the outcome and
//! the body while the site keeps it. Never a phone number: not the sender's, and not one
//! typed in a body (shown as `[removed]`).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Params, Path, range};
use super::local_time::local;
use super::paths::SitePath;
use crate::AppState;
use crate::access::ApiCaller;
use crate::relay_audit::{AuditLine, audit};

/// The range when the query names none.
const DEFAULT_DAYS: i64 = 7;
/// The longest range one query may span.
const MAX_DAYS: i64 = 93;
/// Lines when the query names no limit, and most lines one answer holds.
const DEFAULT_LIMIT: usize = 500;
pub(super) const MAX_LIMIT: usize = 5000;

/// The query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RelayLogQuery {
    /// RFC 3339; default 7 days before `to`.
    #[param(example = "2026-06-08T00:00:00Z")]
    from: Option<String>,
    /// RFC 3339, excluded; default now. At most 93 days after `from`.
    #[param(example = "2026-06-15T00:00:00Z")]
    to: Option<String>,
    /// Most lines, newest first: 1 to 5000, default 500.
    #[param(example = 500)]
    limit: Option<String>,
}

/// The audit of a range.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RelayLogView {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// Newest first.
    entries: Vec<RelayLogEntryView>,
    /// Whether older lines of the range were left out by `limit`.
    truncated: bool,
}

/// One line of the relay's log. Never a phone number.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RelayLogEntryView {
    at: DateTime<Utc>,
    /// `at` on the site's clock.
    at_local: String,
    /// Who sent it: `waiter` (texted a member ID), `owner` (the member), or `stranger` (a
    /// number that is no party of the thread it wrote to).
    #[schema(example = "owner")]
    sender: String,
    /// The thread's code as both sides see it (`K7`); `null` for a refusal outside any
    /// thread.
    #[schema(example = "K7")]
    thread_code: Option<String>,
    /// `opened`, `opened:cleaned`, `relayed`, `relayed:cleaned`, `relayed:ok`, `relayed:no`,
    /// `relayed:return_time`, `shared`, `blocked`, `closed`, or `refused:<reason>`.
    #[schema(example = "relayed:return_time")]
    outcome: String,
    /// The text as received, links, e-mail addresses and phone numbers shown as `[removed]`;
    /// `null` once the site's retention (`relay_body_retention_days`) has deleted it.
    #[schema(example = "back in 20")]
    body: Option<String>,
}

impl RelayLogEntryView {
    fn new(line: AuditLine, tz: chrono_tz::Tz) -> Self {
        Self {
            at: line.at,
            at_local: local(tz, line.at),
            sender: line.sender.to_owned(),
            thread_code: line.thread_code.map(|code| code.to_string()),
            outcome: line.outcome,
            body: line.body,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/relay-log",
    operation_id = "list_relay_log",
    tag = "sharing",
    params(SitePath, RelayLogQuery),
    responses(
        (status = 200, description = "the relay's log lines in the range, newest first", body = RelayLogView),
        UnauthorizedError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    query: Result<Params<RelayLogQuery>, ApiError>,
) -> Result<Json<RelayLogView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Params(query) = query?;
    let (from, to) = range(
        query.from.as_deref(),
        query.to.as_deref(),
        state.clock.now(),
        Duration::days(DEFAULT_DAYS),
        MAX_DAYS,
    )?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "limit",
                    format!("limit: '{text}' is not a whole number from 1 to {MAX_LIMIT}"),
                )
            })?,
    };
    let mut lines = audit(state.store.as_ref(), &site.id, from, to, limit + 1).await?;
    let truncated = lines.len() > limit;
    lines.truncate(limit);
    Ok(Json(RelayLogView {
        from,
        to,
        entries: lines
            .into_iter()
            .map(|line| RelayLogEntryView::new(line, site.time_zone))
            .collect(),
        truncated,
    }))
}
