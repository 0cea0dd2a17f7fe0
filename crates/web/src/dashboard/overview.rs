//! `GET /dashboard/sites/{site_id}`: a site's overview — a chart per circuit, the open
//! sessions and the cap editor — and `GET /dashboard/sites/{site_id}/charts`, the chart block
//! alone, which the page's small script fetches every 15 seconds (the page is complete
//! without it).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Response};
use chargeplan_core::Site;
use maud::{Markup, PreEscaped, html};

use super::cap_editor::cap_editor;
use super::cap_input::{EditorError, field_id};
use super::chart::circuit_figure;
use super::flash;
use super::format::{clock_time, kw};
use super::frame::{Frame, Section, page};
use super::load::{Detail, SiteState, load};
use super::notice::{ChangeQuery, describe, not_plannable};
use super::series::site_charts;
use super::sessions_table::sessions_table;
use super::{charts_path, granted_site, internal};
use crate::AppState;
use crate::access::DashboardUser;

/// Refreshes the chart block every 15 s while the page is visible. No external files; a
/// failed or redirected fetch (e.g. the session expired) leaves the block as it was.
const REFRESH_SCRIPT: &str = r"(function () {
  var block = document.getElementById('charts');
  if (!block || !window.fetch) { return; }
  var url = block.getAttribute('data-refresh-url');
  block.setAttribute('data-refresh', 'every 15 s');
  window.setInterval(function () {
    if (document.hidden) { return; }
    fetch(url, { credentials: 'same-origin', redirect: 'manual', headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var open = Array.prototype.map.call(block.querySelectorAll('details[open]'), function (d) { return d.id; });
        block.innerHTML = html;
        open.forEach(function (id) { var d = document.getElementById(id); if (d) { d.open = true; } });
      })
      .catch(function () {});
  }, 15000);
})();";

/// What a page shows besides the site's state.
#[derive(Debug, Default)]
pub(crate) struct OverviewOptions {
    /// A refused cap form, shown at its field.
    pub(crate) error: Option<EditorError>,
    /// The change just made, described in a notice.
    pub(crate) change: ChangeQuery,
}

/// `GET /dashboard/sites/{site_id}`; a change just made (the flash cookie) is described
/// once, and the cookie deleted.
pub(crate) async fn show(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let site = granted_site(&state, &user, &site_id).await?;
    let flash: Option<ChangeQuery> = flash::read(&headers);
    let was_left = flash.is_some();
    let options = OverviewOptions {
        change: flash.unwrap_or_default(),
        ..OverviewOptions::default()
    };
    let page = overview_page(&state, &user, site, options).await?;
    if was_left {
        let shown = flash::shown(state.secure_cookies);
        return Ok(([(SET_COOKIE, shown)], page).into_response());
    }
    Ok(page.into_response())
}

/// `GET /dashboard/sites/{site_id}/charts`: the chart block as an HTML fragment.
pub(crate) async fn charts(
    State(state): State<AppState>,
    user: DashboardUser,
    Path(site_id): Path<String>,
) -> Result<Response, Response> {
    let site = granted_site(&state, &user, &site_id).await?;
    let site_state = load(&state, site, Detail::Charts).await.map_err(internal)?;
    Ok(Html(charts_block(&site_state).into_string()).into_response())
}

/// The whole overview page.
pub(crate) async fn overview_page(
    state: &AppState,
    user: &DashboardUser,
    site: Site,
    options: OverviewOptions,
) -> Result<Html<String>, Response> {
    let site_state = load(state, site, Detail::Page).await.map_err(internal)?;
    let notice = describe(state, &site_state, &options.change).await;
    let error = options.error.as_ref();
    let title = match error {
        Some(_) => format!("Error: {}", site_state.site.name),
        None => site_state.site.name.clone(),
    };
    let frame = Frame {
        title: &title,
        user,
        site: Some(&site_state.site),
        section: Section::Overview,
    };
    let content = html! {
        h1 { (site_state.site.name) }
        @if let Some(error) = error {
            div.error-summary role="alert" aria-labelledby="error-summary-heading" {
                h2 #error-summary-heading style="margin-top:0" { "The change was not made" }
                p { a href=(format!("#{}", field_id(error))) { (error.message) } }
            }
        }
        @if let Some(notice) = &notice {
            p #notice .notice role="status" { (notice) }
        }
        @if let Some(over) = state.replay_over() {
            p #replay-over .notice role="status" { (over) }
        }
        @if let Some(violation) = state.control.metrics().sites().worst_case_over_cap(&site_state.site.id) {
            div.error-summary #worst-case-over-cap role="alert" {
                h2 style="margin-top:0" { "Limits held back: the worst case is over a cap" }
                p {
                    "With every port not under control at its maximum, " (violation)
                    ". Only decreases are sent until it fits."
                }
            }
        }
        @if let Some(reason) = not_plannable(&site_state) {
            p #not-plannable .notice role="status" { (reason) }
        }
        @if let Some(reserves) = plan_reserves(state, &site_state.site.id) {
            p #plan-reserves .muted { (reserves) }
        }
        section aria-labelledby="charts-heading" {
            h2 #charts-heading { "Power by circuit" }
            div #charts data-refresh-url=(charts_path(&site_state.site.id)) {
                (charts_block(&site_state))
            }
        }
        (sessions_table(&site_state))
        (cap_editor(&site_state, &user.csrf_token, error))
        script { (PreEscaped(REFRESH_SCRIPT)) }
    };
    Ok(Html(page(&frame, content).into_string()))
}

/// What the latest plan held back on purpose, in words: the billing period's peak it priced
/// the demand charge above, and the power kept free for cars arriving before their first
/// limit. `None` when it held back neither.
fn plan_reserves(state: &AppState, site: &chargeplan_core::SiteId) -> Option<String> {
    let gauges = state.control.metrics().sites();
    let (billed, headroom) = (
        gauges.billed_peak_kw(site),
        gauges.arrival_headroom_kw(site),
    );
    let mut parts = Vec::new();
    if billed > 0.0 {
        parts.push(format!(
            "The demand charge is planned above {} kW, the highest load this billing period so \
             far: below it the plan uses the capacity freely.",
            kw(billed)
        ));
    }
    if headroom > 0.0 {
        parts.push(format!(
            "{} kW is kept free at the service for cars that plug in before their first limit \
             reaches them (driver.arrival_headroom).",
            kw(headroom)
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Every circuit's chart, with when the plan was made; the fragment the script refreshes.
pub(crate) fn charts_block(state: &SiteState) -> Markup {
    let tz = state.site.time_zone;
    let charts = site_charts(state);
    html! {
        p.muted {
            "Times in " (tz.name()) ". Updated " (clock_time(state.now, tz)) ". "
            @match &state.plan {
                Some(plan) => { "Plan computed at " (clock_time(plan.created_at, tz)) "." }
                None => { "No plan yet." }
            }
        }
        @if charts.is_empty() {
            p { "This site has no circuits yet." }
        }
        @for chart in &charts {
            div.card {
                h3 { (chart.name) }
                dl.facts {
                    div { dt { "Cap now" } dd { (kw(chart.cap_now_kw)) " kW" } }
                    div { dt { "Planned peak" } dd { (kw(chart.planned_peak_kw())) " kW" } }
                    div {
                        dt { "Measured now" }
                        dd {
                            @match chart.measured.last().filter(|s| s.to + chrono::Duration::minutes(10) >= chart.now) {
                                Some(last) => { (kw(last.kw)) " kW" }
                                None => { "—" }
                            }
                        }
                    }
                }
                (circuit_figure(chart))
            }
        }
    }
}
