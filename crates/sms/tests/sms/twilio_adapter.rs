//! The Twilio adapter against the fake Messages API.

use std::time::Duration;

use chargeplan_sms::{OutgoingSms, SendError, Sender, SmsGateway, TwilioGateway};
use secrecy::SecretString;

use crate::harness::{ACCOUNT_SID, AUTH_TOKEN, DRIVER, OUR_NUMBER, World, phone};

fn text(to: &str, body: &str) -> OutgoingSms {
    OutgoingSms {
        to: phone(to),
        body: body.to_owned(),
        idempotency_key: "k-1".to_owned(),
    }
}

#[tokio::test]
async fn a_text_is_posted_with_basic_auth_and_every_form_field() {
    let world = World::start().await;
    let gateway = world.gateway();

    let sent = gateway
        .send(&text(
            DRIVER,
            "Welcome to Garage & co: https://cp.example/r/x?a=1",
        ))
        .await
        .expect("accepted");

    let messages = world.twilio.sent();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(sent.provider_id, message.sid);
    assert!(sent.provider_id.starts_with("SM") && sent.provider_id.len() == 34);
    assert_eq!(message.to, DRIVER);
    assert_eq!(message.from.as_deref(), Some(OUR_NUMBER));
    assert_eq!(message.messaging_service_sid, None);
    assert_eq!(
        message.body,
        "Welcome to Garage & co: https://cp.example/r/x?a=1"
    );
    assert_eq!(message.status_callback, Some(world.status_url()));
}

#[tokio::test]
async fn a_messaging_service_sender_is_sent_instead_of_from() {
    let world = World::start().await;
    let mut config = world.twilio_config();
    config.sender = Sender::MessagingService("MG0123456789abcdef0123456789abcdef".into());
    config.status_callback_url = None;
    let gateway = TwilioGateway::new(config, reqwest::Client::new());

    gateway.send(&text(DRIVER, "hi")).await.expect("accepted");

    let message = &world.twilio.sent()[0];
    assert_eq!(message.from, None);
    assert_eq!(
        message.messaging_service_sid.as_deref(),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert_eq!(message.status_callback, None);
}

#[tokio::test]
async fn a_wrong_auth_token_is_refused_and_nothing_is_sent() {
    let world = World::start().await;
    let mut config = world.twilio_config();
    config.auth_token = SecretString::from("not-the-token");
    let gateway = TwilioGateway::new(config, reqwest::Client::new());

    let error = gateway.send(&text(DRIVER, "hi")).await.unwrap_err();

    assert!(
        matches!(
            error,
            SendError::Rejected {
                code: Some(20003),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(world.twilio.sent().is_empty());
    assert_eq!(world.twilio.requests(), 1);
}

#[tokio::test]
async fn twilio_errors_become_the_matching_send_errors() {
    let world = World::start().await;
    let gateway = world.gateway();
    let cases: [(&str, u16, u32); 4] = [
        ("+15005550010", 400, 21610),
        ("+15005550011", 400, 21211),
        ("+15005550012", 400, 21614),
        ("+15005550013", 429, 20429),
    ];
    for (number, status, code) in cases {
        world.twilio.fail_number(number, status, code);
    }
    world.twilio.fail_number("+15005550014", 500, 20500);
    world.twilio.fail_number("+15005550015", 400, 21606);

    let mut errors = Vec::new();
    for n in 10..=15 {
        let to = format!("+150055500{n}");
        errors.push(gateway.send(&text(&to, "hi")).await.unwrap_err());
    }

    assert_eq!(errors[0], SendError::OptedOut);
    assert_eq!(errors[1], SendError::InvalidNumber);
    assert_eq!(errors[2], SendError::InvalidNumber);
    assert_eq!(
        errors[3],
        SendError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert!(
        matches!(errors[4], SendError::Transient(_)),
        "{:?}",
        errors[4]
    );
    assert!(
        matches!(
            errors[5],
            SendError::Rejected {
                code: Some(21606),
                ..
            }
        ),
        "{:?}",
        errors[5]
    );
    assert!(world.twilio.sent().is_empty());
}

#[tokio::test]
async fn an_unreachable_twilio_is_a_transient_failure() {
    let world = World::start().await;
    let mut config = world.twilio_config();
    // A port nothing listens on: bind one, then free it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    config.api_base = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let gateway = TwilioGateway::new(config, reqwest::Client::new());

    let error = gateway.send(&text(DRIVER, "hi")).await.unwrap_err();

    assert!(matches!(error, SendError::Transient(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_fake_refuses_what_twilio_refuses() {
    let world = World::start().await;
    let url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        world.twilio.api_base()
    );
    let post = |form: Vec<(&'static str, &'static str)>, token: &'static str| {
        let request = world
            .http
            .post(&url)
            .basic_auth(ACCOUNT_SID, Some(token))
            .form(&form);
        async move {
            let response = request.send().await.expect("answer");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.expect("error JSON");
            (status, body["code"].as_u64())
        }
    };
    let good = vec![("To", DRIVER), ("From", OUR_NUMBER), ("Body", "hi")];

    let unauthenticated = post(good.clone(), "wrong").await;
    let no_to = post(vec![("From", OUR_NUMBER), ("Body", "hi")], AUTH_TOKEN).await;
    let bad_to = post(
        vec![("To", "5005550006"), ("From", OUR_NUMBER), ("Body", "hi")],
        AUTH_TOKEN,
    )
    .await;
    let no_sender = post(vec![("To", DRIVER), ("Body", "hi")], AUTH_TOKEN).await;
    let both_senders = post(
        vec![
            ("To", DRIVER),
            ("From", OUR_NUMBER),
            ("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"),
            ("Body", "hi"),
        ],
        AUTH_TOKEN,
    )
    .await;
    let no_body = post(vec![("To", DRIVER), ("From", OUR_NUMBER)], AUTH_TOKEN).await;

    assert_eq!(unauthenticated, (401, Some(20003)));
    assert_eq!(no_to, (400, Some(21604)));
    assert_eq!(bad_to, (400, Some(21211)));
    assert_eq!(no_sender, (400, Some(21603)));
    assert_eq!(both_senders, (400, Some(21603)));
    assert_eq!(no_body, (400, Some(21602)));
    assert!(world.twilio.sent().is_empty());
    assert_eq!(world.twilio.requests(), 6);
}
