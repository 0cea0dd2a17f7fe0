//! `GET /dev/garage`: for trying chargeplan out on one's own machine (served only with the
//! console SMS page, as `chargeplan demo` runs it) — every car plugged in now with the member
//! ID on its sticker, as someone walking through the garage would read them. Never on a real
//! server: real member IDs are read off windscreens, not listed.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::html;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/dev/garage", get(show))
}

/// One parked car as a passer-by sees it.
struct Car {
    site: String,
    port: String,
    member_id: String,
    kwh: f64,
    drawing: bool,
}

async fn show(State(state): State<AppState>) -> Response {
    if !state.dev_pages {
        return StatusCode::NOT_FOUND.into_response();
    }
    match cars(&state).await {
        Ok(cars) => Html(page(&cars, state.replay_over()).into_string()).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "could not list the garage");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn cars(state: &AppState) -> Result<Vec<Car>, chargeplan_store::StoreError> {
    let mut cars = Vec::new();
    for site in state.store.list_sites().await? {
        let participants = state.store.list_participants(&site.id).await?;
        for session in state.store.list_open_sessions(&site.id).await? {
            let Some(owner) = participants.iter().find(|p| p.is_driver_of(&session)) else {
                continue;
            };
            cars.push(Car {
                site: site.name.clone(),
                port: session
                    .port_id
                    .as_ref()
                    .map_or_else(|| "?".to_owned(), |port| port.to_string()),
                member_id: owner.member_id.to_string(),
                kwh: session.energy.get(),
                drawing: session.power.get() > 0.1,
            });
        }
    }
    cars.sort_by(|a, b| (&a.site, &a.port).cmp(&(&b.site, &b.port)));
    Ok(cars)
}

fn page(cars: &[Car], over: Option<&str>) -> maud::Markup {
    crate::shell::layout(
        "The garage (demo)",
        html! {
            h1 { "The garage" }
            p {
                "Cars plugged in now, with the member ID on each sticker. To reach an owner, text "
                "the ID and a message from the " a href="/dev/sms" { "SMS console" }
                " as a driver who is waiting, e.g. from +1 555 010 0199."
            }
            @if let Some(over) = over {
                p.notice role="status" { (over) }
            }
            @if cars.is_empty() {
                p { "No cars are plugged in right now." }
            } @else {
                table {
                    thead { tr { th { "Site" } th { "Port" } th { "Sticker" } th { "Energy so far" } } }
                    tbody {
                        @for car in cars {
                            tr {
                                td { (car.site) }
                                td { (car.port) }
                                td { a href=(format!("/sticker/{}", car.member_id)) { (car.member_id) } }
                                td {
                                    (format!("{:.1} kWh", car.kwh))
                                    @if !car.drawing { " (not drawing)" }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
