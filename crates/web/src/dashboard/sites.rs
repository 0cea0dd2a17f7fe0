//! `GET /dashboard`: the sites the operator may see (every site for an admin, the granted
//! ones for a site operator), each linking to its overview and reports.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::Site;
use maud::html;

use super::frame::{Frame, Section, page};
use super::{internal, overview_path, reports_path};
use crate::AppState;
use crate::access::DashboardUser;

/// `GET /dashboard`.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: DashboardUser,
) -> Result<Response, Response> {
    let mut sites: Vec<Site> = state
        .store
        .list_sites()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|site| user.may_access(&site.id))
        .collect();
    sites.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    let frame = Frame {
        title: "Sites",
        user: &user,
        site: None,
        section: Section::Sites,
    };
    let content = html! {
        h1 { "Sites" }
        @if let Some(over) = state.replay_over() {
            p #replay-over .notice role="status" { (over) }
        }
        @if sites.is_empty() {
            p {
                @if user.is_admin() { "There are no sites yet." }
                @else { "No site has been granted to you yet. Ask an admin to grant you a site." }
            }
        } @else {
            div.table-wrap {
                table #sites {
                    caption.visually-hidden { "Your sites" }
                    thead {
                        tr {
                            th scope="col" { "Site" }
                            th scope="col" { "Id" }
                            th scope="col" { "Time zone" }
                            th scope="col" { "Reports" }
                        }
                    }
                    tbody {
                        @for site in &sites {
                            tr {
                                th scope="row" { a href=(overview_path(&site.id)) { (site.name) } }
                                td { code { (site.id) } }
                                td { (site.time_zone.name()) }
                                td { a href=(reports_path(&site.id)) { "Reports" span.visually-hidden { " for " (site.name) } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(page(&frame, content).into_string()).into_response())
}
