//! The words of every text we send a driver, in one place.

/// The first text of a session: where to tell us when they leave and what they need.
pub fn welcome(site_name: &str, link: &str) -> String {
    format!("Welcome to {site_name}. Tell us when you leave and how much you need: {link}")
}

/// Sent when a request is saved: the plan's projection in one sentence.
pub fn confirmation(projection_sentence: &str) -> String {
    format!("{projection_sentence} Change it any time with the link in your welcome text.")
}

/// Sent when the projection got noticeably worse than what we last said.
pub fn projection_worse(projection_sentence: &str) -> String {
    format!("Update: {projection_sentence}")
}

/// The one-time code of a self-registration.
pub fn verification_code(site_name: &str, code: &str, minutes: i64) -> String {
    format!("Your code to register at {site_name} is {code}. It expires in {minutes} minutes.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_names_the_site_and_carries_the_link() {
        assert_eq!(
            welcome("Caltech", "https://x.example/r/T"),
            "Welcome to Caltech. Tell us when you leave and how much you need: https://x.example/r/T"
        );
    }
}
