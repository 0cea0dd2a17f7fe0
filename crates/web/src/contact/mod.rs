//! `/c/{member_id}`: the page a waiting driver reaches by scanning a car's sticker. They write
//! a message, prove their phone with a texted one-time code (the self-registration's codes,
//! limits and attempt counting), and the relay opens a thread to the owner — whose number they
//! never see, and who never sees theirs.
//!
//! Any well-formed member ID gets the same pages, known or not, so the page cannot be used to
//! learn which IDs exist or who blocked whom. Nothing but the verification is stored before
//! the phone is verified; the message travels in the code form's hidden field.

mod render;
mod submit;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// Longest message accepted from the form, in characters (what the relay passes on).
const MAX_MESSAGE_CHARS: usize = 300;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{member_id}", get(submit::show).post(submit::send_code))
        .route("/c/{member_id}/verify", post(submit::verify))
}
