//! Self-registration's limits: wrong codes, the hourly limit, invalid forms, registered
//! numbers and cards that belong to someone else.

use axum::http::StatusCode;
use chargeplan_core::{Clock as _, PhoneNumber};
use chrono::Duration;

use crate::join::{PHONE, TYPED_PHONE, begin, enter, other_than};
use crate::support::{SITE, TestApp, site_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_count_down_and_the_fifth_locks_the_verification() {
    let app = TestApp::new().await;
    let pending = begin(&app, TYPED_PHONE, "card-1", "").await;
    let code = pending.code.clone().expect("code");
    let wrong = other_than(&code);

    let mut answers = Vec::new();
    for _ in 0..5 {
        answers.push(enter(&app, &pending, &wrong).await);
    }
    let right_too_late = enter(&app, &pending, &code).await;

    for (answer, left) in answers
        .iter()
        .zip(["4 more times", "3 more", "2 more", "once more"])
    {
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer.body.contains("That code is not right"),
            "{}",
            answer.body
        );
        assert!(answer.body.contains(left), "{left}: {}", answer.body);
        assert!(answer.body.contains("aria-invalid=\"true\""));
    }
    assert_eq!(answers[4].status, StatusCode::GONE);
    assert!(
        answers[4].body.contains("too many times"),
        "{}",
        answers[4].body
    );
    assert_eq!(right_too_late.status, StatusCode::GONE);
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_that_is_not_six_digits_is_an_inline_error_that_costs_no_attempt() {
    let app = TestApp::new().await;
    let pending = begin(&app, TYPED_PHONE, "card-1", "").await;

    let answer = enter(&app, &pending, "12ab").await;

    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("Enter the 6-digit code"));
    let id = pending.path.rsplit('/').next().expect("id");
    let verification = app.store.get_phone_verification(id).await.expect("read");
    assert_eq!(verification.expect("stored").attempts, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_hidden_fields_are_checked_again_and_register_nobody() {
    let app = TestApp::new().await;
    let pending = begin(&app, TYPED_PHONE, "card-1", "").await;
    let code = pending.code.clone().expect("code");

    let answer = app
        .post_form(
            &pending.path,
            &[("code", &code), ("tokens", ""), ("wh_per_mile", "300")],
        )
        .await;

    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("Start again"));
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fourth_code_within_an_hour_is_refused_with_429() {
    let app = TestApp::new().await;
    for _ in 0..3 {
        begin(&app, TYPED_PHONE, "card-1", "").await;
    }

    let fourth = app
        .post_form(
            &format!("/join/{SITE}"),
            &[("phone", PHONE), ("tokens", "card-1")],
        )
        .await;
    let texted = app.new_messages().await;
    app.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let next_hour = begin(&app, TYPED_PHONE, "card-1", "").await;

    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fourth.body.contains("wait an hour"), "{}", fourth.body);
    assert!(texted.is_empty());
    assert!(next_hour.code.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_form_shows_every_error_inline_and_stores_nothing() {
    let app = TestApp::new().await;

    let all_wrong = app
        .post_form(
            &format!("/join/{SITE}"),
            &[
                ("phone", "555-01"),
                ("tokens", " , "),
                ("wh_per_mile", "5000"),
            ],
        )
        .await;
    let good_phone = app
        .post_form(
            &format!("/join/{SITE}"),
            &[
                ("phone", PHONE),
                ("tokens", "card-1"),
                ("wh_per_mile", "fast"),
            ],
        )
        .await;

    assert_eq!(all_wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        all_wrong
            .body
            .contains("<title>Error: Register at Test Site</title>")
    );
    for id in ["phone", "tokens", "wh_per_mile"] {
        assert!(
            all_wrong.body.contains(&format!("id=\"{id}-error\"")),
            "{id}"
        );
        assert!(all_wrong.body.contains(&format!("href=\"#{id}\"")), "{id}");
    }
    assert!(
        all_wrong.body.contains("value=\"555-01\""),
        "typed values are kept"
    );
    assert_eq!(good_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(good_phone.body.contains("id=\"wh_per_mile-error\""));
    assert!(!good_phone.body.contains("id=\"phone-error\""));
    let phone = PhoneNumber::parse(PHONE).expect("phone");
    let since = app.clock.now() - Duration::days(1);
    let count = app
        .store
        .count_phone_verifications(&site_id(), &phone, since)
        .await
        .expect("count");
    assert_eq!(count, 0);
    assert!(app.new_messages().await.is_empty());
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_number_gets_the_same_answer_but_no_code() {
    let app = TestApp::new().await;
    app.add_participant(SITE, PHONE, &["OLD-CARD"]).await;

    let pending = begin(&app, TYPED_PHONE, "card-1", "").await;

    assert!(pending.code.is_none(), "no SMS to a registered number");
    assert!(pending.page.contains("If this number can register"));
    assert!(!pending.page.contains("already registered"));
    assert_eq!(app.participants().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_registered_to_someone_else_is_named_and_nothing_is_stored() {
    let app = TestApp::new().await;
    app.add_participant(SITE, "+14155550199", &["RFID-1"]).await;
    let pending = begin(&app, TYPED_PHONE, "card-1 rfid-1", "").await;
    let code = pending.code.clone().expect("code");

    let answer = enter(&app, &pending, &code).await;

    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(
        answer.body.contains("RFID-1 is registered to someone else"),
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("4155550199"));
    assert_eq!(app.participants().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_sends_at_most_sixty_codes_an_hour_whatever_the_numbers() {
    let app = TestApp::new().await;
    for n in 0..60 {
        let phone = format!("+1415555{:04}", 2000 + n);
        let answer = app
            .post_form(
                &format!("/join/{SITE}"),
                &[("phone", &phone), ("tokens", "card-1")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "code {n}");
    }
    app.new_messages().await;

    let sixty_first = app
        .post_form(
            &format!("/join/{SITE}"),
            &[("phone", "+14155553000"), ("tokens", "card-1")],
        )
        .await;
    let texted = app.new_messages().await;

    assert_eq!(sixty_first.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        sixty_first.body.contains("as many codes as we allow"),
        "{}",
        sixty_first.body
    );
    assert!(texted.is_empty());
}
