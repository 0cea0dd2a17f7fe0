//! Charge-bay sharing through the real binary and the fake Twilio: a waiting driver texts the
//! member ID of a parked car, the owner answers with a time and OK, each side gets the other's
//! words without the other's number, and the board shows the return time. Then the waitlist:
//! a free port is offered to the first in line, the server is killed with `kill -9` before the
//! offer's answer time, and after the restart the unanswered offer times out once and the port
//! goes to the next in line, who takes it — nothing lost, nothing texted twice.

use std::time::Duration;

use chargeplan_core::{ParticipantId, SharingSettings, SiteId};
use chargeplan_sms::fake::FakeMessage;
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use chrono::Utc;

use crate::helpers::TestApp;
use crate::world::{DRIVER_PHONE, World};

/// The service number the fake Twilio's texts come from and go to.
const SERVICE: &str = "+15005550006";
const WAITER: &str = "+15550100199";
const FIRST_IN_LINE: &str = "+15550100197";
const SECOND_IN_LINE: &str = "+15550100198";

/// Texts `body` from `from` to the running server; returns the immediate answer (TwiML).
async fn text(world: &World, app: &TestApp, from: &str, body: &str) -> String {
    let url = format!("{}{}", app.address, chargeplan_sms::INBOUND_PATH);
    let response = world.twilio.send_inbound(&url, from, SERVICE, body).await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "{body}: {}",
        app.stderr_text()
    );
    response.text().await.expect("TwiML")
}

/// The texts sent to `to` so far that contain `words`.
fn texts_to(world: &World, to: &str, words: &str) -> Vec<FakeMessage> {
    world
        .twilio
        .sent()
        .into_iter()
        .filter(|m| m.to == to && m.body.contains(words))
        .collect()
}

/// How long a text may take: an offer's answer time (1 minute) and the worker's round.
const PATIENCE: Duration = Duration::from_secs(120);

