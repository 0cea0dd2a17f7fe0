//! The operator API's participants routes: authentication, CRUD, validation, site scoping.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_TOKEN, SITE, TestApp};

const LIST: &str = "/api/v1/sites/s1/participants";

fn body(phone: &str, tokens: &[&str]) -> Value {
    json!({"phone": phone, "token_uids": tokens, "wh_per_mile": 280})
}

async fn create(app: &TestApp, path: &str, body: Value) -> crate::support::Reply {
    app.api(Method::POST, path, Some(ADMIN_TOKEN), Some(body))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_admin_token_are_unauthorized() {
    let app = TestApp::new().await;

    let missing = app.api(Method::GET, LIST, None, None).await;
    let wrong = app.api(Method::GET, LIST, Some("guess"), None).await;
    let wrong_create = app
        .api(
            Method::POST,
            LIST,
            Some("guess"),
            Some(body("+14155550101", &["A"])),
        )
        .await;

    for reply in [&missing, &wrong, &wrong_create] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.json()["error"]["message"].is_string());
        assert_eq!(reply.json()["error"]["field"], Value::Null);
    }
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_configured_bootstrap_token_that_token_is_just_unknown() {
    let mut app = TestApp::new().await;
    app.state.admin_token_hash = None;

    let reply = app.api(Method::GET, LIST, Some(ADMIN_TOKEN), None).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("chargeplan token create")),
        "{}",
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_creates_reads_replaces_and_deletes_a_participant() {
    let app = TestApp::new().await;

    let created = create(&app, LIST, body("+14155550101", &["card-1", "app-2"])).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let participant = created.json();
    let id = participant["id"].as_str().expect("id").to_owned();
    let one = format!("{LIST}/{id}");
    assert_eq!(created.location.as_deref(), Some(one.as_str()));
    assert_eq!(participant["phone"], "+14155550101");
    assert_eq!(participant["site_id"], SITE);
    assert_eq!(participant["token_uids"], json!(["CARD-1", "APP-2"]));
    assert_eq!(participant["wh_per_mile"], 280.0);

    let list = app.api(Method::GET, LIST, Some(ADMIN_TOKEN), None).await;
    assert_eq!(list.status, StatusCode::OK);
    let listed = &list.json()["participants"];
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["phone"], "+•••••••••01");
    assert!(!list.body.contains("4155550101"));

    let shown = app.api(Method::GET, &one, Some(ADMIN_TOKEN), None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.json()["phone"], "+14155550101");

    let replacement = json!({"phone": "+14155550102", "token_uids": ["card-9"]});
    let replaced = app
        .api(Method::PUT, &one, Some(ADMIN_TOKEN), Some(replacement))
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.json()["phone"], "+•••••••••02");
    let shown = app
        .api(Method::GET, &one, Some(ADMIN_TOKEN), None)
        .await
        .json();
    assert_eq!(shown["phone"], "+14155550102");
    assert_eq!(shown["token_uids"], json!(["CARD-9"]));
    assert_eq!(
        shown["wh_per_mile"], 300.0,
        "a PUT replaces; the default applies"
    );
    assert_eq!(shown["created_at"], participant["created_at"]);

    let deleted = app.api(Method::DELETE, &one, Some(ADMIN_TOKEN), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.api(Method::GET, &one, Some(ADMIN_TOKEN), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_name_the_field_and_store_nothing() {
    let app = TestApp::new().await;
    let cases = [
        (body("+1 555", &["A"]), Some("phone")),
        (json!({"token_uids": ["A"]}), Some("phone")),
        (body("+14155550101", &[]), Some("token_uids")),
        (body("+14155550101", &["has space"]), Some("token_uids")),
        (
            json!({"phone": "+14155550101", "token_uids": ["A"], "wh_per_mile": 5000}),
            Some("wh_per_mile"),
        ),
        (
            json!({"phone": "+14155550101", "token_uids": ["A"], "tokens": ["B"]}),
            None,
        ),
    ];

    for (sent, field) in cases {
        let reply = create(&app, LIST, sent.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{sent}");
        let error = &reply.json()["error"];
        assert_eq!(error["field"], json!(field), "{sent}: {error}");
        assert!(!error["message"].as_str().unwrap_or_default().is_empty());
    }
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_phone_or_token_is_a_conflict() {
    let app = TestApp::new().await;
    app.add_participant(SITE, "+14155550101", &["RFID-1"]).await;

    let same_phone = create(&app, LIST, body("+14155550101", &["OTHER"])).await;
    let same_token = create(&app, LIST, body("+14155550102", &["rfid-1"])).await;

    assert_eq!(
        same_phone.status,
        StatusCode::CONFLICT,
        "{}",
        same_phone.body
    );
    assert_eq!(
        same_token.status,
        StatusCode::CONFLICT,
        "{}",
        same_token.body
    );
    assert!(
        same_token.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("RFID-1"))
    );
    assert_eq!(app.participants().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_of_another_site_is_not_found() {
    let app = TestApp::new().await;
    app.add_site("s2", "Other Site").await;
    let elsewhere = app.add_participant("s2", "+14155550101", &["RFID-1"]).await;
    let path = format!("{LIST}/{}", elsewhere.id);

    let get = app.api(Method::GET, &path, Some(ADMIN_TOKEN), None).await;
    let put = app
        .api(
            Method::PUT,
            &path,
            Some(ADMIN_TOKEN),
            Some(body("+14155550109", &["X"])),
        )
        .await;
    let delete = app
        .api(Method::DELETE, &path, Some(ADMIN_TOKEN), None)
        .await;
    let unknown_site = app
        .api(
            Method::GET,
            "/api/v1/sites/nowhere/participants",
            Some(ADMIN_TOKEN),
            None,
        )
        .await;

    for reply in [&get, &put, &delete, &unknown_site] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        assert_eq!(reply.json()["error"]["field"], Value::Null);
    }
    let still_there = app
        .store
        .get_participant(&elsewhere.id)
        .await
        .expect("untouched");
    assert_eq!(still_there, elsewhere);
}
