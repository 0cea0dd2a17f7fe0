//! Makes free text safe to relay between strangers: links, e-mail addresses and phone numbers
//! become [`REMOVED`], control and invisible formatting characters go, white space is
//! collapsed and the text is cut to [`MAX_RELAYED_CHARS`]. Emoji and every alphabet stay.
//!
//! A phone number is any run of 7 or more digits (ASCII, full-width, Arabic-Indic or
//! Devanagari) in which the digits are separated by at most two of space, `.`, `-`, `(`,
//! `)` and a leading `+`; so "15:30", "back in 20" and "18 kWh" stay, and the output never
//! holds 7 digits in a row. Numbers spelled out in words are not recognised. A link is a
//! word with `://`, one starting `www.`, or a bare domain with a known top-level domain
//! ("example.com/x", "bit.ly/abc"); an e-mail address is a word with `@` and a dot after it.

/// What replaces a removed link, e-mail address or phone number.
pub const REMOVED: &str = "[removed]";
/// The longest relayed text, in characters, the ellipsis included.
pub const MAX_RELAYED_CHARS: usize = 300;
/// Fewest digits that make a phone number.
pub const PHONE_MIN_DIGITS: usize = 7;

/// Top-level domains that make "word.tld" a link; common ones and those of link shorteners.
const LINK_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "io", "ly", "co", "me", "uk", "de", "fr", "info", "biz",
    "app", "dev", "xyz", "gl", "gg", "tv", "cc", "ca", "au", "ru", "cn", "link", "site", "online",
    "top", "club", "shop", "page", "sh", "tk", "ml", "ga", "cf", "gq", "ai", "nl", "eu", "es",
    "ws", "su", "click", "live", "store", "tech", "cloud", "icu", "gd", "im", "ms", "ee", "vip",
    "fun", "space", "website",
];

/// Invisible formatting characters that can hide or reorder text: zero-width space and
/// joiners other than the emoji joiner U+200D, bidirectional controls, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' | '\u{2060}'..='\u{2064}'
        | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

fn is_digit_like(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{0660}'..='\u{0669}'
            | '\u{06F0}'..='\u{06F9}' | '\u{0966}'..='\u{096F}')
}

/// Relayed text and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sanitized {
    /// The text to relay.
    pub text: String,
    pub links_removed: usize,
    pub emails_removed: usize,
    pub phone_numbers_removed: usize,
    /// Whether the text was cut to [`MAX_RELAYED_CHARS`].
    pub truncated: bool,
}

impl Sanitized {
    /// Whether a link, an e-mail address or a phone number was removed (a refusal reason
    /// for the audit).
    pub fn removed_anything(&self) -> bool {
        self.links_removed + self.emails_removed + self.phone_numbers_removed > 0
    }
}

/// Makes `text` safe to relay to the other side of a thread.
pub fn sanitize(text: &str) -> Sanitized {
    let mut out = Sanitized::default();
    let visible: String = text
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<String> = visible
        .split_whitespace()
        .map(|w| replace_link_or_email(w, &mut out))
        .collect();
    let joined = words.join(" ");
    let without_phones = remove_phone_numbers(&joined, &mut out);
    let collapsed = without_phones
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    out.text = cap(&collapsed, &mut out.truncated);
    out
}

/// One white-space-separated word with a link or e-mail address in it replaced, the
/// punctuation around it kept ("(see example.com)" → "(see [removed])").
fn replace_link_or_email(word: &str, out: &mut Sanitized) -> String {
    let is_edge = |c: char| {
        matches!(
            c,
            '(' | ')'
                | '['
                | ']'
                | '<'
                | '>'
                | '"'
                | '\''
                | ','
                | ';'
                | '!'
                | '?'
                | '.'
                | ':'
                | '*'
                | '“'
                | '”'
                | '‘'
                | '’'
        )
    };
    let core = word.trim_matches(is_edge);
    if core.is_empty() {
        return word.to_owned();
    }
    let start = word.find(core).unwrap_or(0);
    let (before, after) = (&word[..start], &word[start + core.len()..]);
    let lower = core.to_lowercase();
    if is_email(&lower) {
        out.emails_removed += 1;
    } else if lower.contains("://") || lower.starts_with("www.") || has_link_domain(&lower) {
        out.links_removed += 1;
    } else {
        return word.to_owned();
    }
    format!("{before}{REMOVED}{after}")
}

fn is_email(word: &str) -> bool {
    let word = word.strip_prefix("mailto:").unwrap_or(word);
    match word.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain
                    .rsplit_once('.')
                    .is_some_and(|(d, tld)| !d.is_empty() && tld.len() >= 2)
        }
        None => false,
    }
}

/// "example.com", "bit.ly/abc", "news.site.co.uk/x?y": labels of letters, digits and
/// hyphens joined by dots, the last one a known top-level domain.
fn has_link_domain(word: &str) -> bool {
    let host = word.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|tld| LINK_TLDS.contains(tld))
}

fn is_phone_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{2010}'..='\u{2015}')
}

/// Replaces every run of [`PHONE_MIN_DIGITS`] or more digits joined by separators.
fn remove_phone_numbers(text: &str, out: &mut Sanitized) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut result = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let plus_or_paren =
            matches!(chars[i], '+' | '(') && chars.get(i + 1).copied().is_some_and(is_digit_like);
        if !is_digit_like(chars[i]) && !plus_or_paren {
            result.push(chars[i]);
            i += 1;
            continue;
        }
        // Extend the run: digits, with at most two separators between them.
        let mut end = i + 1;
        let mut last_digit_end = if is_digit_like(chars[i]) { i + 1 } else { i };
        let mut digits = usize::from(is_digit_like(chars[i]));
        let mut separators = 0;
        while end < chars.len() {
            let c = chars[end];
            if is_digit_like(c) {
                digits += 1;
                separators = 0;
                last_digit_end = end + 1;
            } else if is_phone_separator(c) && separators < 2 {
                separators += 1;
            } else {
                break;
            }
            end += 1;
        }
        if digits >= PHONE_MIN_DIGITS {
            out.phone_numbers_removed += 1;
            result.push_str(REMOVED);
            // A closing parenthesis right after the number belonged to it only if opened.
            i = last_digit_end;
        } else {
            result.extend(&chars[i..last_digit_end.max(i + 1)]);
            i = last_digit_end.max(i + 1);
        }
    }
    result
}

/// Cuts `text` to [`MAX_RELAYED_CHARS`] characters, the last being "…".
fn cap(text: &str, truncated: &mut bool) -> String {
    if text.chars().count() <= MAX_RELAYED_CHARS {
        return text.to_owned();
    }
    *truncated = true;
    let kept: String = text.chars().take(MAX_RELAYED_CHARS - 1).collect();
    let kept = kept.trim_end_matches(|c: char| {
        c.is_whitespace() || c == '\u{200D}' || ('\u{FE00}'..='\u{FE0F}').contains(&c)
    });
    format!("{kept}…")
}

#[cfg(test)]
mod tests;
