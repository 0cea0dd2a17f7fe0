//! The Sharing page's HTML: the settings form (labels, units, ranges, the board switch) with
//! errors at their fields, the ports whose cable others may unplug, and the relay audit of
//! the last 7 days — roles and thread codes, never a phone number.

use chargeplan_core::{Port, SharingSettings, Site};
use chrono_tz::Tz;
use maud::{Markup, html};

use super::sharing_form::{BOARD_FIELD, SettingsErrors};
use crate::relay_audit::AuditLine;
use crate::sharing_fields::{BOARD_HINT, setting_fields};

/// What the page shows.
#[derive(Debug)]
pub(crate) struct SharingView<'a> {
    pub(crate) site: &'a Site,
    pub(crate) settings: &'a SharingSettings,
    pub(crate) ports: &'a [Port],
    pub(crate) audit: &'a [AuditLine],
    /// Whether older audit lines were left out.
    pub(crate) audit_truncated: bool,
    pub(crate) csrf: &'a str,
    /// A refused settings form.
    pub(crate) errors: Option<&'a SettingsErrors>,
    /// A refused cable toggle: the port and the message.
    pub(crate) port_error: Option<(&'a str, &'a str)>,
    /// The change just made, in words.
    pub(crate) notice: Option<&'a str>,
}

/// The id of a setting's input (the error summary links to it).
pub(crate) fn input_id(field: &str) -> String {
    format!("sharing-{}", field.replace('_', "-"))
}

/// The page's content (inside the frame).
pub(crate) fn sharing_content(view: &SharingView<'_>) -> Markup {
    html! {
        h1 { "Sharing" }
        @if let Some(errors) = view.errors {
            div.error-summary role="alert" aria-labelledby="error-summary-heading" {
                h2 #error-summary-heading style="margin-top:0" { "The settings were not saved" }
                ul {
                    @for (field, message) in &errors.errors {
                        li { a href=(format!("#{}", input_id(field))) { (message) } }
                    }
                }
            }
        }
        @if let Some((port, message)) = view.port_error {
            div.error-summary role="alert" {
                p { a href=(format!("#cable-{}", super::chart::dom_key(port))) { (message) } }
            }
        }
        @if let Some(notice) = view.notice {
            p #notice .notice role="status" { (notice) }
        }
        (settings_form(view))
        (cables(view))
        (audit_table(view))
    }
}

fn settings_form(view: &SharingView<'_>) -> Markup {
    let errors = view.errors;
    let board = errors.map_or(view.settings.board_enabled, |e| e.board_enabled);
    let numbers = view.settings.numbers();
    html! {
        section aria-labelledby="settings-heading" {
            h2 #settings-heading { "Settings" }
            form.card method="post" action=(super::sharing_path(&view.site.id)) novalidate {
                input type="hidden" name="csrf" value=(view.csrf);
                fieldset {
                    legend { "Public board" }
                    div.field {
                        label for=(input_id(BOARD_FIELD)) {
                            input #(input_id(BOARD_FIELD)) type="checkbox" name=(BOARD_FIELD) value="on" checked[board]
                                aria-describedby=(format!("{}-hint", input_id(BOARD_FIELD)));
                            " Show the site's board"
                        }
                        p.hint id=(format!("{}-hint", input_id(BOARD_FIELD))) { (BOARD_HINT) }
                    }
                }
                fieldset {
                    legend { "Relay, waitlist and reminders" }
                    div.editor {
                        @for field in setting_fields() {
                            @let id = input_id(field.name);
                            @let error = errors.and_then(|e| e.at(field.name));
                            @let saved = numbers.iter().find(|(n, _)| *n == field.name).map_or(field.default, |(_, v)| *v);
                            @let value = errors.and_then(|e| e.typed.get(field.name).cloned()).unwrap_or_else(|| saved.to_string());
                            div.field {
                                label for=(id) { (field.label) " (" (field.unit) ")" }
                                p.hint id=(format!("{id}-hint")) {
                                    (field.hint) " " (field.min) " to " (field.max) "; default " (field.default) "."
                                }
                                @if let Some(message) = error {
                                    p.field-error id=(format!("{id}-error")) { span.visually-hidden { "Error: " } (message) }
                                }
                                input id=(id) type="number" name=(field.name) value=(value)
                                    min=(field.min) max=(field.max) step="1" inputmode="numeric" required
                                    aria-describedby=(match error { Some(_) => format!("{id}-hint {id}-error"), None => format!("{id}-hint") })
                                    aria-invalid=[error.map(|_| "true")];
                            }
                        }
                    }
                }
                button type="submit" { "Save settings" }
            }
        }
    }
}

