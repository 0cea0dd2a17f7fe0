//! Conversations through the relay between waiting drivers and owners, on a real SQLite
//! store: what each side is sent, that neither ever sees the other's number, and what is
//! refused.

mod requests;
mod world;

use world::{OWNER, OWNER_ID, SECOND_ID, SECOND_OWNER, WAITER, World, code_of, t0};

#[tokio::test]
async fn a_waiting_driver_reaches_the_owner_with_the_cars_figures_and_gets_a_receipt() {
    let world = World::new().await;
    let answer = world.text(WAITER, "K7QX2M are you done soon?").await;
    assert_eq!(answer, None, "the receipt goes through the outbox");
    let sent = world.sent().await;
    let to_owner = World::bodies_to(&sent, OWNER);
    assert_eq!(to_owner.len(), 1, "{sent:?}");
    let code = code_of(&to_owner[0]);
    assert_eq!(
        to_owner[0],
        format!(
            "[{code}] Someone is waiting for a charger at Caltech garage. Your car has 18 of 20 \
             kWh. They say: \"are you done soon?\" Reply with when you'll be back (e.g. '15:30' \
             or '20 min'), OK to let them unplug you, or BLOCK {code}."
        )
    );
    let to_waiter = World::bodies_to(&sent, WAITER);
    assert_eq!(to_waiter.len(), 1);
    assert!(
        to_waiter[0].starts_with(&format!("[{code}] Sent to the owner of {OWNER_ID}")),
        "{}",
        to_waiter[0]
    );
    for message in &sent {
        assert!(
            !message.body.contains("555"),
            "no number in {:?}",
            message.body
        );
    }
}

#[tokio::test]
async fn a_reply_with_a_time_reaches_the_waiting_driver_as_an_absolute_local_time() {
    let world = World::new().await;
    world.text(WAITER, OWNER_ID).await;
    let code = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    world.advance(2);
    let answer = world.text(OWNER, "back in 20").await;
    assert_eq!(
        answer.as_deref(),
        Some(format!("[{code}] Told them you'll be back around 09:22.").as_str())
    );
    let sent = world.sent().await;
    assert_eq!(
        World::bodies_to(&sent, WAITER),
        [format!("[{code}] The owner will be back around 09:22.")]
    );
    assert!(World::bodies_to(&sent, OWNER).is_empty());

    world.text(OWNER, "sorry running late - 4pm").await;
    let sent = world.sent().await;
    assert_eq!(
        World::bodies_to(&sent, WAITER),
        [format!(
            "[{code}] The owner will be back around 16:00. They add: \"sorry running late\""
        )]
    );
}

#[tokio::test]
async fn ok_and_no_are_passed_on_in_words_and_free_text_is_quoted() {
    let world = World::new().await;
    world.text(WAITER, OWNER_ID).await;
    let code = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    world.text(OWNER, "OK").await;
    assert_eq!(
        World::bodies_to(&world.sent().await, WAITER),
        [format!("[{code}] The owner says you may unplug their car.")]
    );
    world.text(OWNER, "no sorry").await;
    assert_eq!(
        World::bodies_to(&world.sent().await, WAITER),
        [format!(
            "[{code}] The owner asks you not to unplug their car."
        )]
    );
    world.text(OWNER, "which car are you in?").await;
    assert_eq!(
        World::bodies_to(&world.sent().await, WAITER),
        [format!(
            "[{code}] The owner says: \"which car are you in?\""
        )]
    );
    world.text(WAITER, "the blue one, thanks!").await;
    assert_eq!(
        World::bodies_to(&world.sent().await, OWNER),
        [format!(
            "[{code}] The waiting driver says: \"the blue one, thanks!\""
        )]
    );
}

#[tokio::test]
async fn share_sends_only_the_sharers_own_number() {
    let world = World::new().await;
    world.text(WAITER, OWNER_ID).await;
    world.sent().await;
    world.text(OWNER, "SHARE").await;
    let sent = world.sent().await;
    let to_waiter = World::bodies_to(&sent, WAITER);
    assert_eq!(to_waiter.len(), 1);
    assert!(to_waiter[0].ends_with(OWNER), "{}", to_waiter[0]);
    assert!(
        sent.iter().all(|m| !m.body.contains(WAITER)),
        "the waiter's number stays private"
    );
    world.text(WAITER, "share").await;
    let to_owner = World::bodies_to(&world.sent().await, OWNER);
    assert!(to_owner[0].ends_with(WAITER), "{}", to_owner[0]);
}

#[tokio::test]
async fn links_and_numbers_inside_relayed_text_are_removed() {
    let world = World::new().await;
    world
        .text(WAITER, "K7QX2M call me at (415) 555-0199 or see bit.ly/xyz")
        .await;
    let to_owner = World::bodies_to(&world.sent().await, OWNER);
    assert!(
        !to_owner[0].contains("0199") && !to_owner[0].contains("bit.ly"),
        "{}",
        to_owner[0]
    );
    assert!(to_owner[0].contains("[removed]"), "{}", to_owner[0]);
}

