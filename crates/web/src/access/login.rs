//! `GET/POST /login` and `POST /logout`: the dashboard's password login.
//!
//! The login form is protected against cross-site posting by a double-submit token (a cookie
//! and a hidden field that must match). Failed logins are limited per name (5 in 15 minutes,
//! counted in the store, so across instances) and per client address (20 attempts in 15
//! minutes, in this process). An unknown name takes as long to refuse as a wrong password.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chargeplan_store::DashboardSession;
use chrono::Duration;
use maud::{Markup, html};
use serde::Deserialize;

use super::cookies::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, read_cookie, set_cookie};
use super::password::{decoy_hash, verify_password};
use super::secrets::{hash_secret, new_secret, secrets_equal};
use super::user::{DashboardDenied, DashboardUser};
use crate::AppState;

/// Failed logins for one name before it is locked for [`FAILURE_WINDOW_MIN`].
pub(crate) const FAILURES_PER_NAME: u64 = 5;
/// The window in which failed logins are counted.
pub(crate) const FAILURE_WINDOW_MIN: i64 = 15;
/// How long a dashboard session lasts.
pub(crate) const SESSION_HOURS: i64 = 12;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", post(logout))
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("name", &self.name)
            .field("password", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

async fn show(State(state): State<AppState>, Query(query): Query<LoginQuery>) -> Response {
    let next = safe_next(query.next.as_deref());
    login_page(&state, StatusCode::OK, "", &next, None)
}

async fn submit(
    State(state): State<AppState>,
    connection: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let name = form.name.trim().to_ascii_lowercase();
    let cookie_token = read_cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if form.csrf.is_empty() || !secrets_equal(&form.csrf, cookie_token) {
        let message = "This form expired. Please log in again.";
        return login_page(&state, StatusCode::FORBIDDEN, &name, &next, Some(message));
    }
    if let Some(Extension(ConnectInfo(address))) = connection
        && let Err(wait) = state.login_limiter.attempt(address.ip(), Instant::now())
    {
        let message = format!(
            "Too many login attempts from your network. Try again in {} minutes.",
            wait.as_secs().div_ceil(60).max(1)
        );
        return login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &name,
            &next,
            Some(&message),
        );
    }
    match check(&state, &name, &form.password).await {
        Ok(Some(operator)) => start_session(&state, &operator.id, &next).await,
        Ok(None) => {
            let message = "Wrong name or password.";
            login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                &name,
                &next,
                Some(message),
            )
        }
        Err(Refusal::Locked) => {
            let message = format!(
                "Too many failed logins for this name. Try again in {FAILURE_WINDOW_MIN} minutes."
            );
            login_page(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                &name,
                &next,
                Some(&message),
            )
        }
        Err(Refusal::Internal(reason)) => internal(reason),
    }
}

enum Refusal {
    Locked,
    Internal(String),
}

/// The operator when `password` is theirs; `None` for a wrong name or password (recorded).
async fn check(
    state: &AppState,
    name: &str,
    password: &str,
) -> Result<Option<chargeplan_store::Operator>, Refusal> {
    let now = state.wall_clock.now();
    let store = &state.store;
    let since = now - Duration::minutes(FAILURE_WINDOW_MIN);
    let failures = store
        .count_login_failures(name, since)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    if failures >= FAILURES_PER_NAME {
        return Err(Refusal::Locked);
    }
    let operator = store
        .find_operator_by_name(name)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let hash = operator
        .as_ref()
        .and_then(|operator| operator.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let password = password.to_owned();
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match operator {
        Some(operator) if matches && operator.password_hash.is_some() => {
            store
                .clear_login_failures(name)
                .await
                .map_err(|e| Refusal::Internal(e.to_string()))?;
            Ok(Some(operator))
        }
        _ => {
            store
                .record_login_failure(name, now)
                .await
                .map_err(|e| Refusal::Internal(e.to_string()))?;
            tracing::info!(login.name = %name, "failed dashboard login");
            Ok(None)
        }
    }
}

/// Stores a new session, sets its cookie and goes to `next`.
async fn start_session(state: &AppState, operator_id: &str, next: &str) -> Response {
    let now = state.wall_clock.now();
    let session_id = new_secret();
    let session = DashboardSession {
        id_hash: hash_secret(&session_id),
        operator_id: operator_id.to_owned(),
        csrf_token: new_secret(),
        created_at: now,
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    if let Err(error) = state.store.insert_dashboard_session(&session).await {
        return internal(error.to_string());
    }
    let mut response = Redirect::to(next).into_response();
    let headers = response.headers_mut();
    let max_age = SESSION_HOURS * 3600;
    let secure = state.secure_cookies;
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &session_id, max_age, secure),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure),
    );
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    user: DashboardUser,
    Form(form): Form<LogoutForm>,
) -> Result<Response, DashboardDenied> {
    user.check_csrf(&form.csrf)?;
    state
        .store
        .delete_dashboard_session(&user.session_hash)
        .await
        .map_err(|e| DashboardDenied::Internal(e.to_string()))?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies),
    );
    Ok(response)
}

/// `next` when it is a path on this server, else the dashboard (no open redirects).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/dashboard".to_owned(),
    }
}

/// The login form with a fresh double-submit token (cookie and hidden field).
fn login_page(
    state: &AppState,
    status: StatusCode,
    name: &str,
    next: &str,
    error: Option<&str>,
) -> Response {
    let token = new_secret();
    let title = if error.is_some() {
        "Error: Log in — chargeplan"
    } else {
        "Log in — chargeplan"
    };
    let page = crate::shell::layout(title, form(name, next, &token, error));
    let mut response = (status, Html(page.into_string())).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, state.secure_cookies),
    );
    response
}

fn form(name: &str, next: &str, token: &str, error: Option<&str>) -> Markup {
    html! {
        h1 { "Log in to the chargeplan dashboard" }
        @if let Some(error) = error {
            div.error-summary role="alert" tabindex="-1" {
                p.field-error { (error) }
            }
        }
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="next" value=(next);
            div.field {
                label for="name" { "Name" }
                input type="text" id="name" name="name" value=(name) autocomplete="username"
                    autocapitalize="none" spellcheck="false" required autofocus[error.is_none()];
            }
            div.field {
                label for="password" { "Password" }
                input type="password" id="password" name="password"
                    autocomplete="current-password" required;
            }
            button type="submit" { "Log in" }
        }
    }
}

fn internal(reason: String) -> Response {
    DashboardDenied::Internal(reason).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/dashboard/sites/s1")),
            "/dashboard/sites/s1"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example/")), "/dashboard");
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
    }
}
