//! The words of every text the relay sends, in one place. Every relayed text starts with the
//! thread's code in brackets, so one service number can carry many conversations.

use chargeplan_core::{MemberId, ThreadCode};

/// How the owner's car is doing, for the first text of a thread.
#[derive(Debug, Clone, PartialEq)]
pub enum CarStatus {
    /// Plugged in and drawing power, with what the plan expects.
    Charging {
        delivered_kwh: f64,
        requested_kwh: Option<f64>,
        /// Local clock time the plan expects it done, e.g. `15:10`.
        done_around: Option<String>,
    },
    /// Plugged in, has what was asked for.
    Done { delivered_kwh: f64 },
    /// Plugged in but not drawing power.
    NotDrawing { delivered_kwh: f64 },
    /// Not plugged in at a charger of the site (as far as we know).
    NotPlugged,
}

/// What the owner reads first: someone is waiting, how their car is doing, how to answer.
pub fn owner_first(code: ThreadCode, site_name: &str, status: &CarStatus, note: &str) -> String {
    let car = match status {
        CarStatus::Charging {
            delivered_kwh,
            requested_kwh,
            done_around,
        } => {
            let amount = match requested_kwh {
                Some(requested) => format!("{} of {} kWh", kwh(*delivered_kwh), kwh(*requested)),
                None => format!("{} kWh so far", kwh(*delivered_kwh)),
            };
            match done_around {
                Some(at) => format!("Your car has {amount}, done around {at}."),
                None => format!("Your car has {amount}."),
            }
        }
        CarStatus::Done { delivered_kwh } => {
            format!("Your car is done ({} kWh).", kwh(*delivered_kwh))
        }
        CarStatus::NotDrawing { delivered_kwh } => format!(
            "Your car has {} kWh and is not drawing power.",
            kwh(*delivered_kwh)
        ),
        CarStatus::NotPlugged => "Your car is not charging at the moment.".to_owned(),
    };
    let said = if note.is_empty() {
        String::new()
    } else {
        format!(" They say: \"{note}\"")
    };
    format!(
        "[{code}] Someone is waiting for a charger at {site_name}. {car}{said} Reply with when \
         you'll be back (e.g. '15:30' or '20 min'), OK to let them unplug you, or BLOCK {code}."
    )
}

/// The waiting driver's receipt: the same words whether the ID exists, blocked them or not.
pub fn waiter_receipt(code: ThreadCode, member: &MemberId) -> String {
    format!(
        "[{code}] Sent to the owner of {member}, if it is a member. Their reply comes here. Start \
         a text with {code} to write to them, CLOSE {code} to end."
    )
}

/// A free-text message passed on; `from_owner` says which side wrote it.
pub fn relayed(code: ThreadCode, from_owner: bool, text: &str) -> String {
    let who = if from_owner {
        "The owner"
    } else {
        "The waiting driver"
    };
    format!("[{code}] {who} says: \"{text}\"")
}

/// The owner's return time, passed on to the waiting driver.
pub fn owner_back_at(code: ThreadCode, local_time: &str, note: Option<&str>) -> String {
    match note {
        Some(note) if !note.is_empty() => {
            format!("[{code}] The owner will be back around {local_time}. They add: \"{note}\"")
        }
        _ => format!("[{code}] The owner will be back around {local_time}."),
    }
}

/// The owner's OK, passed on.
pub fn owner_ok(code: ThreadCode) -> String {
    format!("[{code}] The owner says you may unplug their car.")
}

/// The owner's NO, passed on.
pub fn owner_no(code: ThreadCode) -> String {
    format!("[{code}] The owner asks you not to unplug their car.")
}

/// The owner's receipt for OK: how we understood it.
pub fn told_ok(code: ThreadCode) -> String {
    format!("[{code}] Told them they may unplug your car.")
}

/// The owner's receipt for NO.
pub fn told_no(code: ThreadCode) -> String {
    format!("[{code}] Told them not to unplug your car.")
}

/// The owner's receipt for a return time: how we understood it, so a misreading shows.
pub fn told_back_at(code: ThreadCode, local_time: &str) -> String {
    format!("[{code}] Told them you'll be back around {local_time}.")
}

/// One side shared its number with the other, by saying SHARE.
pub fn shared_number(code: ThreadCode, from_owner: bool, number: &str) -> String {
    let who = if from_owner {
        "The owner"
    } else {
        "The waiting driver"
    };
    format!("[{code}] {who} shared their number with you: {number}")
}