/// Waits for the first text to `to` containing `words`.
async fn text_to(world: &World, app: &TestApp, to: &str, words: &str) -> FakeMessage {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = texts_to(world, to, words).into_iter().next() {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no text to {to} with {words:?} in {PATIENCE:?}; sent: {:?}\nserver log:\n{}",
            world.twilio.sent(),
            app.stderr_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn board(app: &TestApp) -> String {
    let page = reqwest::get(format!("{}/sites/garage/board", app.address))
        .await
        .expect("board");
    assert_eq!(page.status().as_u16(), 200);
    page.text().await.expect("board page")
}

async fn store(world: &World) -> std::sync::Arc<dyn Store> {
    chargeplan_store::open(&StoreTarget::Sqlite {
        path: world.data.path().join("chargeplan.db"),
    })
    .await
    .expect("the server's store, read beside it")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_driver_reaches_a_parked_cars_owner_and_gets_their_answer_without_numbers() {
    let world = World::new().await.with_vendor();
    let app = world.serve();
    world.plug_in_driver();
    text_to(&world, &app, DRIVER_PHONE, "Welcome to").await;
    let member = store(&world)
        .await
        .get_participant(&ParticipantId::parse("driver-1").expect("id"))
        .await
        .expect("the driver")
        .member_id
        .to_string();

    text(
        &world,
        &app,
        WAITER,
        &format!("{member} are you done soon?"),
    )
    .await;
    let to_owner = text_to(&world, &app, DRIVER_PHONE, "Someone is waiting").await;
    assert!(
        to_owner.body.contains("are you done soon?"),
        "{}",
        to_owner.body
    );
    assert!(!to_owner.body.contains("0199"), "{}", to_owner.body);
    let code = to_owner.body[1..3].to_owned();
    assert!(to_owner.body.starts_with(&format!("[{code}]")));

    text(&world, &app, DRIVER_PHONE, "back in 20").await;
    let back = text_to(&world, &app, WAITER, "will be back around").await;
    let expected = [19, 20, 21].map(|minutes| {
        (Utc::now() + chrono::Duration::minutes(minutes))
            .with_timezone(&chrono_tz::America::Los_Angeles)
            .format("%H:%M")
            .to_string()
    });
    let said = expected
        .iter()
        .find(|at| back.body.contains(at.as_str()))
        .unwrap_or_else(|| panic!("about 20 minutes from now in {:?}", back.body))
        .clone();
    assert!(!back.body.contains("0142"), "{}", back.body);
    let shown = board(&app).await;
    assert!(
        shown.contains(&said),
        "the board shows the return time {said}"
    );
    assert!(!shown.contains(&member), "no member ID on the board");

    text(&world, &app, DRIVER_PHONE, &format!("{code} OK")).await;
    text_to(&world, &app, WAITER, "may unplug their car").await;
    text(&world, &app, WAITER, "thanks!").await;
    let relayed = text_to(&world, &app, DRIVER_PHONE, "thanks!").await;
    assert!(
        relayed.body.starts_with(&format!("[{code}]")),
        "{}",
        relayed.body
    );
    for message in world.twilio.sent() {
        let other = if message.to == WAITER { "0142" } else { "0199" };
        assert!(!message.body.contains(other), "{message:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_unanswered_across_a_kill_9_times_out_once_and_goes_to_the_next_in_line() {
    let world = World::new().await.with_vendor();
    let site = SiteId::parse("garage").expect("id");
    let settings = SharingSettings {
        offer_response_min: 1,
        max_skips: 2,
        ..SharingSettings::default()
    };
    store(&world)
        .await
        .set_sharing_settings(&site, &settings, Utc::now())
        .await
        .expect("settings");
    let mut first = world.serve();
    // The driver's car holds DEMO-01; DEMO-02 is free.
    world.plug_in_driver();
    text_to(&world, &first, DRIVER_PHONE, "Welcome to").await;

    let joined = text(&world, &first, FIRST_IN_LINE, "WAIT garage").await;
    assert!(
        joined.contains("waitlist at Garage West: number 1"),
        "{joined}"
    );
    let joined = text(&world, &first, SECOND_IN_LINE, "WAIT garage").await;
    assert!(joined.contains("number 2"), "{joined}");
    let offer = text_to(&world, &first, FIRST_IN_LINE, "Reply TAKE within 1 min").await;
    assert!(offer.body.contains("port DEMO-02"), "{}", offer.body);
    let killed = first.kill_hard();
    assert_eq!(killed.code(), None, "killed by a signal, not exited");

    let second = world.serve();
    let timed_out = text_to(&world, &second, FIRST_IN_LINE, "No answer in time").await;
    assert!(
        timed_out.body.contains("still number"),
        "{}",
        timed_out.body
    );
    let next = text_to(&world, &second, SECOND_IN_LINE, "Reply TAKE within").await;
    assert!(next.body.contains("port DEMO-02"), "{}", next.body);
    let took = text(&world, &second, SECOND_IN_LINE, "TAKE").await;
    assert!(took.contains("held for you until"), "{took}");
    // A few more rounds for any second copy to show up.
    tokio::time::sleep(Duration::from_secs(5)).await;

    assert_eq!(
        texts_to(&world, FIRST_IN_LINE, "Reply TAKE").len(),
        1,
        "the first offer was texted once across the kill:\n{}",
        second.stderr_text()
    );
    assert_eq!(
        texts_to(&world, FIRST_IN_LINE, "No answer in time").len(),
        1
    );
    assert_eq!(texts_to(&world, SECOND_IN_LINE, "Reply TAKE").len(), 1);
    let held = board(&second).await;
    assert!(
        held.to_lowercase().contains("held"),
        "the board shows the hold"
    );
    let offers = store(&world)
        .await
        .list_offers(&site, Utc::now() - chrono::Duration::hours(1))
        .await
        .expect("offers");
    let states: Vec<&str> = offers.iter().map(|o| o.state.as_str()).collect();
    assert_eq!(states, ["expired", "taken"], "{offers:?}");
}
