//! The console adapter and its developer page.

use chargeplan_sms::{ConsoleGateway, Direction, OutgoingSms, SmsGateway, console_router};
use chargeplan_store::SuppressionReason;

use crate::harness::{DRIVER, HANDLER_REPLY, World, phone};

async fn serve_console(world: &World, console: &ConsoleGateway) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/dev/sms", listener.local_addr().expect("address"));
    let app = console_router(
        console.clone(),
        world.handler.clone(),
        world.store.clone(),
        world.clock.clone(),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_console_page_shows_a_sent_message_with_its_link_clickable() {
    let world = World::start().await;
    let console = ConsoleGateway::new();
    let url = serve_console(&world, &console).await;

    let sent = console
        .send(&OutgoingSms {
            to: phone(DRIVER),
            body: "Welcome to <Garage>: https://cp.example/r/abc".into(),
            idempotency_key: "c-1".into(),
        })
        .await
        .expect("console never fails");
    let page = world
        .http
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");

    assert_eq!(sent.provider_id, "console-1");
    assert!(page.contains("Welcome to &lt;Garage&gt;:"), "{page}");
    assert!(
        page.contains("<a href=\"https://cp.example/r/abc\">https://cp.example/r/abc</a>"),
        "{page}"
    );
    assert!(!page.contains("<Garage>"));
}

#[tokio::test]
async fn a_typed_reply_reaches_the_handler_and_its_answer_is_shown() {
    let world = World::start().await;
    let console = ConsoleGateway::new();
    let url = serve_console(&world, &console).await;

    let response = no_redirects()
        .post(&url)
        .form(&[("from", DRIVER), ("body", "leaving at 5")])
        .send()
        .await
        .expect("answer");
    let page = world
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/dev/sms");
    assert_eq!(world.handler.bodies(), ["leaving at 5"]);
    let reply_at = page.find(HANDLER_REPLY).expect("the reply is on the page");
    let typed_at = page
        .find("leaving at 5")
        .expect("the typed text is on the page");
    assert!(reply_at < typed_at, "newest first");
    let messages = console.messages();
    assert_eq!(messages[0].direction, Direction::ToDriver);
    assert_eq!(messages[1].direction, Direction::FromDriver);
}

#[tokio::test]
async fn stop_typed_on_the_console_suppresses_the_number_like_a_real_one() {
    let world = World::start().await;
    let console = ConsoleGateway::new();
    let url = serve_console(&world, &console).await;

    let response = no_redirects()
        .post(&url)
        .form(&[("from", DRIVER), ("body", "Stop")])
        .send()
        .await
        .expect("answer");

    assert_eq!(response.status(), 303);
    assert!(world.handler.bodies().is_empty());
    assert_eq!(
        world
            .store
            .number_suppression(&phone(DRIVER))
            .await
            .unwrap(),
        Some(SuppressionReason::OptedOut)
    );
}

#[tokio::test]
async fn a_typed_reply_from_a_malformed_number_is_explained_not_handled() {
    let world = World::start().await;
    let console = ConsoleGateway::new();
    let url = serve_console(&world, &console).await;

    let response = world
        .http
        .post(&url)
        .form(&[("from", "555-0123"), ("body", "hi")])
        .send()
        .await
        .expect("answer");

    let page = response.text().await.unwrap();
    assert!(page.contains("international format"), "{page}");
    assert!(world.handler.bodies().is_empty());
    assert!(console.messages().is_empty());
}

#[tokio::test]
async fn the_console_keeps_only_the_last_200_messages() {
    let console = ConsoleGateway::new();
    for n in 1..=205 {
        console
            .send(&OutgoingSms {
                to: phone(DRIVER),
                body: format!("message {n}"),
                idempotency_key: format!("k-{n}"),
            })
            .await
            .unwrap();
    }

    let messages = console.messages();

    assert_eq!(messages.len(), 200);
    assert_eq!(messages[0].body, "message 205");
    assert_eq!(messages[199].body, "message 6");
}

#[tokio::test]
async fn the_same_reply_typed_twice_reaches_the_handler_twice_with_distinct_ids() {
    let world = World::start().await;
    let console = ConsoleGateway::new();
    let url = serve_console(&world, &console).await;

    for _ in 0..2 {
        no_redirects()
            .post(&url)
            .form(&[("from", DRIVER), ("body", "leaving at 5")])
            .send()
            .await
            .expect("answer");
    }

    assert_eq!(world.handler.bodies(), ["leaving at 5", "leaving at 5"]);
    let received = world.handler.received.lock().unwrap().clone();
    assert_ne!(received[0].message_sid, received[1].message_sid);
    assert!(received[0].message_sid.starts_with("console-"));
}
