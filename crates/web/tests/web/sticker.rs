//! The public sticker page `/sticker/{member_id}`: the ID, the number to text and the QR link,
//! and nothing else about the member; unknown and malformed IDs get the same plain 404.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chargeplan_core::Plate;
use chargeplan_web::router;
use tower::ServiceExt as _;

use crate::support::{SITE, SITE_NAME, TestApp};

/// The page's text as a person reads it: tags removed, entities of the sentence decoded.
fn visible_text(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sticker_shows_the_id_the_number_and_a_qr_link_and_no_phone_or_plate() {
    let app = TestApp::new().await;
    let mut member = app.add_participant(SITE, "+14155550199", &["RFID-7"]).await;
    member.plate = Some(Plate::parse("8XYZ789", Some("Nevada")).expect("plate"));
    app.store
        .update_participant(&member)
        .await
        .expect("plate stored");
    let id = member.member_id.as_str();

    let page = app.get(&format!("/sticker/{id}")).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = visible_text(&page.body);
    assert!(
        text.contains(&format!(
            "Text {id} to +1 555 010 0000 to reach the owner — your number stays private"
        )),
        "{text}"
    );
    assert!(
        page.body
            .contains(&format!("<p class=\"id\" id=\"member-id\">{id}</p>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg class=\"qr-code\""), "a QR code");
    assert!(
        page.body
            .contains(&format!("data-link=\"http://127.0.0.1:8080/c/{id}\"")),
        "the code links to the contact page: {}",
        page.body
    );
    assert!(!page.body.contains("sms:"), "not an sms: URI");
    for private in [
        "4155550199",
        "555 0199",
        "0199",
        "8XYZ789",
        "Nevada",
        "RFID-7",
        SITE_NAME,
    ] {
        assert!(!page.body.contains(private), "{private} on the sticker");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_public_number_the_sticker_says_to_scan_the_code() {
    let app = TestApp::new().await;
    let member = app.add_participant(SITE, "+14155550101", &["A"]).await;
    let mut state = app.state.clone();
    state.public_sms_number = None;

    let response = router(state)
        .oneshot(
            Request::get(format!("/sticker/{}", member.member_id))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");

    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let html = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    assert!(html.contains("Scan the code to reach the owner"), "{html}");
    assert!(!html.contains("Text "), "{html}");
    assert!(!html.contains("+1 555"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_malformed_member_id_gets_the_same_plain_not_found_page() {
    let app = TestApp::new().await;
    app.add_participant(SITE, "+14155550101", &["A"]).await;

    let unknown = app.get("/sticker/ZZ99ZZ").await;
    let malformed = app.get("/sticker/not-an-id").await;
    let look_alike = app.get("/sticker/K0QX2M").await;

    for reply in [&unknown, &malformed, &look_alike] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        assert!(
            reply.body.contains("<h1>Sticker not found</h1>"),
            "{}",
            reply.body
        );
        assert!(!reply.body.contains("<svg"), "{}", reply.body);
    }
    assert_eq!(unknown.body, malformed.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_id_is_read_in_any_case_on_the_sticker_route() {
    let app = TestApp::new().await;
    let member = app.add_participant(SITE, "+14155550101", &["A"]).await;

    let page = app
        .get(&format!(
            "/sticker/{}",
            member.member_id.as_str().to_lowercase()
        ))
        .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(member.member_id.as_str()));
}
