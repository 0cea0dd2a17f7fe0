//! Texts drivers send us: parsing Twilio's inbound form and recognising the STOP, START and
//! HELP keywords.

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
const START_WORDS: [&str; 3] = ["START", "YES", "UNSTOP"];
const HELP_WORDS: [&str; 2] = ["HELP", "INFO"];

impl Keyword {
    /// The keyword `body` is: the whole message, trimmed, in any case ("STOP PLEASE" is not).
    pub fn classify(body: &str) -> Option<Self> {
        let word = body.trim();
        let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(word));
        if is(&STOP_WORDS) {
            Some(Self::Stop)
        } else if is(&START_WORDS) {
            Some(Self::Start)
        } else if is(&HELP_WORDS) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_opt_out_word_in_any_case_and_padding_means_stop() {
        for word in STOP_WORDS {
            assert_eq!(Keyword::classify(word), Some(Keyword::Stop), "{word}");
            let padded = format!("  {}\n", word.to_lowercase());
            assert_eq!(Keyword::classify(&padded), Some(Keyword::Stop), "{word}");
        }
        assert_eq!(Keyword::classify("Stop"), Some(Keyword::Stop));
    }

    #[test]
    fn opt_in_and_help_words_are_recognised() {
        for word in ["start", "Yes", "UNSTOP"] {
            assert_eq!(Keyword::classify(word), Some(Keyword::Start), "{word}");
        }
        for word in ["help", " INFO "] {
            assert_eq!(Keyword::classify(word), Some(Keyword::Help), "{word}");
        }
    }

    #[test]
    fn a_keyword_inside_a_longer_message_is_not_a_keyword() {
        for body in ["STOP PLEASE", "please stop", "stopp", "", "yes!", "17:00"] {
            assert_eq!(Keyword::classify(body), None, "{body:?}");
        }
    }

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
