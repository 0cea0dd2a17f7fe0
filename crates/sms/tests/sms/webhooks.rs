//! Twilio's inbound and status webhooks: signatures, keywords, the handler and TwiML.

use chargeplan_sms::{
    HELP_REPLY, OutgoingSms, START_REPLY, TwilioWebhookState, twilio_router, twilio_signature,
};
use chargeplan_store::SuppressionReason;
use secrecy::SecretString;

use crate::harness::{AUTH_TOKEN, DRIVER, HANDLER_REPLY, OUR_NUMBER, World, phone};

const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response/>";

async fn suppression(world: &World, number: &str) -> Option<SuppressionReason> {
    world
        .store
        .number_suppression(&phone(number))
        .await
        .expect("store answers")
}

#[tokio::test]
async fn an_unsigned_stop_is_refused_and_changes_nothing() {
    let world = World::start().await;

    let response = world
        .twilio
        .send_unsigned_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "STOP")
        .await;

    assert_eq!(response.status(), 403);
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn a_wrongly_signed_message_is_refused_and_never_reaches_the_handler() {
    let world = World::start().await;
    let forged = twilio_signature("another-token", &world.inbound_url(), &[]);

    let stop = world
        .twilio
        .send_inbound_with_signature(&world.inbound_url(), DRIVER, OUR_NUMBER, "STOP", &forged)
        .await;
    let chat = world
        .twilio
        .send_inbound_with_signature(&world.inbound_url(), DRIVER, OUR_NUMBER, "hello", &forged)
        .await;

    assert_eq!(stop.status(), 403);
    assert_eq!(chat.status(), 403);
    assert_eq!(suppression(&world, DRIVER).await, None);
    assert!(world.handler.bodies().is_empty());
}

#[tokio::test]
async fn a_signature_for_another_url_is_refused() {
    let world = World::start().await;
    let params = world.twilio.inbound_params(DRIVER, OUR_NUMBER, "STOP");
    let signed_elsewhere = twilio_signature(
        AUTH_TOKEN,
        "https://attacker.example/sms/twilio/inbound",
        &params,
    );

    let response = world
        .http
        .post(world.inbound_url())
        .header("x-twilio-signature", signed_elsewhere)
        .form(&params)
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), 403);
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn the_signed_url_is_the_public_url_whatever_host_the_proxy_sends() {
    let world = World::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let local = format!("http://{}", listener.local_addr().expect("address"));
    let app = twilio_router(TwilioWebhookState {
        auth_token: SecretString::from(AUTH_TOKEN),
        public_url: "https://sms.example.com/".into(),
        store: world.store.clone(),
        clock: world.clock.clone(),
        handler: world.handler.clone(),
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let params = world
        .twilio
        .inbound_params(DRIVER, OUR_NUMBER, "where is my car?");
    let public = "https://sms.example.com/sms/twilio/inbound?site=garage";
    let signature = twilio_signature(AUTH_TOKEN, public, &params);

    let response = world
        .http
        .post(format!("{local}/sms/twilio/inbound?site=garage"))
        .header("x-twilio-signature", signature)
        .form(&params)
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), 200);
    assert_eq!(world.handler.bodies(), ["where is my car?"]);
}

#[tokio::test]
async fn stop_suppresses_the_number_with_an_empty_reply_and_skips_the_handler() {
    let world = World::start().await;

    let response = world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, " stop ")
        .await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    assert_eq!(response.text().await.unwrap(), EMPTY_TWIML);
    assert_eq!(
        suppression(&world, DRIVER).await,
        Some(SuppressionReason::OptedOut)
    );
    assert!(world.handler.bodies().is_empty());
}

#[tokio::test]
async fn start_lifts_the_suppression_and_confirms() {
    let world = World::start().await;
    world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "UNSUBSCRIBE")
        .await;

    let response = world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "Start")
        .await;

    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(&format!("<Message>{START_REPLY}</Message>")),
        "{body}"
    );
    assert_eq!(suppression(&world, DRIVER).await, None);
    assert!(world.handler.bodies().is_empty());
}

