//! Tests of relayed-text sanitizing.

use super::*;

fn clean(text: &str) -> String {
    sanitize(text).text
}

#[test]
fn phone_numbers_in_the_usual_notations_are_removed() {
    for (text, want) in [
        ("call me (415) 555-0101", "call me [removed]"),
        ("415.555.0101 thx", "[removed] thx"),
        ("text +44 20 7946 0958!", "text [removed]!"),
        ("4155550101", "[removed]"),
        ("my cell:415-555-0101.", "my cell:[removed]."),
        ("+1 (415) 555 0101 or email", "[removed] or email"),
        ("５５５０１０１２", "[removed]"),
    ] {
        let out = sanitize(text);
        assert_eq!(out.text, want, "{text}");
        assert_eq!(out.phone_numbers_removed, 1, "{text}");
        assert!(out.removed_anything());
    }
}

#[test]
fn times_durations_and_amounts_stay() {
    for text in [
        "back at 15:30",
        "back in 20",
        "18 kWh so far, 2 more to go",
        "port 12, level 3",
        "3:30 or 4:30pm",
        "1.5 hours",
        "100 %",
        "20-30 min",
    ] {
        let out = sanitize(text);
        assert_eq!(out.text, text);
        assert!(!out.removed_anything(), "{text}");
    }
}

#[test]
fn links_in_every_usual_form_are_removed_with_their_punctuation_kept() {
    for (text, want) in [
        ("see https://example.com/x?y=1 now", "see [removed] now"),
        ("www.example.org", "[removed]"),
        ("(bit.ly/abc123)", "([removed])"),
        ("example.com/x, thanks", "[removed], thanks"),
        ("ping me on wa.me/14155550101", "ping me on [removed]"),
        ("HTTP://EVIL.IO", "[removed]"),
    ] {
        let out = sanitize(text);
        assert_eq!(out.text, want, "{text}");
        assert_eq!(out.links_removed, 1, "{text}");
    }
}

#[test]
fn words_with_dots_that_are_not_domains_stay() {
    for text in [
        "ok.thanks",
        "e.g. later",
        "3 p.m.",
        "U.S. plug",
        "15.30",
        "ok.so",
    ] {
        assert_eq!(clean(text), text);
    }
}

#[test]
fn email_addresses_are_removed() {
    let out = sanitize("mail jo.smith+ev@example.co.uk or mailto:x@y.io");
    assert_eq!(out.text, "mail [removed] or [removed]");
    assert_eq!(out.emails_removed, 2);
    assert_eq!(clean("meet @ 4"), "meet @ 4");
}

#[test]
fn control_and_invisible_characters_go_and_white_space_collapses() {
    assert_eq!(
        clean("  hi\n\nthere\t\u{0007}you \u{202E}evil\u{200B} "),
        "hi there you evil"
    );
    // Digits split by an invisible character still make a phone number.
    assert_eq!(clean("415\u{200B}5550101"), "[removed]");
}

#[test]
fn emoji_and_other_alphabets_are_kept_intact() {
    for text in [
        "👍 danke, 5 Minuten",
        "спасибо 🙏",
        "ありがとう、15時に戻ります",
        "👨‍👩‍👧 back soon",
        "مرحبا",
    ] {
        assert_eq!(clean(text), text);
    }
}

#[test]
fn long_texts_are_cut_on_a_character_boundary_with_an_ellipsis() {
    let out = sanitize(&"é🙂".repeat(400));
    assert!(out.truncated);
    assert_eq!(out.text.chars().count(), MAX_RELAYED_CHARS);
    assert!(out.text.ends_with('…'));
    let short = sanitize(&"a".repeat(MAX_RELAYED_CHARS));
    assert!(!short.truncated);
    assert_eq!(short.text.len(), MAX_RELAYED_CHARS);
}

#[test]
fn a_number_is_removed_before_the_cut_so_no_half_number_survives_it() {
    let text = format!("{} 415 555 0101", "x".repeat(290));
    let out = sanitize(&text);
    assert_eq!(out.phone_numbers_removed, 1);
    assert!(!out.text.contains("415"));
}
