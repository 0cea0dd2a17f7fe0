//! Registering a participant under a fresh member ID: the caller draws one, the store refuses
//! a duplicate, and this draws again a few times (with about 29 bits per ID, a second draw is
//! already rare at a million members).

use chargeplan_core::{MemberId, Participant};

use crate::{ParticipantStore, StoreError};

/// How many member IDs are drawn for one new participant before giving up.
pub const MEMBER_ID_ATTEMPTS: usize = 5;

/// Inserts `participant`, keeping its member ID when free and otherwise drawing new ones (at
/// most [`MEMBER_ID_ATTEMPTS`] in all). Returns the participant as stored. Any other error,
/// such as the phone already registered at the site, is returned at once and changes nothing.
pub async fn register_participant<S>(
    store: &S,
    mut participant: Participant,
) -> Result<Participant, StoreError>
where
    S: ParticipantStore + ?Sized,
{
    let mut attempt = 1;
    loop {
        match store.insert_participant(&participant).await {
            Ok(()) => return Ok(participant),
            Err(error) if error.is_member_id_taken() && attempt < MEMBER_ID_ATTEMPTS => {
                attempt += 1;
                participant.member_id = MemberId::generate(&mut rand::rng());
            }
            Err(error) => return Err(error),
        }
    }
}
