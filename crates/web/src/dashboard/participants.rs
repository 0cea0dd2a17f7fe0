//! `GET /dashboard/sites/{site_id}/participants`: the site's registered drivers — by alias,
//! never by phone number — with their member ID, how many cards they use, their plate if
//! given (operators only) and a link to each printable sticker.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::Participant;
use maud::{Markup, html};

use super::frame::{Frame, Section, page};
use super::{granted_site, internal};
use crate::AppState;
use crate::access::DashboardUser;
use crate::sticker::sticker_path;
use chargeplan_reports::driver_alias;

/// `GET /dashboard/sites/{site_id}/participants`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
) -> Result<Response, Response> {
    let site = granted_site(&state, &user, &site_id).await?;
    let participants = state
        .store
        .list_participants(&site.id)
        .await
        .map_err(internal)?;
    let title = format!("Participants — {}", site.name);
    let frame = Frame {
        title: &title,
        user: &user,
        site: Some(&site),
        section: Section::Participants,
    };
    let tz = site.time_zone;
    let content = html! {
        h1 { "Participants" }
        @if participants.is_empty() {
            p { "Nobody has registered at this site yet." }
        } @else {
            p.muted {
                (participants.len()) " registered. Each member ID is printed on the driver's "
                "windscreen sticker; phone numbers are never shown here."
            }
            div.table-wrap {
                table #participants {
                    caption.visually-hidden { "Registered drivers" }
                    thead {
                        tr {
                            th scope="col" { "Driver" }
                            th scope="col" { "Member ID" }
                            th.num scope="col" { "Cards" }
                            th scope="col" { "Plate" }
                            th scope="col" { "Registered" }
                            th scope="col" { "Sticker" }
                        }
                    }
                    tbody {
                        @for participant in &participants {
                            (row(participant, tz))
                        }
                    }
                }
            }
        }
    };
    Ok(Html(page(&frame, content).into_string()).into_response())
}

fn row(participant: &Participant, tz: chrono_tz::Tz) -> Markup {
    let alias = driver_alias(Some(&participant.id), None);
    html! {
        tr {
            th.nowrap scope="row" { (alias) }
            td { code { (participant.member_id) } }
            td.num { (participant.token_uids.len()) }
            td {
                @match &participant.plate {
                    Some(plate) => {
                        (plate.number())
                        @if let Some(region) = plate.region() { span.muted { " (" (region) ")" } }
                    }
                    None => { span.muted { "—" } }
                }
            }
            td.nowrap { (participant.created_at.with_timezone(&tz).format("%Y-%m-%d")) }
            td {
                a href=(sticker_path(&participant.member_id)) {
                    "Sticker" span.visually-hidden { " of " (alias) }
                }
            }
        }
    }
}
