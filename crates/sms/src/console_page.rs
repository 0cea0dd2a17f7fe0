//! The HTML of the console's developer page: messages newest first, links clickable,
//! everything escaped.

use std::fmt::Write as _;

use crate::console::{CONSOLE_PATH, ConsoleMessage, Direction};
use crate::twiml::escape_markup;

/// The whole page.
pub(crate) fn render_page(messages: &[ConsoleMessage], notice: Option<&str>) -> String {
    let last_driver = messages
        .iter()
        .find(|m| m.direction == Direction::ToDriver)
        .map(|m| m.number.as_e164())
        .unwrap_or_default();
    let mut html = String::with_capacity(2048);
    html.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>SMS console</title>\n",
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}",
        "li{margin:.5rem 0;padding:.5rem;border-radius:.4rem;list-style:none}",
        ".to-driver{background:#e8f0fe}.from-driver{background:#e6f4ea}",
        "label{display:block;margin-top:.5rem}input,textarea{width:100%;font:inherit}",
        "</style>\n</head>\n<body>\n<h1>SMS console</h1>\n"
    ));
    if let Some(notice) = notice {
        let _ = writeln!(html, "<p role=\"status\">{}</p>", escape_markup(notice));
    }
    let _ = write!(
        html,
        concat!(
            "<form method=\"post\" action=\"{action}\">\n",
            "<label for=\"from\">From (the driver's number)</label>\n",
            "<input id=\"from\" name=\"from\" required value=\"{from}\">\n",
            "<label for=\"body\">Text</label>\n",
            "<textarea id=\"body\" name=\"body\" rows=\"2\"></textarea>\n",
            "<button type=\"submit\">Send as the driver</button>\n</form>\n"
        ),
        action = CONSOLE_PATH,
        from = escape_markup(last_driver),
    );
    if messages.is_empty() {
        html.push_str("<p>No messages yet.</p>\n");
    } else {
        html.push_str("<ol>\n");
        for message in messages {
            let (class, arrow) = match message.direction {
                Direction::ToDriver => ("to-driver", "to"),
                Direction::FromDriver => ("from-driver", "from"),
            };
            let _ = writeln!(
                html,
                "<li class=\"{class}\" id=\"sms-{seq}\"><small>#{seq} {arrow} {number}</small><br>{body}</li>",
                seq = message.seq,
                number = escape_markup(message.number.as_e164()),
                body = linkify(&message.body),
            );
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// `text` escaped, with each `http://` or `https://` link made an `<a>` (trailing
/// punctuation stays outside the link).
fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = find_link_start(rest) {
        out.push_str(&escape_markup(&rest[..start]));
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
        let link = if link.ends_with("://") { "" } else { link };
        if link.is_empty() {
            // A bare scheme is not a link: keep it as text and move on.
            let skip = tail.find("://").map_or(tail.len(), |i| i + 3);
            out.push_str(&escape_markup(&tail[..skip]));
            rest = &tail[skip..];
            continue;
        }
        let escaped = escape_markup(link);
        let _ = write!(out, "<a href=\"{escaped}\">{escaped}</a>");
        rest = &tail[link.len()..];
    }
    out.push_str(&escape_markup(rest));
    out
}

fn find_link_start(text: &str) -> Option<usize> {
    match (text.find("http://"), text.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::PhoneNumber;

    use super::*;

    #[test]
    fn links_become_anchors_and_the_rest_is_escaped() {
        assert_eq!(
            linkify("Welcome to <Garage>. Go to https://cp.example.com/r/abc?x=1&y=2."),
            "Welcome to &lt;Garage&gt;. Go to <a href=\"https://cp.example.com/r/abc?x=1&amp;y=2\">https://cp.example.com/r/abc?x=1&amp;y=2</a>."
        );
        assert_eq!(
            linkify("a http://x.test b http://y.test"),
            "a <a href=\"http://x.test\">http://x.test</a> b <a href=\"http://y.test\">http://y.test</a>"
        );
        assert_eq!(linkify("just https:// here"), "just https:// here");
        assert_eq!(
            linkify("\"https://x.test\"onmouseover=1"),
            "&quot;<a href=\"https://x.test\">https://x.test</a>&quot;onmouseover=1"
        );
    }

    #[test]
    fn the_page_lists_messages_in_the_order_given_and_escapes_bodies() {
        let number = PhoneNumber::parse("+15005550006").unwrap();
        let page = render_page(
            &[
                ConsoleMessage {
                    seq: 2,
                    direction: Direction::FromDriver,
                    number: number.clone(),
                    body: "<script>alert(1)</script>".into(),
                },
                ConsoleMessage {
                    seq: 1,
                    direction: Direction::ToDriver,
                    number,
                    body: "first".into(),
                },
            ],
            Some("No reply."),
        );
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.find("sms-2").unwrap() < page.find("sms-1").unwrap());
        assert!(page.contains("value=\"+15005550006\""));
        assert!(page.contains("No reply."));
    }
}
