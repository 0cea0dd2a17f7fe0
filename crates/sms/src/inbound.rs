//! Texts drivers send us: parsing Twilio's inbound form and recognising the STOP, START and
//! HELP keywords.
//!
//! # Which texts are keywords
//!
//! US rules want opt-outs honoured in any reasonable wording (CTIA; the FCC's 2025 revocation
//! rule names `stop`, `quit`, `end`, `revoke`, `opt out`, `cancel` and `unsubscribe` as
//! reasonable means, and asks senders to honour other words a reasonable person would read as
//! a revocation). Twilio itself only matches a message that is exactly the keyword, so for
//! "stop please" our own suppression list is what stops the texts. The rules, applied to the
//! message's words with the punctuation and emoji around each word removed (`Stop.`,
//! `"stop"`, `stop 🙏`), in any case, `opt out` and `opt-out` read as `OPTOUT`:
//!
//! - **STOP** when the first word (after polite openers: `please`, `pls`, `kindly`, `just`)
//!   is a [`STOP_WORDS`] word and every word after it is another stop word or a word about
//!   our texts or politeness ([`STOP_FOLLOWERS`]: "stop texting me", "stop all messages",
//!   "unsubscribe me please", "STOP STOP"). When in doubt for a message that starts with a
//!   stop word, this opts out: "cancel it" and "end all" do.
//! - Not STOP when the stop word is followed by something else, because then it is an ordinary
//!   sentence a reasonable person would not read as "no more texts": "end of day is fine"
//!   (a departure), "stop charging at 5", "cancel my request?" (the charging request, which
//!   the application answers). A stop word later in the message ("I will stop by at 5",
//!   "don't stop charging") never opts out.
//! - **START** and **HELP** only when the whole message is such words (`Start!`, `help?`):
//!   opting in and help need no leniency, and every other wording ("yes please", "help me
//!   move my car") stays with the application.
//! - The application's own reply words (`OK`, `NO`, `SHARE`, `BLOCK`, `CLOSE`, `TAKE`, `SKIP`,
//!   `WAIT`, `LEAVE`, handled after the keywords) are never keywords, alone or first.

use chargeplan_core::PhoneNumber;

/// A text message a driver sent to one of our numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    /// The provider's id of the message (Twilio `MessageSid`).
    pub message_sid: String,
    pub from: PhoneNumber,
    /// Our number (or short code) it was sent to, as the provider gives it.
    pub to: String,
    pub body: String,
    /// The keyword Twilio's Advanced Opt-Out matched (`OptOutType`), if any.
    pub opt_out_type: Option<Keyword>,
}

/// Why an inbound form could not be read; never quotes the values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    #[error("the inbound message has no {0} parameter")]
    Missing(&'static str),
    #[error("the inbound message's From is not an E.164 phone number")]
    InvalidFrom,
}

impl InboundSms {
    /// Reads the message from the webhook's form parameters (unknown ones are ignored, as
    /// Twilio adds parameters without notice). `Body` may be empty; `From` must be E.164.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, InboundError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let message_sid = get("MessageSid")
            .or_else(|| get("SmsMessageSid"))
            .or_else(|| get("SmsSid"))
            .filter(|sid| !sid.is_empty())
            .ok_or(InboundError::Missing("MessageSid"))?;
        let from = get("From").ok_or(InboundError::Missing("From"))?;
        let from = PhoneNumber::parse(from).map_err(|_| InboundError::InvalidFrom)?;
        let to = get("To").ok_or(InboundError::Missing("To"))?;
        Ok(Self {
            message_sid: message_sid.to_owned(),
            from,
            to: to.to_owned(),
            body: get("Body").unwrap_or_default().to_owned(),
            opt_out_type: get("OptOutType").and_then(Keyword::from_opt_out_type),
        })
    }

    /// The keyword this message is: Twilio's `OptOutType` when present, else the body.
    pub fn keyword(&self) -> Option<Keyword> {
        self.opt_out_type.or_else(|| Keyword::classify(&self.body))
    }
}

/// The opt-out, opt-in and help keywords carriers and Twilio recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Send nothing more to this number.
    Stop,
    /// Sending may resume.
    Start,
    /// Asks who we are and how to stop.
    Help,
}

