//! Registered pilot participants: the drivers we text and whose charging we plan.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{ParticipantId, SiteId, TokenUid};
use crate::member_id::MemberId;
use crate::phone::PhoneNumber;
use crate::plate::Plate;
use crate::session::Session;
use crate::units::WhPerMile;

/// Most charging tokens (cards, app accounts) one participant may register.
pub const MAX_TOKENS_PER_PARTICIPANT: usize = 20;

/// A driver registered at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Stable identifier.
    pub id: ParticipantId,
    /// The short code on their sticker, which others text to reach them; unique across all
    /// sites (the store refuses a duplicate), public by design.
    pub member_id: MemberId,
    /// The site they are registered at.
    pub site_id: SiteId,
    /// Where we text them; never logged.
    pub phone: PhoneNumber,
    /// Their RFID cards / app tokens, matched against new sessions; unique, at most 20.
    pub token_uids: Vec<TokenUid>,
    /// Their vehicle's consumption, to turn miles into kWh.
    pub wh_per_mile: WhPerMile,
    /// Their licence plate, if they gave one; for operators only, never shown to others.
    pub plate: Option<Plate>,
    /// When they were registered.
    pub created_at: DateTime<Utc>,
}

impl Participant {
    /// Builds a participant without a plate; duplicate token uids are dropped (keeping the
    /// first occurrence's position) and more than 20 distinct tokens is an error.
    pub fn new(
        id: ParticipantId,
        member_id: MemberId,
        site_id: SiteId,
        phone: PhoneNumber,
        token_uids: Vec<TokenUid>,
        wh_per_mile: WhPerMile,
        created_at: DateTime<Utc>,
    ) -> Result<Self, ValueError> {
        let token_uids = dedup_tokens(token_uids)?;
        Ok(Self {
            id,
            member_id,
            site_id,
            phone,
            token_uids,
            wh_per_mile,
            plate: None,
            created_at,
        })
    }

    /// The participant with `plate` (or none).
    pub fn with_plate(self, plate: Option<Plate>) -> Self {
        Self { plate, ..self }
    }

    /// Whether `uid` is one of this participant's tokens.
    pub fn has_token(&self, uid: &TokenUid) -> bool {
        self.token_uids.contains(uid)
    }

    /// Whether the session was started with one of this participant's tokens.
    pub fn is_driver_of(&self, session: &Session) -> bool {
        session
            .token_uid
            .as_ref()
            .is_some_and(|uid| self.has_token(uid))
    }
}

/// Removes duplicates keeping first occurrences, then enforces the limit.
pub fn dedup_tokens(token_uids: Vec<TokenUid>) -> Result<Vec<TokenUid>, ValueError> {
    let mut out: Vec<TokenUid> = Vec::with_capacity(token_uids.len());
    for t in token_uids {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > MAX_TOKENS_PER_PARTICIPANT {
        return Err(ValueError::invalid(
            "token_uids",
            format!(
                "at most {MAX_TOKENS_PER_PARTICIPANT} cards or tokens per participant, got {}",
                out.len()
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str) -> TokenUid {
        TokenUid::parse(s).unwrap()
    }

    fn participant(tokens: Vec<TokenUid>) -> Result<Participant, ValueError> {
        Participant::new(
            ParticipantId::parse("driver-1").unwrap(),
            MemberId::parse("K7QX2M").unwrap(),
            SiteId::parse("lot-b").unwrap(),
            PhoneNumber::parse("+14155550123").unwrap(),
            tokens,
            WhPerMile::default(),
            "2026-06-01T00:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn duplicate_tokens_are_dropped_regardless_of_case() {
        let p = participant(vec![tok("abc"), tok("DEF"), tok("ABC"), tok("def")]).unwrap();
        assert_eq!(p.token_uids, [tok("ABC"), tok("DEF")]);
        assert!(p.has_token(&tok("aBc")));
        assert!(!p.has_token(&tok("XYZ")));
    }

    #[test]
    fn at_most_twenty_distinct_tokens_are_accepted() {
        let twenty: Vec<TokenUid> = (0..20).map(|i| tok(&format!("T{i}"))).collect();
        assert_eq!(participant(twenty.clone()).unwrap().token_uids.len(), 20);
        let mut with_dups = twenty.clone();
        with_dups.extend(twenty.iter().take(5).cloned());
        assert_eq!(participant(with_dups).unwrap().token_uids.len(), 20);
        let mut too_many = twenty;
        too_many.push(tok("T20"));
        assert_eq!(
            participant(too_many).unwrap_err().to_string(),
            "token_uids: at most 20 cards or tokens per participant, got 21"
        );
    }

    #[test]
    fn a_participant_round_trips_through_json_without_masking_the_stored_phone() {
        let p = participant(vec![tok("abc")])
            .unwrap()
            .with_plate(Some(Plate::parse("7ABC123", Some("CA")).unwrap()));
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"+14155550123\""), "{json}");
        assert!(json.contains("\"K7QX2M\""), "{json}");
        assert_eq!(serde_json::from_str::<Participant>(&json).unwrap(), p);
        let debug = format!("{p:?}");
        assert!(!debug.contains("4155550123"), "{debug}");
        assert!(!debug.contains("7ABC123"), "{debug}");
    }
}
