//! Member IDs and plates on every registration path: the operator API (shown, unique, kept
//! on replace; plates validated by field), self-registration, the driver's page and the
//! dashboard's participants page.

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use chargeplan_core::MemberId;
use chargeplan_store::OperatorRole;
use serde_json::{Value, json};

use crate::dashboard::{add_operator, admin, get, session_for};
use crate::driver_link::plugged_in;
use crate::join::{PHONE, TYPED_PHONE, begin, enter};
use crate::support::{ADMIN_TOKEN, SITE, TestApp};

const LIST: &str = "/api/v1/sites/s1/participants";

async fn create(app: &TestApp, body: Value) -> crate::support::Reply {
    app.api(Method::POST, LIST, Some(ADMIN_TOKEN), Some(body))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_participant_has_a_member_id_that_a_replace_keeps() {
    let app = TestApp::new().await;

    let created = create(
        &app,
        json!({"phone": "+14155550101", "token_uids": ["A"], "plate": "7abc123", "plate_region": "CA"}),
    )
    .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let view = created.json();
    let member_id = view["member_id"].as_str().expect("member_id").to_owned();
    MemberId::parse(&member_id).expect("a valid member ID");
    assert_eq!(view["plate"], json!("7ABC123"));
    assert_eq!(view["plate_region"], json!("CA"));
    let path = format!("{LIST}/{}", view["id"].as_str().expect("id"));
    let replaced = app
        .api(
            Method::PUT,
            &path,
            Some(ADMIN_TOKEN),
            Some(json!({"phone": "+14155550101", "token_uids": ["B"]})),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.json()["member_id"], json!(member_id));
    assert_eq!(replaced.json()["plate"], Value::Null);
    let listed = app.api(Method::GET, LIST, Some(ADMIN_TOKEN), None).await;
    assert_eq!(
        listed.json()["participants"][0]["member_id"],
        json!(member_id)
    );
    let stored = app.participants().await;
    assert_eq!(stored[0].member_id.as_str(), member_id);
    assert_eq!(stored[0].plate, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_new_participant_gets_a_different_member_id() {
    let app = TestApp::new().await;
    let mut seen = HashSet::new();

    for n in 0..25 {
        let reply = create(
            &app,
            json!({"phone": format!("+141555502{n:02}"), "token_uids": [format!("T{n}")]}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        seen.insert(reply.json()["member_id"].as_str().expect("id").to_owned());
    }

    assert_eq!(seen.len(), 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_plate_is_refused_naming_its_field_and_stores_nothing() {
    let app = TestApp::new().await;
    let base = |extra: Value| {
        let mut body = json!({"phone": "+14155550101", "token_uids": ["A"]});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (base(json!({"plate": ""})), "plate"),
        (base(json!({"plate": "ABCDEFGHIJKLMNOP"})), "plate"),
        (base(json!({"plate": "--"})), "plate"),
        (
            base(json!({"plate": "7ABC123", "plate_region": "x".repeat(41)})),
            "plate_region",
        ),
        (base(json!({"plate_region": "CA"})), "plate_region"),
        (base(json!({"member_id": "K7QX2M"})), ""),
    ];

    for (sent, field) in cases {
        let reply = create(&app, sent.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{sent}");
        let error = &reply.json()["error"];
        if field.is_empty() {
            assert_eq!(error["field"], Value::Null, "{sent}: {error}");
        } else {
            assert_eq!(error["field"], json!(field), "{sent}: {error}");
        }
    }
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_registration_gives_the_driver_a_member_id_and_their_sticker() {
    let app = TestApp::new().await;
    let pending = begin(&app, TYPED_PHONE, "RFID-9", "").await;

    let reply = enter(&app, &pending, pending.code.as_deref().expect("code")).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let stored = app.participants().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].phone.as_e164(), PHONE);
    let id = stored[0].member_id.as_str();
    assert!(
        reply
            .body
            .contains(&format!("Your member ID: <strong>{id}</strong>")),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains(&format!("href=\"/sticker/{id}\"")),
        "{}",
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drivers_page_shows_their_member_id_and_links_to_the_sticker() {
    let app = TestApp::new().await;
    let (_, path) = plugged_in(&app).await;
    let id = app.participants().await[0].member_id.clone();

    let page = app.get(&path).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("Your member ID: <strong>{id}</strong>")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("href=\"/sticker/{id}\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_lists_participants_by_alias_and_member_id_with_their_stickers() {
    let app = TestApp::new().await;
    let alice = app.add_participant(SITE, "+14155550101", &["A"]).await;
    let bob = app.add_participant(SITE, "+14155550102", &["B"]).await;
    let login = admin(&app).await;

    let page = get(&app, "/dashboard/sites/s1/participants", &login).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for p in [&alice, &bob] {
        let id = p.member_id.as_str();
        assert!(
            page.body.contains(&format!("<code>{id}</code>")),
            "{}",
            page.body
        );
        assert!(page.body.contains(&format!("href=\"/sticker/{id}\"")));
    }
    assert!(
        !page.body.contains("555010"),
        "no phone number: {}",
        page.body
    );
    let overview = get(&app, "/dashboard/sites/s1", &login).await;
    assert!(
        overview
            .body
            .contains("href=\"/dashboard/sites/s1/participants\""),
        "the nav links to it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_operator_sees_no_participants_of_a_site_not_granted() {
    let app = TestApp::new().await;
    app.add_site("s2", "Other Site").await;
    app.add_participant("s2", "+14155550101", &["A"]).await;
    let operator = add_operator(&app, "sam", OperatorRole::SiteOperator, &[SITE], None).await;
    let login = session_for(&app, &operator).await;

    let other = get(&app, "/dashboard/sites/s2/participants", &login).await;
    let own = get(&app, "/dashboard/sites/s1/participants", &login).await;

    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.contains("Nobody has registered at this site yet."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_member_id_and_the_plate() {
    let app = TestApp::new().await;

    let document = app.get("/api/v1/openapi.json").await.json();

    let schemas = &document["components"]["schemas"];
    let view = &schemas["ParticipantView"]["properties"];
    let body = &schemas["ParticipantBody"]["properties"];
    for field in ["member_id", "plate", "plate_region"] {
        assert!(view.get(field).is_some(), "ParticipantView.{field}: {view}");
    }
    for field in ["plate", "plate_region"] {
        assert!(body.get(field).is_some(), "ParticipantBody.{field}: {body}");
    }
    assert!(
        body.get("member_id").is_none(),
        "the member ID is not settable"
    );
    let required = schemas["ParticipantView"]["required"].to_string();
    assert!(required.contains("member_id"), "{required}");
}
