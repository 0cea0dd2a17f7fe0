//! `/c/{ID}`: a waiting driver writes to the owner of a member ID, proves their phone with a
//! texted code, and the relay opens the thread — neither side seeing the other's number.

use axum::http::StatusCode;

use crate::support::{TestApp, hidden_value};

const OWNER: &str = "+14155550101";
const WAITER: &str = "+14155550199";

fn code_in(body: &str) -> String {
    body.split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .expect("a six-digit code in the SMS")
        .to_owned()
}

#[tokio::test]
async fn a_waiting_driver_verified_by_a_code_reaches_the_owner_without_either_number_shown() {
    let app = TestApp::new().await;
    let owner = app.add_participant("s1", OWNER, &["RFID-1"]).await;
    let member = owner.member_id.to_string();

    let page = app.get(&format!("/c/{}", member.to_lowercase())).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Reach the owner of"), "{}", page.body);
    assert!(
        !page.body.contains("0101"),
        "the owner's number never shows"
    );

    let asked = app
        .post_form(
            &format!("/c/{member}"),
            &[
                ("message", "are you leaving soon?"),
                ("phone", "415 555 0199"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let texts = app.new_messages().await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0].recipient.as_e164(), WAITER);
    let code = code_in(&texts[0].body);
    let verification = hidden_value(&asked.body, "verification");
    assert!(!asked.body.contains(&code), "the code is only in the text");

    let sent = app
        .post_form(
            &format!("/c/{member}/verify"),
            &[
                ("verification", &verification),
                ("code", &code),
                ("message", "are you leaving soon?"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Message sent"), "{}", sent.body);
    let texts = app.new_messages().await;
    let to_owner: Vec<_> = texts
        .iter()
        .filter(|m| m.recipient.as_e164() == OWNER)
        .collect();
    assert_eq!(to_owner.len(), 1, "{texts:?}");
    assert!(
        to_owner[0].body.contains("Someone is waiting"),
        "{}",
        to_owner[0].body
    );
    assert!(
        to_owner[0].body.contains("are you leaving soon?"),
        "{}",
        to_owner[0].body
    );
    assert!(
        !to_owner[0].body.contains("0199"),
        "the waiter's number stays private"
    );
    assert!(
        texts.iter().any(|m| m.recipient.as_e164() == WAITER),
        "a receipt with the code"
    );

    let again = app
        .post_form(
            &format!("/c/{member}/verify"),
            &[
                ("verification", &verification),
                ("code", &code),
                ("message", "x"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::GONE,
        "a code works once: {}",
        again.body
    );
}

#[tokio::test]
async fn unknown_ids_get_the_same_page_and_bad_input_a_clear_answer() {
    let app = TestApp::new().await;
    let owner = app.add_participant("s1", OWNER, &["RFID-1"]).await;
    let member = owner.member_id.to_string();
    let known = app.get(&format!("/c/{member}")).await;
    let unknown = app.get("/c/Q8RR8R").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(
        known.body.replace(&member, "ID"),
        unknown.body.replace("Q8RR8R", "ID")
    );
    assert_eq!(app.get("/c/not-an-id").await.status, StatusCode::NOT_FOUND);

    let bad = app
        .post_form(
            &format!("/c/{member}"),
            &[("message", "hi"), ("phone", "12")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = "x".repeat(301);
    let too_long = app
        .post_form(
            &format!("/c/{member}"),
            &[("message", &long), ("phone", "415 555 0199")],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.new_messages().await.is_empty(),
        "nothing texted for bad input"
    );

    let asked = app
        .post_form(
            &format!("/c/{member}"),
            &[("message", "hi"), ("phone", "415 555 0199")],
        )
        .await;
    let verification = hidden_value(&asked.body, "verification");
    app.new_messages().await;
    let wrong = app
        .post_form(
            &format!("/c/{member}/verify"),
            &[
                ("verification", &verification),
                ("code", "000000"),
                ("message", "hi"),
            ],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("not right"), "{}", wrong.body);
    assert!(
        app.new_messages().await.is_empty(),
        "a wrong code reaches nobody"
    );
}

/// Sends a code for a message to `member` from `WAITER` (asking to join the waitlist too) and
/// answers it; returns the final page.
async fn contact_and_join(app: &TestApp, member: &str) -> crate::support::Reply {
    let asked = app
        .post_form(
            &format!("/c/{member}"),
            &[
                ("message", "done soon?"),
                ("phone", "415 555 0199"),
                ("waitlist", "1"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains(r#"name="waitlist" value="1""#),
        "the wish to join is carried to the code form: {}",
        asked.body
    );
    let code = code_in(&app.new_messages().await[0].body);
    let verification = hidden_value(&asked.body, "verification");
    app.post_form(
        &format!("/c/{member}/verify"),
        &[
            ("verification", &verification),
            ("code", &code),
            ("message", "done soon?"),
            ("waitlist", "1"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_contact_page_can_also_put_the_waiting_driver_on_the_owners_site_waitlist() {
    let app = TestApp::new().await;
    let owner = app.add_participant("s1", OWNER, &["RFID-1"]).await;
    let member = owner.member_id.to_string();

    let sent = contact_and_join(&app, &member).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("you are on it"), "{}", sent.body);
    let line = app
        .state
        .store
        .list_waitlist(&crate::support::site_id())
        .await
        .expect("line");
    assert_eq!(line.len(), 1);
    assert_eq!(line[0].phone.as_e164(), WAITER);
    let texts = app.new_messages().await;
    assert!(
        texts
            .iter()
            .any(|m| m.recipient.as_e164() == WAITER && m.body.contains("waitlist")),
        "the place in line is texted: {texts:?}"
    );

    // An ID that is nobody's: the same words, and no list is joined.
    let fresh = TestApp::new().await;
    let unknown = contact_and_join(&fresh, "Q8RR8R").await;
    assert_eq!(unknown.status, StatusCode::OK, "{}", unknown.body);
    assert!(unknown.body.contains("you are on it"), "{}", unknown.body);
    assert!(
        fresh
            .state
            .store
            .list_waitlist(&crate::support::site_id())
            .await
            .expect("line")
            .is_empty()
    );
}
