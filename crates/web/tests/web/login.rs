//! The dashboard's password login: the session cookie and its flags, wrong passwords and
//! unknown names refused alike, the per-name lock after five failures, the login form's CSRF
//! token, no open redirect after login, and log out.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chargeplan_core::Clock as _;
use chargeplan_store::{Operator, OperatorRole};
use chargeplan_web::access::password::hash_password;
use chrono::Duration;

use crate::support::TestApp;

const PASSWORD: &str = "correct horse battery";

async fn operator(app: &TestApp, name: &str) -> Operator {
    let operator = Operator {
        id: format!("op-{name}"),
        name: name.to_owned(),
        role: OperatorRole::Admin,
        password_hash: Some(hash_password(PASSWORD).expect("hash")),
        sites: Vec::new(),
        created_at: app.clock.now(),
    };
    app.store
        .insert_operator(&operator)
        .await
        .expect("operator");
    operator
}

/// The values of the response's `Set-Cookie` headers.
fn set_cookies(reply: &crate::support::Reply) -> Vec<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().expect("ascii").to_owned())
        .collect()
}

/// `name=value` of the cookie `name` set by the reply.
fn cookie(reply: &crate::support::Reply, name: &str) -> Option<String> {
    set_cookies(reply).into_iter().find_map(|line| {
        let pair = line.split(';').next()?.trim().to_owned();
        pair.starts_with(&format!("{name}=")).then_some(pair)
    })
}

/// The login form's token: its cookie pair and the hidden field's value.
async fn login_form(app: &TestApp) -> (String, String) {
    let page = app.get("/login?next=/dashboard/sites/s1").await;
    assert_eq!(page.status, StatusCode::OK);
    let pair = cookie(&page, "chargeplan_login").expect("login cookie");
    let token = pair.trim_start_matches("chargeplan_login=").to_owned();
    assert!(
        page.body.contains(&format!("value=\"{token}\"")),
        "the form carries the token"
    );
    (pair, token)
}

async fn log_in(app: &TestApp, name: &str, password: &str, next: &str) -> crate::support::Reply {
    let (pair, token) = login_form(app).await;
    let body = serde_urlencoded::to_string([
        ("name", name),
        ("password", password),
        ("csrf", token.as_str()),
        ("next", next),
    ])
    .expect("form");
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, pair)
        .body(Body::from(body))
        .expect("request");
    app.send(request).await
}

#[tokio::test]
async fn a_right_password_starts_a_session_with_a_safe_cookie_and_follows_next() {
    let app = TestApp::new().await;
    operator(&app, "ops").await;

    let reply = log_in(&app, "OPS", PASSWORD, "/dashboard/sites/s1").await;

    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some("/dashboard/sites/s1"));
    let session = set_cookies(&reply)
        .into_iter()
        .find(|line| line.starts_with("chargeplan_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    let id = cookie(&reply, "chargeplan_session").expect("pair");
    let id = id.trim_start_matches("chargeplan_session=");
    let stored = app
        .store
        .find_dashboard_session(&chargeplan_web::access::hash_secret(id), app.clock.now())
        .await
        .expect("lookup");
    assert!(
        stored.is_some(),
        "the store keeps the session under the id's hash"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_name_are_refused_alike() {
    let app = TestApp::new().await;
    operator(&app, "ops").await;

    let wrong = log_in(&app, "ops", "not the password", "/dashboard").await;
    let unknown = log_in(&app, "nobody", PASSWORD, "/dashboard").await;

    for reply in [&wrong, &unknown] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(
            reply.body.contains("Wrong name or password."),
            "{}",
            reply.body
        );
        assert!(cookie(reply, "chargeplan_session").is_none());
    }
}

#[tokio::test]
async fn five_failures_lock_the_name_even_for_the_right_password_until_the_window_passes() {
    let app = TestApp::new().await;
    operator(&app, "ops").await;
    for _ in 0..5 {
        let reply = log_in(&app, "ops", "guess", "/dashboard").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }

    let locked = log_in(&app, "ops", PASSWORD, "/dashboard").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.body.contains("Too many failed logins"),
        "{}",
        locked.body
    );
    assert!(cookie(&locked, "chargeplan_session").is_none());

    app.clock.advance(Duration::minutes(16));
    let reply = log_in(&app, "ops", PASSWORD, "/dashboard").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn a_login_without_the_form_token_is_refused() {
    let app = TestApp::new().await;
    operator(&app, "ops").await;

    let reply = app
        .post_form(
            "/login",
            &[("name", "ops"), ("password", PASSWORD), ("csrf", "forged")],
        )
        .await;

    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(cookie(&reply, "chargeplan_session").is_none());
}

#[tokio::test]
async fn after_login_only_local_paths_are_followed() {
    let app = TestApp::new().await;
    operator(&app, "ops").await;

    let reply = log_in(&app, "ops", PASSWORD, "//evil.example/x").await;

    assert_eq!(reply.location.as_deref(), Some("/dashboard"));
}

#[tokio::test]
async fn log_out_needs_the_session_token_and_ends_the_session() {
    let app = TestApp::new().await;
    operator(&app, "ops").await;
    let reply = log_in(&app, "ops", PASSWORD, "/dashboard").await;
    let pair = cookie(&reply, "chargeplan_session").expect("session");
    let id = pair.trim_start_matches("chargeplan_session=").to_owned();
    let hash = chargeplan_web::access::hash_secret(&id);
    let (session, _) = app
        .store
        .find_dashboard_session(&hash, app.clock.now())
        .await
        .expect("lookup")
        .expect("session");
    let post = |csrf: String| {
        Request::post("/logout")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, pair.clone())
            .body(Body::from(format!("csrf={csrf}")))
            .expect("request")
    };

    let forged = app.send(post("forged".into())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let found = app
        .store
        .find_dashboard_session(&hash, app.clock.now())
        .await;
    assert!(
        found.expect("lookup").is_some(),
        "a forged log out changes nothing"
    );

    let out = app.send(post(session.csrf_token)).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let found = app
        .store
        .find_dashboard_session(&hash, app.clock.now())
        .await;
    assert!(found.expect("lookup").is_none());
    let page = app
        .send(
            Request::get("/dashboard")
                .header(header::COOKIE, pair)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "back to the login");
}

/// `GET /dashboard` with the session cookie of `reply`.
async fn dashboard_with(app: &TestApp, reply: &crate::support::Reply) -> StatusCode {
    let pair = cookie(reply, "chargeplan_session").expect("session");
    let request = Request::get("/dashboard")
        .header(header::COOKIE, pair)
        .body(Body::empty())
        .expect("request");
    app.send(request).await.status
}

#[tokio::test]
async fn a_login_lasts_its_hours_of_real_time_while_the_garage_clock_runs_ahead() {
    let mut app = TestApp::new().await;
    operator(&app, "ops").await;
    // As in the demo: the garage's clock runs sped up, people's time does not.
    let wall = std::sync::Arc::new(chargeplan_core::ManualClock::new(app.clock.now()));
    app.state.wall_clock = wall.clone();
    let reply = log_in(&app, "ops", PASSWORD, "/dashboard").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    app.clock.advance(Duration::hours(13));
    assert_eq!(
        dashboard_with(&app, &reply).await,
        StatusCode::OK,
        "13 garage hours are minutes of real time"
    );

    wall.advance(Duration::hours(13));
    assert_ne!(
        dashboard_with(&app, &reply).await,
        StatusCode::OK,
        "the 12-hour login ends on real time"
    );
}