fn cables(view: &SharingView<'_>) -> Markup {
    html! {
        section aria-labelledby="cables-heading" {
            h2 #cables-heading { "Cables others may unplug" }
            p.muted { "Only these ports ever show \"OK to unplug\", and only after the car's owner replies OK. Leave it off for connectors that lock the cable." }
            @if view.ports.is_empty() {
                p.muted { "This site has no ports yet." }
            } @else {
                div.table-wrap {
                    table #cables {
                        thead { tr { th scope="col" { "Port" } th scope="col" { "Cable" } th scope="col" { "Change" } } }
                        tbody {
                            @for port in view.ports {
                                @let key = super::chart::dom_key(port.id.as_str());
                                tr id=(format!("cable-{key}")) {
                                    th scope="row" { (port.id) }
                                    td {
                                        @if port.cable_movable { "others may unplug it" } @else { "stays locked" }
                                    }
                                    td {
                                        form method="post" action=(super::sharing_port_path(&view.site.id, port.id.as_str())) {
                                            input type="hidden" name="csrf" value=(view.csrf);
                                            @if port.cable_movable {
                                                input type="hidden" name="cable_movable" value="no";
                                                button.secondary type="submit" { "Keep the cable of " (port.id) " locked" }
                                            } @else {
                                                input type="hidden" name="cable_movable" value="yes";
                                                button.secondary type="submit" { "Let others unplug " (port.id) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn audit_table(view: &SharingView<'_>) -> Markup {
    let tz = view.site.time_zone;
    html! {
        section aria-labelledby="audit-heading" {
            h2 #audit-heading { "Relay audit (last 7 days)" }
            p.muted {
                "Every message the relay carried or refused, newest first. Senders are shown by role; phone numbers never appear, and numbers, links and e-mail addresses typed in a text show as [removed]. Texts are deleted after "
                (view.settings.relay_body_retention_days) " days. Times in " (tz.name()) "."
            }
            @if view.audit.is_empty() {
                p.muted { "No relay messages in the last 7 days." }
            } @else {
                div.table-wrap {
                    table #relay-audit {
                        thead {
                            tr {
                                th scope="col" { "Time" }
                                th scope="col" { "Thread" }
                                th scope="col" { "From" }
                                th scope="col" { "Outcome" }
                                th scope="col" { "Text" }
                            }
                        }
                        tbody {
                            @for line in view.audit {
                                tr {
                                    td.nowrap { (local(line.at, tz)) }
                                    td { (line.thread_code.map_or_else(|| "—".to_owned(), |c| format!("[{c}]"))) }
                                    td { (sender(line.sender)) }
                                    td { code { (line.outcome) } }
                                    td {
                                        @match &line.body {
                                            Some(body) => { (body) }
                                            None => { span.muted { "deleted" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if view.audit_truncated {
                    p.muted { "Older lines are left out; the operator API's relay-log has them all." }
                }
            }
        }
    }
}

fn sender(role: &str) -> &'static str {
    match role {
        "waiter" => "waiting driver",
        "owner" => "car owner",
        _ => "stranger",
    }
}

/// "Mon 15 Jun 14:05" in the site's time zone.
fn local(at: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}
