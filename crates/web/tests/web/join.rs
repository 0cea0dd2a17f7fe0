//! Self-registration: the join form, the texted code, and the participant it creates.

use axum::http::StatusCode;
use chargeplan_core::{Clock as _, PhoneNumber, TokenUid};
use chrono::Duration;

use crate::support::{SITE, SITE_NAME, TestApp, hidden_value, site_id};

/// As a driver types it; stored as `+14155550101`.
pub const TYPED_PHONE: &str = "(415) 555-0101";
pub const PHONE: &str = "+14155550101";

/// A registration waiting for its code.
pub struct Pending {
    /// `/join/verify/{id}`.
    pub path: String,
    /// The code form as shown.
    pub page: String,
    /// The code from the SMS (`None` when no SMS was queued).
    pub code: Option<String>,
}

/// Fills in the join form and follows the redirect to the code form.
pub async fn begin(app: &TestApp, phone: &str, tokens: &str, wh_per_mile: &str) -> Pending {
    let posted = app
        .post_form(
            &format!("/join/{SITE}"),
            &[
                ("phone", phone),
                ("tokens", tokens),
                ("wh_per_mile", wh_per_mile),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let location = posted.location.expect("redirect");
    let shown = app.get(&location).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let messages = app.new_messages().await;
    assert!(messages.len() <= 1, "{messages:?}");
    let code = messages.first().map(|m| {
        m.body
            .split_whitespace()
            .map(|w| w.trim_end_matches('.'))
            .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .expect("a six-digit code in the SMS")
            .to_owned()
    });
    Pending {
        path: location.split('?').next().expect("path").to_owned(),
        page: shown.body,
        code,
    }
}

/// Submits `code` with the hidden fields of the code form.
pub async fn enter(app: &TestApp, pending: &Pending, code: &str) -> crate::support::Reply {
    let tokens = hidden_value(&pending.page, "tokens");
    let wh_per_mile = hidden_value(&pending.page, "wh_per_mile");
    app.post_form(
        &pending.path,
        &[
            ("code", code),
            ("tokens", &tokens),
            ("wh_per_mile", &wh_per_mile),
        ],
    )
    .await
}

/// A six-digit code that is not `code`.
pub fn other_than(code: &str) -> String {
    let n: u32 = code.parse().expect("digits");
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_join_form_asks_for_phone_cards_and_efficiency_with_labels() {
    let app = TestApp::new().await;

    let page = app.get(&format!("/join/{SITE}")).await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("Register at {SITE_NAME}")));
    for (id, label) in [
        ("phone", "Mobile number"),
        ("tokens", "Charging card or app number"),
        ("wh_per_mile", "Wh per mile"),
    ] {
        assert!(page.body.contains(&format!("<label for=\"{id}\">")), "{id}");
        assert!(page.body.contains(label), "{label}");
    }
    assert!(page.body.contains("type=\"tel\""));
    assert!(!page.body.contains("<script"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_registers_with_the_code_we_text_them() {
    let app = TestApp::new().await;

    let pending = begin(&app, TYPED_PHONE, "card-1, app-2", "250").await;
    let code = pending.code.clone().expect("a code was texted");
    let done = enter(&app, &pending, &code).await;

    assert!(pending.page.contains("+•••••••••01"), "{}", pending.page);
    assert!(pending.page.contains("If this number can register"));
    assert!(!pending.page.contains("4155550101"));
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body
            .contains("You're registered at Test Site. Plug in and we'll text you."),
        "{}",
        done.body
    );
    let participants = app.participants().await;
    assert_eq!(participants.len(), 1);
    let p = &participants[0];
    assert_eq!(p.phone, PhoneNumber::parse(PHONE).expect("phone"));
    assert_eq!(
        p.token_uids,
        [
            TokenUid::parse("CARD-1").expect("uid"),
            TokenUid::parse("APP-2").expect("uid")
        ]
    );
    assert_eq!(p.wh_per_mile.get(), 250.0);
    let id = pending.path.rsplit('/').next().expect("id");
    let verification = app
        .store
        .get_phone_verification(id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(verification.verified_at, Some(app.clock.now()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sms_carries_the_code_and_goes_to_the_normalised_number_once() {
    let app = TestApp::new().await;
    let posted = app
        .post_form(
            &format!("/join/{SITE}"),
            &[("phone", "415.555.0101"), ("tokens", "card-1")],
        )
        .await;

    let messages = app.new_messages().await;

    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(messages.len(), 1);
    let sms = &messages[0];
    assert_eq!(sms.recipient.as_e164(), PHONE);
    assert_eq!(sms.site_id, Some(site_id()));
    assert!(
        sms.body
            .starts_with("Your code to register at Test Site is "),
        "{}",
        sms.body
    );
    assert!(sms.body.ends_with("It expires in 10 minutes."));
    let id = posted.location.expect("redirect");
    let id = id
        .trim_start_matches("/join/verify/")
        .split('?')
        .next()
        .expect("id");
    assert_eq!(sms.idempotency_key, format!("verify:{id}"));
    assert_eq!(id.len(), 22, "128 random bits in URL-safe base64");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_code_cannot_register_twice() {
    let app = TestApp::new().await;
    let pending = begin(&app, TYPED_PHONE, "card-1", "").await;
    let code = pending.code.clone().expect("code");
    assert_eq!(enter(&app, &pending, &code).await.status, StatusCode::OK);

    let again = enter(&app, &pending, &code).await;

    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("already been used"));
    assert!(again.body.contains("Start again"));
    assert_eq!(app.participants().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_sends_the_driver_back_to_the_start() {
    let app = TestApp::new().await;
    let pending = begin(&app, TYPED_PHONE, "card-1", "").await;
    let code = pending.code.clone().expect("code");

    app.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let late = enter(&app, &pending, &code).await;
    let page = app.get(&pending.path).await;

    assert_eq!(late.status, StatusCode::GONE);
    assert!(late.body.contains("expired"), "{}", late.body);
    assert!(late.body.contains(&format!("href=\"/join/{SITE}\"")));
    assert_eq!(page.status, StatusCode::GONE);
    assert!(app.participants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_sites_and_verifications_are_not_found() {
    let app = TestApp::new().await;

    let site = app.get("/join/nowhere").await;
    let bad_site = app.get("/join/no%20where").await;
    let verification = app.get("/join/verify/AAAAAAAAAAAAAAAAAAAAAA").await;
    let malformed = app.post_form("/join/verify/x", &[("code", "123456")]).await;

    assert_eq!(site.status, StatusCode::NOT_FOUND);
    assert_eq!(bad_site.status, StatusCode::NOT_FOUND);
    assert_eq!(verification.status, StatusCode::NOT_FOUND);
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
}
