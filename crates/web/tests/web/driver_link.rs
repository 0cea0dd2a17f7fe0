//! The driver's page behind the Welcome SMS link (`/r/{token}`, in `src/driver.rs`).

use axum::http::StatusCode;
use chargeplan_control::{ControlConfig, conversation};
use chargeplan_core::{
    Clock as _, KilowattHours, PortId, Session, SessionId, SessionStatus, TokenUid,
};
use chargeplan_store::Effects;
use chrono::Duration;

use crate::support::{SITE, TestApp, kw, site_id, vendor};

/// A participant's car plugged in, and the path of the link in its Welcome SMS.
pub async fn plugged_in(app: &TestApp) -> (Session, String) {
    app.add_participant(SITE, "+14155550101", &["RFID-1"]).await;
    let session = Session {
        id: SessionId::generate(),
        site_id: site_id(),
        vendor_account: vendor(),
        vendor_session_id: "v1".to_owned(),
        port_id: Some(PortId::parse("s1-p1").expect("id")),
        token_uid: Some(TokenUid::parse("RFID-1").expect("uid")),
        started_at: app.clock.now(),
        ended_at: None,
        energy: KilowattHours::ZERO,
        power: kw(0.0),
        status: SessionStatus::Active,
        vendor_updated_at: app.clock.now(),
    };
    let (_, session) = app
        .store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session");
    let site = app.store.get_site(&site_id()).await.expect("site");
    // The control loop may have welcomed the session first; there is one welcome either way.
    conversation::welcome(
        app.store.as_ref(),
        &site,
        &session,
        &ControlConfig::default(),
        app.clock.now(),
    )
    .await
    .expect("welcome");
    let messages = app.new_messages().await;
    let welcome = messages
        .iter()
        .find(|m| m.body.starts_with("Welcome to Test Site."))
        .expect("a welcome SMS");
    let path = welcome.body.find("/r/").map(|at| &welcome.body[at..]);
    (session, path.expect("a link").to_owned())
}

/// A request for 20 kWh by 13:00, four hours after the test's 09:00.
async fn ask(app: &TestApp, path: &str) -> crate::support::Reply {
    app.post_form(
        path,
        &[("departure", "13:00"), ("amount", "20"), ("unit", "kwh")],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_or_malformed_tokens_are_not_found() {
    let app = TestApp::new().await;
    let unknown = format!("/r/{}", "A".repeat(43));

    let replies = [
        app.get("/r/short").await,
        app.get(&unknown).await,
        app.post_form("/r/short", &[("departure", "13:00")]).await,
        app.post_form(&unknown, &[("departure", "13:00")]).await,
    ];

    for reply in replies {
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.body.contains("This link is no longer valid"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_welcome_link_shows_the_request_form() {
    let app = TestApp::new().await;
    let (_, path) = plugged_in(&app).await;

    let page = app.get(&path).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("action=\"{path}\"")));
    assert!(page.body.contains("When do you leave?"));
    assert!(page.body.contains("How much do you need?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_request_is_refused_inline_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let (session, path) = plugged_in(&app).await;

    let reply = app
        .post_form(
            &path,
            &[("departure", "25:99"), ("amount", "lots"), ("unit", "kwh")],
        )
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("id=\"departure-error\""),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("id=\"amount-error\""));
    let stored = app.store.latest_request(&session.id).await.expect("read");
    assert_eq!(stored, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_request_is_planned_and_its_projection_shown() {
    let app = TestApp::new().await;
    let (session, path) = plugged_in(&app).await;

    let saved = ask(&app, &path).await;
    let page = app.get(saved.location.as_deref().expect("redirect")).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location, Some(format!("{path}?saved=1")));
    let request = app.store.latest_request(&session.id).await.expect("read");
    let request = request.expect("stored");
    assert_eq!(request.revision, 1);
    assert_eq!(request.departure, app.clock.now() + Duration::hours(4));
    assert_eq!(page.status, StatusCode::OK);
    // The notice says it was saved; the projection box, once, what the plan promises.
    assert!(page.body.contains(">Saved.</p>"), "{}", page.body);
    assert_eq!(
        page.body.matches("You'll have ~20 kWh by 13:00.").count(),
        1,
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"projection\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_of_the_request_is_a_new_revision() {
    let app = TestApp::new().await;
    let (session, path) = plugged_in(&app).await;
    assert_eq!(ask(&app, &path).await.status, StatusCode::SEE_OTHER);

    let changed = app
        .post_form(&path, &[("departure", "15:30"), ("max", "on")])
        .await;

    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let history = app.store.request_history(&session.id).await.expect("read");
    let revisions: Vec<u32> = history.iter().map(|r| r.revision).collect();
    assert_eq!(revisions, [1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_works_until_the_grace_after_the_session_ended() {
    let app = TestApp::new().await;
    let (session, path) = plugged_in(&app).await;
    app.clock.advance(Duration::minutes(30));
    let ended = Session {
        ended_at: Some(app.clock.now()),
        status: SessionStatus::Completed,
        vendor_updated_at: app.clock.now(),
        ..session
    };
    app.store
        .upsert_session(&ended, &Effects::none())
        .await
        .expect("ended");

    let within_grace = app.get(&path).await;
    let late_change = ask(&app, &path).await;
    app.clock
        .advance(ControlConfig::default().link_grace + Duration::minutes(1));
    let after_grace = app.get(&path).await;
    let post_after_grace = ask(&app, &path).await;

    assert_eq!(within_grace.status, StatusCode::OK);
    assert!(
        within_grace
            .body
            .contains("This charging session has ended.")
    );
    assert_eq!(late_change.status, StatusCode::CONFLICT);
    assert_eq!(after_grace.status, StatusCode::NOT_FOUND);
    assert_eq!(post_after_grace.status, StatusCode::NOT_FOUND);
    let stored = app.store.latest_request(&ended.id).await.expect("read");
    assert_eq!(stored, None);
}