/// The opt-out words (Twilio's defaults, with `REVOKE` and `OPTOUT` of its newer docs).
const STOP_WORDS: [&str; 8] = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
/// The opt-in words.
const START_WORDS: [&str; 3] = ["START", "YES", "UNSTOP"];
/// The help words.
const HELP_WORDS: [&str; 2] = ["HELP", "INFO"];
/// Polite words that may come before a stop word ("please stop").
const STOP_OPENERS: [&str; 5] = ["PLEASE", "PLS", "PLZ", "KINDLY", "JUST"];
/// Words that may follow a stop word and keep the message an opt-out: about our texts, the
/// sender, or politeness. Nothing here names what a driver might want stopped besides texts.
const STOP_FOLLOWERS: [&str; 45] = [
    "PLEASE",
    "PLS",
    "PLZ",
    "THANKS",
    "THANK",
    "YOU",
    "THX",
    "TY",
    "NOW",
    "ALL",
    "IT",
    "ME",
    "MY",
    "US",
    "THE",
    "THIS",
    "THESE",
    "THAT",
    "THEM",
    "ANY",
    "MORE",
    "FROM",
    "TO",
    "ON",
    "TEXT",
    "TEXTS",
    "TEXTING",
    "TXT",
    "TXTS",
    "MESSAGE",
    "MESSAGES",
    "MESSAGING",
    "MSG",
    "MSGS",
    "SMS",
    "SEND",
    "SENDING",
    "CONTACTING",
    "NOTIFICATIONS",
    "ALERTS",
    "SUBSCRIPTION",
    "CONSENT",
    "LIST",
    "CHARGEPLAN",
    "FOREVER",
];

/// The message's words, upper case, with the punctuation and symbols (emoji) around each
/// removed and words of nothing but those dropped; hyphens inside a word are removed and
/// `OPT OUT` becomes `OPTOUT`.
fn words(body: &str) -> Vec<String> {
    let mut words: Vec<String> = body
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .replace('-', "")
                .to_uppercase()
        })
        .filter(|word| !word.is_empty())
        .collect();
    let mut i = 0;
    while i + 1 < words.len() {
        if words[i] == "OPT" && words[i + 1] == "OUT" {
            words[i] = "OPTOUT".to_owned();
            words.remove(i + 1);
        }
        i += 1;
    }
    words
}

impl Keyword {
    /// The keyword `body` is, by the rules of this module's documentation.
    pub fn classify(body: &str) -> Option<Self> {
        let words = words(body);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let all_in = |list: &[&str]| !words.is_empty() && words.iter().all(|w| list.contains(w));
        if is_opt_out(&words) {
            Some(Self::Stop)
        } else if all_in(&START_WORDS) {
            Some(Self::Start)
        } else if all_in(&HELP_WORDS) {
            Some(Self::Help)
        } else {
            None
        }
    }

    /// The keyword of Twilio's `OptOutType` parameter (`STOP`, `START` or `HELP`).
    pub fn from_opt_out_type(value: &str) -> Option<Self> {
        match value.trim().to_ascii_uppercase().as_str() {
            "STOP" => Some(Self::Stop),
            "START" => Some(Self::Start),
            "HELP" => Some(Self::Help),
            _ => None,
        }
    }
}