#[tokio::test]
async fn help_gets_the_site_neutral_help_text() {
    let world = World::start().await;

    let response = world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "info")
        .await;

    let body = response.text().await.unwrap();
    assert!(
        body.contains(&format!("<Message>{HELP_REPLY}</Message>")),
        "{body}"
    );
    assert_eq!(
        HELP_REPLY,
        "chargeplan smart charging: reply STOP to stop all our texts, including those relayed \
         from other drivers; START to resume."
    );
    assert!(HELP_REPLY.len() <= 160, "one SMS segment");
    assert!(world.handler.bodies().is_empty());
}

#[tokio::test]
async fn any_other_text_goes_to_the_handler_and_its_answer_is_the_reply() {
    let world = World::start().await;

    let response = world
        .twilio
        .send_inbound(
            &world.inbound_url(),
            DRIVER,
            OUR_NUMBER,
            "stop charging at 5 please",
        )
        .await;

    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(&format!("<Message>{HANDLER_REPLY}</Message>")),
        "{body}"
    );
    assert_eq!(world.handler.bodies(), ["stop charging at 5 please"]);
    let received = world.handler.received.lock().unwrap()[0].clone();
    assert_eq!(received.from, phone(DRIVER));
    assert_eq!(received.to, OUR_NUMBER);
    assert!(received.message_sid.starts_with("SM"));
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn a_signed_inbound_without_a_usable_from_is_a_bad_request() {
    let world = World::start().await;

    let response = world
        .twilio
        .send_inbound(&world.inbound_url(), "Twilio", OUR_NUMBER, "hi")
        .await;

    assert_eq!(response.status(), 400);
    assert!(world.handler.bodies().is_empty());
}

async fn accepted_message_to(world: &World, number: &str) -> String {
    world
        .gateway()
        .send(&OutgoingSms {
            to: phone(number),
            body: "Welcome".into(),
            idempotency_key: format!("welcome-{number}"),
        })
        .await
        .expect("accepted")
        .provider_id
}

#[tokio::test]
async fn a_delivery_failure_for_an_opted_out_number_suppresses_it() {
    let world = World::start().await;
    let sid = accepted_message_to(&world, DRIVER).await;

    let response = world
        .twilio
        .send_status_callback(&world.status_url(), &sid, "undelivered", Some(21610))
        .await;

    assert_eq!(response.status(), 204);
    assert_eq!(
        suppression(&world, DRIVER).await,
        Some(SuppressionReason::OptedOut)
    );
}

#[tokio::test]
async fn a_delivery_failure_for_an_invalid_number_marks_it_invalid() {
    let world = World::start().await;
    let sid = accepted_message_to(&world, DRIVER).await;

    let response = world
        .twilio
        .send_status_callback(&world.status_url(), &sid, "failed", Some(21614))
        .await;

    assert_eq!(response.status(), 204);
    assert_eq!(
        suppression(&world, DRIVER).await,
        Some(SuppressionReason::InvalidNumber)
    );
}

#[tokio::test]
async fn delivered_and_other_failures_leave_the_number_alone() {
    let world = World::start().await;
    let sid = accepted_message_to(&world, DRIVER).await;

    let delivered = world
        .twilio
        .send_status_callback(&world.status_url(), &sid, "delivered", None)
        .await;
    let carrier = world
        .twilio
        .send_status_callback(&world.status_url(), &sid, "undelivered", Some(30003))
        .await;

    assert_eq!(delivered.status(), 204);
    assert_eq!(carrier.status(), 204);
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn an_unsigned_status_callback_is_refused_and_changes_nothing() {
    let world = World::start().await;
    let params = [
        ("MessageSid", "SM0123"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "21610"),
        ("To", DRIVER),
    ];

    let response = world
        .http
        .post(world.status_url())
        .form(&params)
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), 403);
    assert_eq!(suppression(&world, DRIVER).await, None);
}

#[tokio::test]
async fn a_stop_in_ordinary_words_and_punctuation_opts_out_without_the_handler() {
    let world = World::start().await;

    let response = world
        .twilio
        .send_inbound(&world.inbound_url(), DRIVER, OUR_NUMBER, "Stop texting me!")
        .await;

    assert_eq!(response.text().await.unwrap(), EMPTY_TWIML);
    assert_eq!(
        suppression(&world, DRIVER).await,
        Some(SuppressionReason::OptedOut)
    );
    assert!(world.handler.bodies().is_empty());
}
