//! `GET /sticker/{member_id}`: the printable windscreen sticker of a member — the ID in large
//! type, the service number to text and a QR code of the link to `/c/{ID}`, where someone
//! waiting for the charger can reach the owner. The ID is public by design (it is on the
//! windscreen); the page shows nothing else about the member: no phone, no plate, no site.
//! An unknown or malformed ID gets the same plain 404 page.

mod qr;
mod render;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chargeplan_core::MemberId;

use crate::AppState;
use render::{Sticker, not_found_page, sticker_page};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/sticker/{member_id}", get(show))
}

/// Where a member's sticker is.
pub(crate) fn sticker_path(member_id: &MemberId) -> String {
    format!("/sticker/{member_id}")
}

/// The link on the sticker: the member's contact page under the public base URL.
pub(crate) fn contact_link(public_url: &str, member_id: &MemberId) -> String {
    format!("{}/c/{member_id}", public_url.trim_end_matches('/'))
}

async fn show(State(state): State<AppState>, Path(member_id): Path<String>) -> Response {
    let Ok(member_id) = MemberId::parse(&member_id) else {
        return not_found();
    };
    match state.store.find_participant_by_member_id(&member_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(error) => {
            let mut response = (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again in a minute.",
            )
                .into_response();
            response
                .extensions_mut()
                .insert(crate::ErrorReason(error.to_string()));
            return response;
        }
    }
    let link = contact_link(&state.control.config().public_url, &member_id);
    let svg = qr::qr_svg(&link);
    let page = sticker_page(&Sticker {
        member_id: &member_id,
        number: state.public_sms_number.as_ref(),
        link: &link,
        qr_svg: svg.as_deref(),
    });
    Html(page.into_string()).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(not_found_page().into_string())).into_response()
}