/// A stop word first (after polite openers), then only stop words and [`STOP_FOLLOWERS`].
fn is_opt_out(words: &[&str]) -> bool {
    let mut rest = words.iter().skip_while(|w| STOP_OPENERS.contains(w));
    rest.next().is_some_and(|first| STOP_WORDS.contains(first))
        && rest.all(|w| STOP_WORDS.contains(w) || STOP_FOLLOWERS.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The table of wordings and what they are; the module documentation gives the rules.
    const CASES: &[(&str, Option<Keyword>)] = &[
        // Opt-outs: the words, punctuation and emoji around them, polite and text words.
        ("STOP", Some(Keyword::Stop)),
        ("  stop\n", Some(Keyword::Stop)),
        ("Stop.", Some(Keyword::Stop)),
        ("STOP!", Some(Keyword::Stop)),
        ("STOP!!!", Some(Keyword::Stop)),
        ("stop please", Some(Keyword::Stop)),
        ("Stop texting me", Some(Keyword::Stop)),
        ("stop all messages", Some(Keyword::Stop)),
        ("UNSUBSCRIBE.", Some(Keyword::Stop)),
        ("\"stop\"", Some(Keyword::Stop)),
        ("“Stop”", Some(Keyword::Stop)),
        ("stop 🙏", Some(Keyword::Stop)),
        ("🛑 STOP 🛑", Some(Keyword::Stop)),
        ("STOP STOP", Some(Keyword::Stop)),
        ("stop, unsubscribe", Some(Keyword::Stop)),
        ("please stop", Some(Keyword::Stop)),
        ("Please stop texting me, thank you!", Some(Keyword::Stop)),
        ("stop sending me texts", Some(Keyword::Stop)),
        ("Quit", Some(Keyword::Stop)),
        ("end", Some(Keyword::Stop)),
        ("End.", Some(Keyword::Stop)),
        ("cancel", Some(Keyword::Stop)),
        ("cancel it", Some(Keyword::Stop)),
        ("Revoke consent", Some(Keyword::Stop)),
        ("opt out", Some(Keyword::Stop)),
        ("Opt-out please", Some(Keyword::Stop)),
        ("OPTOUT", Some(Keyword::Stop)),
        ("stopall", Some(Keyword::Stop)),
        ("unsubscribe me from this list", Some(Keyword::Stop)),
        // Ordinary sentences that contain a stop word.
        ("I will stop by at 5", None),
        ("don't stop charging", None),
        ("end of day is fine", None),
        ("cancel my request?", None),
        ("stop charging at 5 please", None),
        ("stop by 17:00", None),
        ("quitting time is 6", None),
        ("stopp", None),
        ("", None),
        ("🙏", None),
        ("...", None),
        ("17:00", None),
        // Opt-in and help: the whole message, punctuation ignored.
        ("start", Some(Keyword::Start)),
        ("Start!", Some(Keyword::Start)),
        ("Yes", Some(Keyword::Start)),
        ("yes!", Some(Keyword::Start)),
        ("UNSTOP", Some(Keyword::Start)),
        ("yes please", None),
        ("start charging now", None),
        ("help", Some(Keyword::Help)),
        ("help?", Some(Keyword::Help)),
        (" INFO ", Some(Keyword::Help)),
        ("help me move my car", None),
        // The application's reply words are never keywords.
        ("OK", None),
        ("ok stop", None),
        ("NO", None),
        ("no!", None),
        ("SHARE", None),
        ("BLOCK", None),
        ("block.", None),
        ("CLOSE", None),
        ("TAKE", None),
        ("SKIP", None),
        ("WAIT", None),
        ("Leave", None),
    ];

    #[test]
    fn each_wording_in_the_table_is_the_keyword_it_says() {
        for (body, expected) in CASES {
            assert_eq!(Keyword::classify(body), *expected, "{body:?}");
        }
    }

    #[test]
    fn every_listed_word_alone_in_any_case_is_its_keyword() {
        let lists = [
            (&STOP_WORDS[..], Keyword::Stop),
            (&START_WORDS[..], Keyword::Start),
            (&HELP_WORDS[..], Keyword::Help),
        ];
        for (list, keyword) in lists {
            for word in list {
                assert_eq!(Keyword::classify(word), Some(keyword), "{word}");
                let lower = format!(" {}. ", word.to_lowercase());
                assert_eq!(Keyword::classify(&lower), Some(keyword), "{lower}");
            }
        }
    }

    #[test]
    fn no_follower_word_is_itself_a_keyword_or_an_application_word() {
        for word in STOP_FOLLOWERS {
            assert_eq!(Keyword::classify(word), None, "{word}");
            assert!(!APPLICATION_WORDS.contains(&word), "{word}");
        }
    }

    /// Words other parts of chargeplan answer, after the keywords.
    const APPLICATION_WORDS: [&str; 9] = [
        "OK", "NO", "SHARE", "BLOCK", "CLOSE", "TAKE", "SKIP", "WAIT", "LEAVE",
    ];

    #[test]
    fn an_inbound_form_is_read_and_unknown_parameters_are_ignored() {
        let sms = InboundSms::from_params(&form(&[
            ("MessageSid", "SM00000000000000000000000000000001"),
            ("From", "+15005550006"),
            ("To", "+15005550001"),
            ("Body", "leaving at 5"),
            ("FromCity", "OAKLAND"),
            ("NumMedia", "0"),
        ]))
        .unwrap();
        assert_eq!(sms.message_sid, "SM00000000000000000000000000000001");
        assert_eq!(sms.from.as_e164(), "+15005550006");
        assert_eq!(sms.to, "+15005550001");
        assert_eq!(sms.body, "leaving at 5");
        assert_eq!(sms.keyword(), None);
    }

    #[test]
    fn twilios_opt_out_type_wins_over_the_body() {
        let sms = InboundSms::from_params(&form(&[
            ("MessageSid", "SM1"),
            ("From", "+15005550006"),
            ("To", "+15005550001"),
            ("Body", "arrêtez"),
            ("OptOutType", "STOP"),
        ]))
        .unwrap();
        assert_eq!(sms.keyword(), Some(Keyword::Stop));
    }

    #[test]
    fn a_missing_or_malformed_from_is_a_clear_error_without_the_value() {
        let missing = InboundSms::from_params(&form(&[("MessageSid", "SM1"), ("To", "+1500")]));
        assert_eq!(missing, Err(InboundError::Missing("From")));
        let bad = InboundSms::from_params(&form(&[
            ("MessageSid", "SM1"),
            ("From", "5005550006"),
            ("To", "+15005550001"),
        ]))
        .unwrap_err();
        assert_eq!(bad, InboundError::InvalidFrom);
        assert!(!bad.to_string().contains("5005550006"));
        let no_sid = InboundSms::from_params(&form(&[("From", "+15005550006"), ("To", "x")]));
        assert_eq!(no_sid, Err(InboundError::Missing("MessageSid")));
    }
}
