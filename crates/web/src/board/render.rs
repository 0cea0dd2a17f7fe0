//! The board's HTML: the page (summary, ports, the waitlist form) in the drivers' shell, the
//! live block alone for the refresh script, and the pages of the waitlist's code flow.
//! Everything passed in is escaped by maud; states are words, never colour alone.

use maud::{Markup, PreEscaped, html};

use super::view::BoardView;
use crate::shell::layout_with;

/// Seconds between two refreshes of the live block.
pub(crate) const REFRESH_S: u32 = 20;

/// The board's own styles, on top of the shell's (AA contrast on white).
const BOARD_CSS: &str = "\
.summary{font-size:1.2rem;font-weight:600;margin:0 0 .5rem}\
.updated{color:#4a4a4a;font-size:1rem;margin:0 0 1rem}\
.ports{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:minmax(0,1fr);gap:.75rem}\
.port{border:2px solid #1b1b1b;border-radius:.5rem;padding:.75rem 1rem}\
.port{min-width:0}.port h3{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem;margin:0;font-size:1.15rem}\
.port ul{margin:.35rem 0 0;padding-left:1.1rem}\
.badge{font-size:1rem;font-weight:700;padding:.15rem .6rem;border-radius:1rem;border:2px solid currentColor}\
.badge.free{color:#14471f;background:#edf7ef}\
.badge.charging{color:#084a8c;background:#eef4fb}\
.badge.done{color:#6b3b00;background:#fff4e0}\
.badge.idle{color:#3d3d3d;background:#f2f2f2}\
.badge.held{color:#5a1f73;background:#f6eefa}\
.line{margin:1.5rem 0;padding:.75rem 1rem;border-left:.4rem solid #0b5cad;background:#eef4fb}";

/// Polls the live block and swaps it in; a failed fetch leaves the board as it was.
const SCRIPT: &str = "(function(){var b=document.getElementById('live');if(!b||!window.fetch)return;\
b.setAttribute('data-refresh','every '+b.dataset.every+' s');\
setInterval(function(){if(document.hidden)return;\
fetch(b.dataset.refreshUrl,{redirect:'error',cache:'no-store'}).then(function(r){if(!r.ok)throw r.status;return r.text();})\
.then(function(t){b.innerHTML=t;}).catch(function(){});},b.dataset.every*1000);})();";

/// The whole page.
pub(crate) fn page(
    view: &BoardView,
    live_url: &str,
    join_action: &str,
    phone_hint: &str,
) -> Markup {
    let title = format!("Chargers at {}", view.site_name);
    layout_with(
        &title,
        BOARD_CSS,
        html! {
            h1 { "Chargers at " (view.site_name) }
            section #live aria-live="polite" aria-label="Chargers now"
                data-refresh-url=(live_url) data-every=(REFRESH_S) {
                (live(view))
            }
            section aria-labelledby="join-heading" {
                h2 #join-heading { "Join the waitlist" }
                p {
                    "We text you when a charger frees up. Reply TAKE to hold it for a few minutes, "
                    "or SKIP. Your number is never shown to anyone."
                }
                (phone_form(join_action, "", None, phone_hint))
            }
            script { (PreEscaped(SCRIPT)) }
        },
    )
}

/// The block the script refreshes: the summary, the line, and every port.
pub(crate) fn live(view: &BoardView) -> Markup {
    html! {
        p.summary #summary {
            (view.free) " of " (view.ports.len()) " chargers free"
        }
        p.updated {
            "Updated " time { (view.updated) } " (site time). "
            "This page updates itself every " (REFRESH_S) " seconds; "
            a href="" { "reload" } " to update it now."
        }
        div.line #waitlist {
            p { strong { (waiting_words(view.waiting)) } }
            p { (view.outlook) }
        }
        h2 { "Chargers" }
        ul.ports {
            @for port in &view.ports {
                li.port {
                    h3 {
                        span { (port.label) }
                        span class=(format!("badge {}", port.class)) { (port.state) }
                    }
                    @if !port.details.is_empty() {
                        ul {
                            @for detail in &port.details {
                                li { (detail) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn waiting_words(waiting: usize) -> String {
    match waiting {
        0 => "Nobody is waiting.".to_owned(),
        1 => "1 driver is waiting.".to_owned(),
        n => format!("{n} drivers are waiting."),
    }
}

/// The phone form (with its error, if any).
pub(crate) fn phone_form(action: &str, value: &str, error: Option<&str>, hint: &str) -> Markup {
    let described = if error.is_some() {
        "phone-hint phone-error"
    } else {
        "phone-hint"
    };
    html! {
        form method="post" action=(action) novalidate {
            div.field {
                label for="phone" { "Mobile number" }
                p.hint #phone-hint { (hint) }
                @if let Some(error) = error {
                    p.field-error #phone-error { span.visually-hidden { "Error: " } (error) }
                }
                input #phone name="phone" type="tel" value=(value) autocomplete="tel" inputmode="tel"
                    aria-describedby=(described) aria-invalid=[error.map(|_| "true")];
            }
            button type="submit" { "Text me a code" }
        }
    }
}

/// The phone step again, with what was wrong.
pub(crate) fn phone_page(
    site: &str,
    action: &str,
    value: &str,
    error: &str,
    board: &str,
    hint: &str,
) -> Markup {
    layout_with(
        &format!("Error: Join the waitlist at {site}"),
        BOARD_CSS,
        html! {
            h1 { "Join the waitlist at " (site) }
            (phone_form(action, value, Some(error), hint))
            p { a href=(board) { "Back to the chargers" } }
        },
    )
}

/// The code step of joining.
pub(crate) fn code_page(
    site: &str,
    action: &str,
    masked_phone: &str,
    minutes: i64,
    error: Option<&str>,
) -> Markup {
    let title = if error.is_some() {
        format!("Error: Enter your code for {site}")
    } else {
        format!("Enter your code for {site}")
    };
    layout_with(
        &title,
        BOARD_CSS,
        html! {
            h1 { "Enter your code" }
            p role="status" {
                "We have texted a 6-digit code to " span.phone { (masked_phone) }
                ". It expires in " (minutes) " minutes."
            }
            form method="post" action=(action) novalidate {
                div.field {
                    label for="code" { "6-digit code" }
                    p.hint #code-hint { "From the text message we just sent." }
                    @if let Some(error) = error {
                        p.field-error #code-error { span.visually-hidden { "Error: " } (error) }
                    }
                    input #code name="code" type="text" autocomplete="one-time-code" inputmode="numeric"
                        class="short" aria-describedby=(if error.is_some() { "code-hint code-error" } else { "code-hint" })
                        aria-invalid=[error.map(|_| "true")];
                }
                button type="submit" { "Join the waitlist" }
            }
        },
    )
}

/// A page with a heading, sentences, and a link back to the board.
pub(crate) fn notice(heading: &str, sentences: &[&str], board: &str) -> Markup {
    layout_with(
        heading,
        BOARD_CSS,
        html! {
            h1 { (heading) }
            @for sentence in sentences {
                p { (sentence) }
            }
            p { a href=(board) { "Back to the chargers" } }
        },
    )
}
