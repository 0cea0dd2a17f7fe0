//! The widgets of the registration pages (error summary, labelled inputs); the document and
//! styles are the shared `shell`.

use maud::{Markup, html};

use crate::driver_page::FormErrors;

pub(crate) use crate::shell::layout;

/// One labelled text input with its hint and inline error.
pub(crate) struct Input<'a> {
    /// Field name, input id and error key.
    pub(crate) name: &'a str,
    pub(crate) label: &'a str,
    pub(crate) hint: &'a str,
    /// `tel`, `text`.
    pub(crate) kind: &'a str,
    pub(crate) value: &'a str,
    /// `autocomplete` attribute (`tel`, `one-time-code`, `off`).
    pub(crate) autocomplete: &'a str,
    /// `inputmode` attribute (`tel`, `numeric`, `decimal`, `text`).
    pub(crate) inputmode: &'a str,
    /// A narrow input for short values.
    pub(crate) short: bool,
}

impl Input<'_> {
    pub(crate) fn render(&self, errors: &FormErrors) -> Markup {
        let error = errors.get(self.name);
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let described_by = match error {
            Some(_) => format!("{hint_id} {error_id}"),
            None => hint_id.clone(),
        };
        html! {
            div.field {
                label for=(self.name) { (self.label) }
                p.hint id=(hint_id) { (self.hint) }
                @if let Some(message) = error {
                    p.field-error id=(error_id) {
                        span.visually-hidden { "Error: " } (message)
                    }
                }
                input id=(self.name) name=(self.name) type=(self.kind) value=(self.value)
                    class=[self.short.then_some("short")]
                    autocomplete=(self.autocomplete) inputmode=(self.inputmode)
                    spellcheck="false" aria-describedby=(described_by)
                    aria-invalid=[error.map(|_| "true")];
            }
        }
    }
}

/// The list of problems at the top of a form, each linking to its field (field names are
/// the inputs' ids).
pub(crate) fn error_summary(heading: &str, errors: &FormErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-heading" {
                h2 #error-summary-heading { (heading) }
                ul {
                    @for (field, message) in errors.iter() {
                        li { a href=(format!("#{field}")) { (message) } }
                    }
                }
            }
        }
    }
}
