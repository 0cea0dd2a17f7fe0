//! TwiML replies to inbound webhooks, and the XML/HTML escaping they and the console page use.

/// The TwiML answer to an inbound message: `reply` as one `<Message>`, or an empty
/// `<Response/>` (no reply) for `None`.
pub fn twiml_reply(reply: Option<&str>) -> String {
    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
    match reply {
        Some(text) => format!(
            "{HEAD}\n<Response><Message>{}</Message></Response>",
            escape_markup(text)
        ),
        None => format!("{HEAD}\n<Response/>"),
    }
}

/// `text` safe inside XML or HTML element content and quoted attribute values.
pub(crate) fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_reply_is_an_empty_response() {
        assert_eq!(
            twiml_reply(None),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response/>"
        );
    }

    #[test]
    fn a_reply_is_one_message_with_its_markup_escaped() {
        assert_eq!(
            twiml_reply(Some("Charging <paused> until 06:00 & \"later\"")),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Message>Charging &lt;paused&gt; until 06:00 &amp; &quot;later&quot;</Message></Response>"
        );
    }
}
