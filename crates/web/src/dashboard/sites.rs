//! `GET /dashboard`: the sites the operator may see (every site for an admin, the granted
//! ones for a site operator), each with its state now (power against cap, cars charging, cars
//! done and still plugged in, alerts) and links to its overview and reports.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::Site;
use maud::html;

use super::format::kw;
use super::frame::{Frame, Section, page};
use super::load::{Detail, load};
use super::site_now::{SiteNow, site_now};
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
    let mut rows: Vec<(Site, SiteNow)> = Vec::with_capacity(sites.len());
    for site in sites {
        let loaded = load(&state, site.clone(), Detail::Charts)
            .await
            .map_err(internal)?;
        rows.push((site, site_now(&state, &loaded)));
    }
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
        @if rows.is_empty() {
            p {
                @if user.is_admin() { "There are no sites yet." }
                @else { "No site has been granted to you yet. Ask an admin to grant you a site." }
            }
        } @else {
            @for (site, now) in &rows {
                section.card data-site=(site.id) aria-labelledby=(format!("site-{}", site.id)) {
                    h2 #(format!("site-{}", site.id)) style="margin-top:0" {
                        a href=(overview_path(&site.id)) { (site.name) }
                    }
                    p.muted { code { (site.id) } " · " (site.time_zone.name()) }
                    dl.facts {
                        div {
                            dt { "Now" }
                            dd.site-power {
                                (kw(now.power_kw)) " kW"
                                @if let Some(cap) = now.cap_kw { " of " (kw(cap)) " kW cap" }
                            }
                        }
                        div { dt { "Charging" } dd.site-charging { (now.charging) } }
                        div { dt { "Done, still plugged in" } dd.site-done { (now.done_plugged_in) } }
                    }
                    div.site-alerts {
                        @if now.alerts.is_empty() { p.muted { "No alerts." } }
                        @else {
                            ul.alerts role="list" aria-label="Alerts" {
                                @for alert in &now.alerts { li { (alert) } }
                            }
                        }
                    }
                    p { a href=(reports_path(&site.id)) { "Reports" span.visually-hidden { " for " (site.name) } } }
                }
            }
            @if rows.iter().any(|(_, now)| now.not_reported > 0) {
                p.muted {
                    "Cars that have not reported a reading in the last 15 minutes (or not yet) are counted neither charging nor done."
                }
            }
        }
    };
    Ok(Html(page(&frame, content).into_string()).into_response())
}
