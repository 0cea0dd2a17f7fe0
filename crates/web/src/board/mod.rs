//! The "done charging" board of a site: `GET /sites/{site_id}/board`, a public, read-only,
//! mobile-first page of every port's state (free, charging, done, not drawing, held), the
//! car's energy against its request, the planned completion, the owner's return time and "OK
//! to unplug" where allowed, and the waitlist's length and outlook — no names, numbers,
//! member IDs or plates. `GET /sites/{site_id}/board/live` is the live block alone, which the
//! page's small script fetches every 20 s; without JavaScript the page is complete and says
//! when it was made. A site whose operator turned the board off (`board_enabled = false`)
//! answers 404 on every board route.
//!
//! Joining the waitlist from the board (`waitlist`): phone → texted code (the
//! self-registration's code flow and limits) → joined.

mod render;
mod view;
mod waitlist;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chargeplan_control::waitlist::{facts, ports};
use chargeplan_core::{Site, SiteId};
use chargeplan_store::StoreError;

use crate::AppState;
use crate::join::failure;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sites/{site_id}/board", get(show))
        .route("/sites/{site_id}/board/live", get(live))
        .route(
            "/sites/{site_id}/board/waitlist",
            post(waitlist::submit_phone),
        )
        .route(
            "/sites/{site_id}/board/waitlist/{id}",
            get(waitlist::show_code).post(waitlist::submit_code),
        )
}

fn board_path(site: &SiteId) -> String {
    format!("/sites/{site}/board")
}

async fn show(State(state): State<AppState>, Path(site_id): Path<String>) -> Response {
    let site = match board_site(&state, &site_id).await {
        Ok(Some(site)) => site,
        Ok(None) => return not_found(),
        Err(error) => return failure(&error),
    };
    match build(&state, &site).await {
        Ok(view) => {
            let path = board_path(&site.id);
            let hint = crate::join::flow::phone_hint(site.country);
            let page = render::page(
                &view,
                &format!("{path}/live"),
                &format!("{path}/waitlist"),
                &hint,
            );
            no_store(Html(page.into_string()).into_response())
        }
        Err(error) => failure(&error),
    }
}

async fn live(State(state): State<AppState>, Path(site_id): Path<String>) -> Response {
    let site = match board_site(&state, &site_id).await {
        Ok(Some(site)) => site,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => return failure(&error),
    };
    match build(&state, &site).await {
        Ok(view) => no_store(Html(render::live(&view).into_string()).into_response()),
        Err(error) => failure(&error),
    }
}

/// The board of `site` now.
async fn build(state: &AppState, site: &Site) -> Result<view::BoardView, StoreError> {
    let now = state.clock.now();
    let default_stay = state.control.config().default_stay;
    let facts = facts::load(state.store.as_ref(), &site.id, default_stay, now)
        .await
        .map_err(store_error)?;
    let ports = ports::port_states(&facts, now);
    let waiting = facts
        .line
        .iter()
        .filter(|e| e.state == chargeplan_store::EntryState::Waiting)
        .count();
    Ok(view::board(
        &site.name,
        &ports,
        waiting,
        site.time_zone,
        now,
    ))
}

/// The site, when it exists and its board is on.
async fn board_site(state: &AppState, site_id: &str) -> Result<Option<Site>, StoreError> {
    let Ok(id) = SiteId::parse(site_id) else {
        return Ok(None);
    };
    let site = match state.store.get_site(&id).await {
        Ok(site) => site,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let settings = state.store.get_sharing_settings(&id).await?;
    Ok(settings.board_enabled.then_some(site))
}

/// The control crate's error on loading, as the store error it always is here.
fn store_error(error: chargeplan_control::ControlError) -> StoreError {
    match error {
        chargeplan_control::ControlError::Store(error) => error,
        other => StoreError::Corrupt {
            what: "board",
            reason: other.to_string(),
        },
    }
}

/// The board changes by the second: never cached.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn not_found() -> Response {
    let page = crate::driver_page::render_error(
        "There is no charger board here. Check the link or scan the code at the charger again.",
    );
    (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
}