#[tokio::test]
async fn a_blocked_sender_and_an_unknown_id_get_the_same_receipt_and_reach_nobody() {
    let world = World::new().await;
    world.text(WAITER, OWNER_ID).await;
    let code = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    let answer = world.text(OWNER, &format!("BLOCK {code}")).await.unwrap();
    assert!(answer.contains("Blocked"), "{answer}");
    assert!(
        World::bodies_to(&world.sent().await, WAITER).is_empty(),
        "the blocked driver is not told"
    );

    world.text(WAITER, "K7QX2M please answer").await;
    let blocked = world.sent().await;
    assert!(
        World::bodies_to(&blocked, OWNER).is_empty(),
        "a block holds for good"
    );
    world.text(WAITER, "Q8RR8R anyone?").await;
    let unknown = world.sent().await;
    let strip = |body: &str, id: &str| body.replace(&code_of(body), "XX").replace(id, "ID");
    assert_eq!(blocked.len(), 1);
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        strip(&blocked[0].body, OWNER_ID),
        strip(&unknown[0].body, "Q8RR8R")
    );
    assert_eq!(world.metrics.relay_count("refused:blocked"), 1);
    assert_eq!(world.metrics.relay_count("refused:unknown_member"), 1);
    // Follow-ups into a void thread are accepted the same way and go nowhere.
    let void_code = code_of(&unknown[0].body);
    assert_eq!(
        world.text(WAITER, &format!("{void_code} hello?")).await,
        None
    );
    assert!(world.sent().await.is_empty());
}

#[tokio::test]
async fn a_reply_without_a_code_goes_to_the_most_recent_thread_and_a_code_picks_one() {
    let world = World::new().await;
    let second_waiter = "+14155550177";
    world.text(WAITER, OWNER_ID).await;
    let first = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    world.advance(1);
    world.text(second_waiter, OWNER_ID).await;
    let second = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    assert_ne!(first, second);

    world.text(OWNER, "leaving in 10").await;
    let sent = world.sent().await;
    assert_eq!(World::bodies_to(&sent, second_waiter).len(), 1);
    assert!(World::bodies_to(&sent, WAITER).is_empty());

    world.text(OWNER, &format!("{first} ok")).await;
    let sent = world.sent().await;
    assert_eq!(
        World::bodies_to(&sent, WAITER),
        [format!(
            "[{first}] The owner says you may unplug their car."
        )]
    );

    let answer = world.text(OWNER, "Z9 hello").await.unwrap();
    assert!(
        answer.contains(&first) && answer.contains(&second),
        "{answer}"
    );
    assert!(
        world.sent().await.is_empty(),
        "an unknown code sends nothing"
    );
}

#[tokio::test]
async fn a_stranger_cannot_write_into_someone_elses_thread() {
    let world = World::new().await;
    world.text(WAITER, OWNER_ID).await;
    let code = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    let answer = world
        .text("+14155550166", &format!("{code} move your car"))
        .await
        .unwrap();
    assert!(answer.contains("no open conversation"), "{answer}");
    assert!(world.sent().await.is_empty());
}

#[tokio::test]
async fn new_threads_are_limited_per_sender_and_per_hour() {
    let world = World::new().await;
    // Three open at once (the default cap), then CLOSE frees a slot, then the hourly limit.
    for _ in 0..3 {
        world.text(WAITER, SECOND_ID).await;
    }
    let answer = world.text(WAITER, SECOND_ID).await.unwrap();
    assert!(answer.contains("3 open conversations"), "{answer}");
    let codes: Vec<String> = World::bodies_to(&world.sent().await, WAITER)
        .iter()
        .map(|b| code_of(b))
        .collect();
    world.text(WAITER, &format!("CLOSE {}", codes[0])).await;
    world.text(WAITER, &format!("CLOSE {}", codes[1])).await;
    world.text(WAITER, SECOND_ID).await;
    world.text(WAITER, SECOND_ID).await;
    let answer = world.text(WAITER, SECOND_ID).await.unwrap();
    assert!(answer.contains("too many conversations"), "{answer}");
    assert_eq!(world.metrics.relay_count("refused:rate_limited"), 1);
    world.advance(61);
    world.text(WAITER, &format!("CLOSE {}", codes[2])).await;
    assert_eq!(
        world.text(WAITER, SECOND_ID).await,
        None,
        "a new hour, a new thread"
    );
}

#[tokio::test]
async fn the_same_text_twice_sends_nothing_twice() {
    let world = World::new().await;
    world.text_with_id(WAITER, "K7QX2M hi", "SMdup").await;
    world.text_with_id(WAITER, "K7QX2M hi", "SMdup").await;
    assert_eq!(
        world.sent().await.len(),
        2,
        "one text to the owner, one receipt"
    );
}

#[tokio::test]
async fn threads_close_by_themselves_and_with_close() {
    let world = World::new().await;
    world.text(WAITER, OWNER_ID).await;
    let code = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    world.advance(4 * 60 + 1);
    let answer = world.text(OWNER, "back at 3").await.unwrap();
    assert!(answer.contains("To reach a car's owner"), "{answer}");
    assert!(world.sent().await.is_empty());

    world.text(WAITER, OWNER_ID).await;
    let code2 = code_of(&World::bodies_to(&world.sent().await, OWNER)[0]);
    let answer = world.text(WAITER, &format!("close {code2}")).await.unwrap();
    assert_eq!(answer, format!("[{code2}] Conversation closed."));
    assert_eq!(
        World::bodies_to(&world.sent().await, OWNER),
        [format!(
            "[{code2}] The other driver closed this conversation."
        )]
    );
    let _ = code;
}

#[tokio::test]
async fn odd_texts_get_a_clear_answer_and_nothing_crashes() {
    let world = World::new().await;
    let long = "é".repeat(1600);
    for body in [
        "",
        "   ",
        "🚗🔌",
        "привет",
        long.as_str(),
        "K7QX2M",
        "unblock",
    ] {
        world.text(WAITER, body).await;
    }
    let answer = world.text(OWNER, OWNER_ID).await.unwrap();
    assert!(answer.contains("your own member ID"), "{answer}");
    let sent = world.sent().await;
    assert_eq!(
        World::bodies_to(&sent, OWNER).len(),
        1,
        "only the bare ID reached the owner"
    );
    assert!(
        sent.iter().all(|m| m.body.chars().count() < 700),
        "long texts are cut"
    );
    let _ = (SECOND_OWNER, t0());
}
