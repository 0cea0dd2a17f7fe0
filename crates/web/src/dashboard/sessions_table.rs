//! The overview's table of open sessions: who (an alias, never a phone number, with the
//! session id the reports' CSV has and a link to a registered driver's sticker), where, how
//! much so far against the request, departure, what the plan promises, any shortfall and
//! why, and where the newest setpoint is in its round trip to the vendor.

use chargeplan_control::control_state::ControlState;
use chargeplan_core::{
    Projection, RequestedEnergy, SessionId, Setpoint, SetpointState, ShortfallCause,
    format_local_time,
};
use maud::{Markup, html};

use super::chart::band_colour;
use super::format::kw;
use super::load::{OpenSession, SiteState};
use super::series::BandKind;
use crate::sticker::sticker_path;

/// The table, or a sentence when no car is plugged in.
pub(crate) fn sessions_table(state: &SiteState) -> Markup {
    html! {
        section aria-labelledby="sessions-heading" {
            h2 #sessions-heading { "Sessions" }
            @if state.sessions.is_empty() {
                p.muted { "No car is charging at this site now." }
            } @else {
                div.table-wrap {
                    table #sessions {
                        caption.visually-hidden { "Open charging sessions" }
                        thead {
                            tr {
                                th scope="col" { "Driver" }
                                th scope="col" { "Port" }
                                th.num scope="col" { "Delivered / requested" }
                                th scope="col" { "Departure" }
                                th scope="col" { "Projection" }
                                th scope="col" { "Shortfall" }
                                th scope="col" { "Setpoint" }
                            }
                        }
                        tbody {
                            @for open in &state.sessions {
                                (row(state, open))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "Session 0190…", the id the reports' CSV and the API name the session by.
pub(crate) fn session_id(id: &SessionId) -> Markup {
    html! {
        span.muted.session-id { "Session " code { (id) } }
    }
}

fn row(state: &SiteState, open: &OpenSession) -> Markup {
    let (tz, now) = (state.site.time_zone, state.now);
    let session = &open.session;
    let planned = state
        .plan
        .as_ref()
        .and_then(|plan| plan.session(&session.id).map(|sp| (plan, sp)));
    let projection = match (planned, &open.request) {
        (Some((plan, sp)), Some(request)) => Some(Projection::from_plan(
            plan,
            sp,
            session.energy.get(),
            request,
            now,
        )),
        _ => None,
    };
    let requested = match open.request.as_ref().map(|r| r.energy) {
        Some(RequestedEnergy::Kwh(kwh)) => format!("{} kWh", kw(kwh.get())),
        Some(RequestedEnergy::AsMuchAsPossible) => "as much as possible".to_owned(),
        None => "no request".to_owned(),
    };
    html! {
        tr {
            th.nowrap scope="row" {
                span.swatch style=(format!("background:{}", band_colour(BandKind::Session(open.colour)))) aria-hidden="true" {}
                " " (open.alias)
                br;
                (session_id(&session.id))
                @if let Some(member_id) = &open.member_id {
                    br;
                    a.muted href=(sticker_path(member_id)) {
                        "Sticker " (member_id) span.visually-hidden { " of " (open.alias) }
                    }
                }
            }
            td.nowrap { (session.port_id.as_ref().map_or("—", |p| p.as_str())) }
            td.num { (kw(session.energy.get())) " kWh / " (requested) }
            td {
                @match &open.request {
                    Some(request) => { (format_local_time(request.departure, tz, now)) }
                    None => { span.muted { "not given" } }
                }
            }
            td {
                @match (&projection, planned) {
                    (Some(p), _) => {
                        "~" (kw(p.delivered_kwh)) " kWh by " (format_local_time(p.departure, tz, now))
                        @if let Some(done) = p.completion.filter(|_| p.is_met()) {
                            br; span.muted { "done at " (format_local_time(done, tz, now)) }
                        }
                    }
                    (None, Some((plan, sp))) => {
                        "~" (kw(session.energy.get() + plan.remaining_kwh(sp, now))) " kWh planned"
                    }
                    (None, None) => { span.muted { "not planned" } }
                }
            }
            td {
                @match &projection {
                    Some(p) if !p.is_met() => {
                        span.status-bad { (kw(p.shortfall_kwh)) " kWh short" }
                        @if let Some(cause) = p.cause {
                            br; span.muted { (cause_text(cause)) }
                        }
                    }
                    Some(_) => { span.status-ok { "none" } }
                    None => { span.muted { "—" } }
                }
            }
            td {
                (setpoint_state(open.setpoint.as_ref(), now))
                @if let Some(control) = &open.control {
                    (control_state(control, tz))
                }
            }
        }
    }
}

/// Why a session falls short, for operators.
fn cause_text(cause: ShortfallCause) -> &'static str {
    match cause {
        ShortfallCause::SiteAtCapacity => "a circuit is at its cap",
        ShortfallCause::NotEnoughTime => "more than the port delivers before departure",
        ShortfallCause::PowerSteps => "the charger's minimum power steps",
    }
}

/// Why a session is not under control and when it is tried again: "counts at its maximum:
/// refused (not_supported), retry at 16:05" or "... outcome unknown (http_503, 2 in a row),
/// retry at 16:00:20".
fn control_state(state: &ControlState, tz: chrono_tz::Tz) -> Markup {
    let at = |retry_at: &chrono::DateTime<chrono::Utc>| {
        retry_at.with_timezone(&tz).format("%H:%M:%S").to_string()
    };
    match state {
        ControlState::Controlled => html! {},
        ControlState::Refused { reason, retry_at } => html! {
            br;
            span.status-bad.control-state data-control="refused" {
                "counts at its maximum: refused"
                @if let Some(reason) = reason { " (" (reason) ")" }
                ", retry at " (at(retry_at))
            }
        },
        ControlState::Unknown {
            reason,
            attempts,
            retry_at,
        } => html! {
            br;
            span.status-bad.control-state data-control="unknown" {
                "counts at its maximum: outcome unknown ("
                (reason.as_deref().unwrap_or("no answer")) ", " (attempts) " in a row)"
                ", retry at " (at(retry_at))
            }
        },
    }
}

/// "accepted · 7.2 kW now", "pending", or "none sent".
fn setpoint_state(setpoint: Option<&Setpoint>, now: chrono::DateTime<chrono::Utc>) -> Markup {
    let Some(setpoint) = setpoint else {
        return html! { span.muted { "none sent" } };
    };
    let class = match setpoint.state {
        SetpointState::Accepted => "status-ok",
        SetpointState::Pending => "",
        SetpointState::Rejected | SetpointState::Failed => "status-bad",
    };
    html! {
        span class=(class) { (setpoint.state.as_str()) }
        @if let Some(limit) = setpoint.limit_at(now) {
            " · " (kw(limit)) " kW now"
        }
    }
}
