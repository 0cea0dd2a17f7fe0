//! The cap editor of each circuit, as HTML: the static cap, the active overrides, the static
//! cap form, the temporary override form and "End overrides", with any error at its field.

use chargeplan_core::{CapOverride, Circuit, format_local_time};
use maud::{Markup, html};

use super::cap_input::{EditorError, EditorForm, Field};
use super::chart::dom_key;
use super::format::{kw, kw_attr};
use super::load::SiteState;

/// The duration an override form starts with.
const DEFAULT_OVERRIDE_MINUTES: &str = "60";

/// The editor of every circuit of the site.
pub(crate) fn cap_editor(state: &SiteState, csrf: &str, error: Option<&EditorError>) -> Markup {
    html! {
        section aria-labelledby="caps-heading" {
            h2 #caps-heading { "Caps" }
            @if state.circuits.is_empty() {
                p.muted { "This site has no circuits yet." }
            }
            div.caps-grid {
                @for circuit in &state.circuits {
                    @let mine = error.filter(|e| e.circuit_id == circuit.id.as_str());
                    (circuit_editor(state, circuit, csrf, mine))
                }
            }
        }
    }
}

fn circuit_editor(
    state: &SiteState,
    circuit: &Circuit,
    csrf: &str,
    error: Option<&EditorError>,
) -> Markup {
    let key = dom_key(circuit.id.as_str());
    let base = super::circuit_path(&state.site.id, &circuit.id);
    let overrides: Vec<&CapOverride> = state
        .overrides
        .iter()
        .filter(|o| o.circuit_id == circuit.id && o.expires_at > state.now)
        .collect();
    let cap_now = chargeplan_core::effective_cap(
        circuit,
        &state.scheduled,
        &state.overrides,
        state.site.time_zone,
        state.now,
    );
    let static_error = error.filter(|e| e.form == EditorForm::StaticCap);
    let override_error = error.filter(|e| e.form == EditorForm::Override);
    let static_value =
        static_error.map_or_else(|| kw_attr(circuit.cap.get()), |e| e.cap_kw.clone());
    let (tz, now) = (state.site.time_zone, state.now);
    html! {
        div.card id=(format!("caps-{key}")) {
            h3 { (circuit.name) }
            dl.facts {
                div { dt { "Static cap" } dd { (kw(circuit.cap.get())) " kW" } }
                div { dt { "Cap now" } dd { (kw(cap_now.get())) " kW" } }
            }
            @if !overrides.is_empty() {
                p { "Overrides:" }
                ul {
                    @for o in &overrides {
                        li {
                            (kw(o.cap.get())) " kW "
                            @if o.starts_at > now { "from " (format_local_time(o.starts_at, tz, now)) " " }
                            "until " (format_local_time(o.expires_at, tz, now))
                            @if !o.reason.is_empty() { " — " (o.reason) }
                        }
                    }
                }
            }
            div.editor {
                form method="post" action=(format!("{base}/cap")) novalidate {
                    fieldset {
                    legend { "Static cap" }
                    input type="hidden" name="csrf" value=(csrf);
                    (number_field(&format!("cap-{key}-static"), "cap_kw", "Cap (kW)",
                        Some("What the circuit may carry at any time."), &static_value,
                        static_error.filter(|e| e.field == Field::CapKw).map(|e| e.message.as_str())))
                    button type="submit" { "Set cap" }
                    }
                }
                form method="post" action=(format!("{base}/overrides")) novalidate {
                    fieldset {
                    legend { "Temporary override" }
                    input type="hidden" name="csrf" value=(csrf);
                    (number_field(&format!("cap-{key}-override-kw"), "cap_kw", "Temporary cap (kW)",
                        Some("Lower than the static cap, from now on."),
                        override_error.map_or("", |e| e.cap_kw.as_str()),
                        override_error.filter(|e| e.field == Field::CapKw).map(|e| e.message.as_str())))
                    (number_field(&format!("cap-{key}-override-min"), "duration_min", "For (minutes)", None,
                        override_error.map_or(DEFAULT_OVERRIDE_MINUTES, |e| e.duration_min.as_str()),
                        override_error.filter(|e| e.field == Field::DurationMin).map(|e| e.message.as_str())))
                    (text_field(&format!("cap-{key}-override-reason"), "reason", "Reason (optional)",
                        override_error.map_or("", |e| e.reason.as_str()),
                        override_error.filter(|e| e.field == Field::Reason).map(|e| e.message.as_str())))
                    button type="submit" { "Add override" }
                    }
                }
                @if !overrides.is_empty() {
                    form method="post" action=(format!("{base}/overrides/end")) {
                        input type="hidden" name="csrf" value=(csrf);
                        button.secondary type="submit" { "End overrides" }
                    }
                }
            }
        }
    }
}

fn number_field(
    id: &str,
    name: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    error: Option<&str>,
) -> Markup {
    let described = described_by(id, hint.is_some(), error.is_some());
    html! {
        div.field {
            label for=(id) { (label) }
            @if let Some(hint) = hint { p.hint id=(format!("{id}-hint")) { (hint) } }
            (field_error(id, error))
            input id=(id) type="number" name=(name) value=(value) step="any" min="0"
                inputmode="decimal" required
                aria-describedby=[described]
                aria-invalid=[error.map(|_| "true")];
        }
    }
}

fn text_field(id: &str, name: &str, label: &str, value: &str, error: Option<&str>) -> Markup {
    let described = described_by(id, false, error.is_some());
    html! {
        div.field {
            label for=(id) { (label) }
            (field_error(id, error))
            input id=(id) type="text" name=(name) value=(value) maxlength="200"
                aria-describedby=[described]
                aria-invalid=[error.map(|_| "true")];
        }
    }
}

fn field_error(id: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error {
            p.field-error id=(format!("{id}-error")) { span.visually-hidden { "Error: " } (message) }
        }
    }
}

fn described_by(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}
