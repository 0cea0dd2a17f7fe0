//! Requests by text: an owner whose car is plugged in texts when they leave and what they
//! need, and the request is set as the page would set it.

use chargeplan_core::RequestedEnergy;
use chrono::Duration;

use crate::world::{OWNER, WAITER, World, t0};

#[tokio::test]
async fn a_texted_request_is_set_and_the_answer_says_what_was_understood() {
    let world = World::new().await;
    let session = world.welcome_owner().await;
    let cases = [
        (
            "leave 17:30 need 20 kwh",
            "17:30",
            "20 kWh",
            8 * 60 + 30,
            Some(20.0),
            None,
        ),
        (
            "17:30 20kWh",
            "17:30",
            "20 kWh",
            8 * 60 + 30,
            Some(20.0),
            None,
        ),
        // 30 miles at the default 300 Wh/mile is 9 kWh.
        (
            "till 5pm, 30 miles",
            "17:00",
            "30 miles",
            8 * 60,
            Some(9.0),
            Some(30.0),
        ),
        (
            "in 3 hours as much as possible",
            "12:00",
            "as much charge as possible",
            180,
            None,
            None,
        ),
    ];
    for (revision, (text, at, wanted, minutes, kwh, miles)) in (2..).zip(cases) {
        let answer = world.text(OWNER, text).await.expect("an answer");
        assert_eq!(
            answer,
            format!(
                "Got it: you leave at {at} and want {wanted}. We'll text you what we can deliver."
            ),
            "{text}"
        );
        let request = world
            .store
            .latest_request(&session.id)
            .await
            .expect("read")
            .expect("a request");
        assert_eq!(request.revision, revision, "{text}");
        assert_eq!(
            request.departure,
            t0() + Duration::minutes(minutes),
            "{text}"
        );
        assert_eq!(request.energy.kwh(), kwh, "{text}");
        assert_eq!(request.stated_miles, miles, "{text}");
    }
    let request = world.store.latest_request(&session.id).await.expect("read");
    assert_eq!(
        request.map(|r| r.energy),
        Some(RequestedEnergy::AsMuchAsPossible)
    );
}

#[tokio::test]
async fn a_texted_time_that_has_passed_is_asked_about_and_tomorrow_says_yes() {
    let world = World::new().await;
    let session = world.welcome_owner().await;

    let asked = world.text(OWNER, "leave 08:30 need 20 kwh").await;
    assert_eq!(
        asked.as_deref(),
        Some(
            "08:30 has passed — did you mean tomorrow, Tue 08:30? Reply \"tomorrow 08:30 20 kWh\" to say yes, or use the link in your welcome text."
        )
    );
    let unchanged = world.store.latest_request(&session.id).await.expect("read");
    assert_eq!(unchanged.map(|r| r.revision), Some(1), "nothing saved yet");

    let yes = world.text(OWNER, "tomorrow 08:30 20 kWh").await;
    assert_eq!(
        yes.as_deref(),
        Some("Got it: you leave at Tue 08:30 and want 20 kWh. We'll text you what we can deliver.")
    );
    let request = world.store.latest_request(&session.id).await.expect("read");
    assert_eq!(
        request.map(|r| r.departure),
        Some(t0() + Duration::hours(23) + Duration::minutes(30))
    );
}

#[tokio::test]
async fn a_text_that_cannot_be_understood_points_to_the_link() {
    let world = World::new().await;
    let session = world.welcome_owner().await;

    // A time without an amount keeps the amount asked for before.
    let kept = world.text(OWNER, "leaving at 16:00").await;
    assert_eq!(
        kept.as_deref(),
        Some("Got it: you leave at 16:00 and want 20 kWh. We'll text you what we can deliver.")
    );
    let too_much = world.text(OWNER, "leave 16:00 need 900 kwh").await;
    assert!(
        too_much
            .as_deref()
            .is_some_and(|a| a.contains("Use the link in your welcome text")),
        "{too_much:?}"
    );
    let vague = world.text(OWNER, "leave whenever, lots please").await;
    assert!(
        vague
            .as_deref()
            .is_some_and(|a| a.contains("open the link in your welcome text")),
        "{vague:?}"
    );
    let request = world.store.latest_request(&session.id).await.expect("read");
    assert_eq!(request.map(|r| r.revision), Some(2));
}

#[tokio::test]
async fn a_driver_without_a_plugged_in_car_is_not_taken_for_a_request() {
    let world = World::new().await;
    world.welcome_owner().await;
    // The waiting driver has no car here: the relay answers as before.
    let answer = world.text(WAITER, "leave 17:30 need 20 kwh").await;
    assert!(
        answer
            .as_deref()
            .is_some_and(|a| a.starts_with("To reach a car's owner")),
        "{answer:?}"
    );
}