/// The receipt for SHARE.
pub fn share_receipt(code: ThreadCode) -> String {
    format!("[{code}] Your number was sent to the other driver.")
}

/// The owner's receipt for BLOCK.
pub fn blocked(code: ThreadCode) -> String {
    format!("[{code}] Blocked: that driver can't reach you again.")
}

/// The receipt for CLOSE.
pub fn closed(code: ThreadCode) -> String {
    format!("[{code}] Conversation closed.")
}

/// The other side learns a thread was closed.
pub fn closed_by_other(code: ThreadCode) -> String {
    format!("[{code}] The other driver closed this conversation.")
}

/// A code that is none of the sender's open threads (or one that is ambiguous).
pub fn unknown_code(open: &[ThreadCode]) -> String {
    if open.is_empty() {
        "You have no open conversation with that code. To reach a car's owner, text the ID on \
         its sticker."
            .to_owned()
    } else {
        let codes: Vec<String> = open.iter().map(ThreadCode::to_string).collect();
        format!(
            "Nothing was sent: start your text with one of your open codes: {}.",
            codes.join(", ")
        )
    }
}

/// Too many new conversations.
pub fn too_many_new_threads() -> String {
    "Nothing was sent: you have started too many conversations in the last hour. Please try \
     again later."
        .to_owned()
}

/// Too many open conversations at once.
pub fn too_many_open_threads(open: &[ThreadCode]) -> String {
    let codes: Vec<String> = open.iter().map(ThreadCode::to_string).collect();
    format!(
        "Nothing was sent: you have {} open conversations ({}). CLOSE one first, e.g. CLOSE {}.",
        open.len(),
        codes.join(", "),
        codes.first().map_or("K7", String::as_str)
    )
}

/// An empty message to a thread.
pub fn empty_message(code: ThreadCode) -> String {
    format!("[{code}] Nothing was sent: the message was empty.")
}

/// UNBLOCK by text: a block holds; it is not lifted by a text (which anyone holding the
/// phone could send in a moment of weakness to a harasser's benefit).
pub fn unblock_on_page() -> String {
    "A block can't be undone by text. To lift it, open your charging page (the link in our \
     texts) and choose Unblock."
        .to_owned()
}

/// A member texting their own ID.
pub fn own_id() -> String {
    "That is your own member ID: others text it to reach you.".to_owned()
}

/// The answer to a text that is no command and no thread reply.
pub fn no_conversation() -> String {
    "To reach a car's owner, text the ID on its sticker and a message (e.g. \"K7QX2M are you \
     done soon?\"). To change your own charging, open the link in your welcome text. HELP for \
     help, STOP to stop texts."
        .to_owned()
}

fn kwh(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k7() -> ThreadCode {
        ThreadCode::parse("K7").unwrap()
    }

    #[test]
    fn the_owners_first_text_reads_like_the_example() {
        let text = owner_first(
            k7(),
            "Caltech garage",
            &CarStatus::Charging {
                delivered_kwh: 18.2,
                requested_kwh: Some(20.0),
                done_around: Some("15:10".into()),
            },
            "",
        );
        assert_eq!(
            text,
            "[K7] Someone is waiting for a charger at Caltech garage. Your car has 18 of 20 kWh, \
             done around 15:10. Reply with when you'll be back (e.g. '15:30' or '20 min'), OK to \
             let them unplug you, or BLOCK K7."
        );
    }

    #[test]
    fn a_car_not_charging_is_said_so_and_the_waiters_words_are_quoted() {
        let text = owner_first(
            k7(),
            "Lot A",
            &CarStatus::NotPlugged,
            "are you leaving soon?",
        );
        assert!(
            text.contains("Your car is not charging at the moment."),
            "{text}"
        );
        assert!(
            text.contains("They say: \"are you leaving soon?\""),
            "{text}"
        );
    }

    #[test]
    fn every_relay_text_starts_with_its_code() {
        for text in [
            relayed(k7(), true, "hi"),
            owner_back_at(k7(), "15:30", Some("sorry")),
            owner_ok(k7()),
            owner_no(k7()),
            blocked(k7()),
            closed(k7()),
            waiter_receipt(k7(), &MemberId::parse("K7QX2M").unwrap()),
        ] {
            assert!(text.starts_with("[K7] "), "{text}");
        }
    }
}
