//! The operator JSON API, under `/api/v1`.
//!
//! Every route needs `Authorization: Bearer <admin token>`; the token is checked against the
//! SHA-256 in [`AppState::admin_token_hash`](crate::AppState) in constant time. Without a
//! configured token every route answers 401 ("the operator API is off: set
//! api.admin_token").
//!
//! Participants of a site:
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/v1/sites/{site_id}/participants` | 200 `{"participants": [...]}` |
//! | `POST /api/v1/sites/{site_id}/participants` | 201 the participant (and `Location`) |
//! | `GET /api/v1/sites/{site_id}/participants/{participant_id}` | 200 the participant |
//! | `PUT /api/v1/sites/{site_id}/participants/{participant_id}` | 200 the participant |
//! | `DELETE /api/v1/sites/{site_id}/participants/{participant_id}` | 204 |
//!
//! The body of `POST` and `PUT` (a `PUT` replaces everything but the id and creation time):
//! `{"phone": "+14155550101", "token_uids": ["04A2B3C4"], "wh_per_mile": 300}`; the phone
//! in E.164 form, at least one token uid, `wh_per_mile` optional (default 300).
//!
//! **Phone numbers are shown masked** (`+•••••••••01`) in every answer except the 201 of a
//! create and the `GET` of one participant, where operators need to check the number; lists
//! are what end up in screenshots and logs.
//!
//! Errors have one shape, `{"error": {"message": "...", "field": "phone"}}` (`field` is
//! `null` when the error is not about one field): 401 without the admin token, 404 for an
//! unknown site or participant (a participant of another site is unknown), 409 when the
//! phone or a token uid belongs to another participant of the site, 422 for an invalid
//! field, and an opaque 500 whose reason is only logged.

mod auth;
mod error;
mod participants;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/sites/{site_id}/participants",
            get(participants::list).post(participants::create),
        )
        .route(
            "/api/v1/sites/{site_id}/participants/{participant_id}",
            get(participants::show)
                .put(participants::replace)
                .delete(participants::remove),
        )
}
