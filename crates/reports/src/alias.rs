//! How the dashboard and the reports name a driver without saying who they are: participants
//! have no name field and their phone number is never shown, so a registered driver is
//! "Driver 3F2A" (the last four hex digits of a hash of their participant id: stable, and not
//! the id itself), and a car nobody registered is named after its port. The same label is on
//! the dashboard's pages and in the reports' JSON and CSV, beside the session id.

use chargeplan_core::{ParticipantId, PortId};
use sha2::{Digest as _, Sha256};

/// "Driver 3F2A" for a participant, "Guest on p1" (or "Guest") for an unmatched session.
pub fn driver_alias(participant: Option<&ParticipantId>, port: Option<&PortId>) -> String {
    match (participant, port) {
        (Some(id), _) => {
            let digest = Sha256::digest(id.as_str().as_bytes());
            let tail = &digest[digest.len() - 2..];
            format!("Driver {:02X}{:02X}", tail[0], tail[1])
        }
        (None, Some(port)) => format!("Guest on {port}"),
        (None, None) => "Guest".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_participant_gets_a_stable_four_digit_alias() {
        let id = ParticipantId::parse("0190a1b2-0000-7000-8000-000000000001").unwrap();
        let alias = driver_alias(Some(&id), None);
        assert_eq!(
            alias,
            driver_alias(Some(&id), PortId::parse("p1").ok().as_ref())
        );
        assert!(alias.starts_with("Driver "), "{alias}");
        assert_eq!(alias.len(), "Driver ".len() + 4);
        assert!(!alias.contains("0190a1b2"), "not the id itself: {alias}");
    }

    #[test]
    fn an_unregistered_car_is_named_after_its_port() {
        let port = PortId::parse("s1-p2").unwrap();
        assert_eq!(driver_alias(None, Some(&port)), "Guest on s1-p2");
        assert_eq!(driver_alias(None, None), "Guest");
    }
}
