//! Tests of inbound-text parsing.

use super::*;

fn code(s: &str) -> Option<ThreadCode> {
    Some(ThreadCode::parse(s).unwrap())
}

fn thread(c: Option<&str>, body: &str) -> Command {
    Command::Thread {
        code: c.map(|c| ThreadCode::parse(c).unwrap()),
        body: body.to_owned(),
    }
}

#[test]
fn a_text_starting_with_a_member_id_is_a_new_contact_with_the_rest_as_message() {
    assert_eq!(
        Command::parse("k7qx2m is this your blue Leaf? need to charge"),
        Command::Contact {
            member: MemberId::parse("K7QX2M").unwrap(),
            message: "is this your blue Leaf? need to charge".to_owned(),
        }
    );
    assert_eq!(
        Command::parse("  K7QX2M:  "),
        Command::Contact {
            member: MemberId::parse("K7QX2M").unwrap(),
            message: String::new(),
        }
    );
}

#[test]
fn six_letter_words_and_ids_later_in_the_text_are_not_contacts() {
    assert_eq!(Command::parse("THANKS!"), thread(None, "THANKS!"));
    assert_eq!(
        Command::parse("Thanks K7QX2M"),
        thread(None, "Thanks K7QX2M")
    );
    // A look-alike (0 for O) is not an ID.
    assert_eq!(Command::parse("K0QX2M hi"), thread(None, "K0QX2M hi"));
}

#[test]
fn a_leading_thread_code_in_any_usual_form_picks_the_thread() {
    for text in [
        "K7 back in 20",
        "[K7] back in 20",
        "k7: back in 20",
        "(k7) back in 20",
        "K7 - back in 20",
    ] {
        assert_eq!(
            Command::parse(text),
            thread(Some("K7"), "back in 20"),
            "{text}"
        );
    }
    assert_eq!(Command::parse("[K7]"), thread(Some("K7"), ""));
}

#[test]
fn words_that_only_look_like_codes_are_part_of_the_body() {
    for text in ["OK", "no", "K1 ok", "K7's mine", "ok."] {
        assert_eq!(Command::parse(text), thread(None, text), "{text}");
    }
}

#[test]
fn feature_words_ignore_case_punctuation_and_polite_words() {
    assert_eq!(Command::parse("Take!"), Command::Take);
    assert_eq!(Command::parse("take it please"), Command::Take);
    assert_eq!(Command::parse("skip please"), Command::Skip);
    assert_eq!(Command::parse("SKIP."), Command::Skip);
    assert_eq!(Command::parse("leave"), Command::Leave);
    assert_eq!(Command::parse("Leave the list"), Command::Leave);
    assert_eq!(Command::parse("block"), Command::Block { code: None });
    assert_eq!(
        Command::parse("BLOCK K7"),
        Command::Block { code: code("K7") }
    );
    assert_eq!(
        Command::parse("block [k7]."),
        Command::Block { code: code("K7") }
    );
    assert_eq!(
        Command::parse("[K7] BLOCK"),
        Command::Block { code: code("K7") }
    );
    assert_eq!(
        Command::parse("unblock K7"),
        Command::Unblock { code: code("K7") }
    );
    assert_eq!(
        Command::parse("CLOSE K7"),
        Command::Close { code: code("K7") }
    );
    assert_eq!(
        Command::parse("k7 close"),
        Command::Close { code: code("K7") }
    );
}

#[test]
fn wait_takes_an_optional_site_code_in_lower_case() {
    assert_eq!(
        Command::parse("WAIT Caltech"),
        Command::Wait {
            site_code: Some("caltech".to_owned())
        }
    );
    assert_eq!(
        Command::parse("wait caltech please"),
        Command::Wait {
            site_code: Some("caltech".to_owned())
        }
    );
    assert_eq!(Command::parse("wait"), Command::Wait { site_code: None });
}

#[test]
fn a_feature_word_inside_a_longer_reply_is_a_message_not_a_command() {
    for text in [
        "wait, I'll be back in 5",
        "wait 5 min",
        "take your time",
        "leave it plugged in",
        "skip the line? no",
        "block K7 and K8",
        "close to done",
        "BLOCK K7 K8",
    ] {
        assert_eq!(Command::parse(text), thread(None, text), "{text}");
    }
    assert_eq!(
        Command::parse("[K7] wait caltech"),
        thread(Some("K7"), "wait caltech")
    );
}

#[test]
fn carrier_words_are_not_claimed_as_feature_words() {
    for text in ["YES!", "stop k7", "Start please", "help me", "info?"] {
        assert_eq!(Command::parse(text), thread(None, text), "{text}");
    }
}

#[test]
fn blank_texts_are_empty() {
    assert_eq!(Command::parse(""), Command::Empty);
    assert_eq!(Command::parse(" \n\t "), Command::Empty);
}
