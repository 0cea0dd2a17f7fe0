//! The frame of the registration pages: document, styles, error summary and field widgets.
//!
//! The look follows the driver page (`driver_page/render.rs`), whose layout is private to
//! that module; the styles below are the subset these pages use, with the same colours,
//! sizes and focus outline.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::driver_page::FormErrors;

/// One column, system fonts, large touch targets, AA contrast, a visible focus outline.
const CSS: &str = "\
*,*::before,*::after{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:1.125rem;line-height:1.5;color:#1b1b1b;background:#fff}\
main{max-width:36rem;margin:0 auto;padding:1rem}\
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem;overflow-wrap:anywhere}\
h2{font-size:1.25rem;margin:1.75rem 0 .5rem}\
a{color:#0b5cad}\
.notice{margin:0 0 1rem;padding:.75rem 1rem;border:2px solid #1e6b34;background:#edf7ef;color:#14471f;font-weight:600}\
.field{margin:0 0 1.25rem}\
label{display:block;font-weight:600;margin:0 0 .25rem}\
.hint{margin:0 0 .25rem;color:#4a4a4a;font-size:1rem}\
input[type=tel],input[type=text]{display:block;width:100%;min-height:3rem;padding:.5rem .75rem;font:inherit;color:#1b1b1b;background:#fff;border:2px solid #1b1b1b;border-radius:.25rem}\
input.short{max-width:14rem}\
input[aria-invalid=true]{border:3px solid #b00020}\
button{display:block;width:100%;min-height:3rem;padding:.75rem 1.5rem;font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:.25rem}\
button:hover{background:#084a8c}\
a:focus,input:focus,button:focus{outline:3px solid #1b1b1b;outline-offset:3px}\
.error-summary{margin:0 0 1.25rem;padding:1rem;border:3px solid #b00020}\
.error-summary h2{margin:0 0 .5rem}\
.error-summary ul{margin:0;padding-left:1.25rem}\
.error-summary a{color:#b00020;font-weight:600}\
.field-error{margin:0 0 .25rem;color:#b00020;font-weight:600}\
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}";

/// The HTML document around a page's content. `title` starts with "Error: " when the page
/// shows form errors, so screen readers announce it first.
pub(super) fn layout(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { main { (content) } }
        }
    }
}

/// One labelled text input with its hint and inline error.
pub(super) struct Input<'a> {
    /// Field name, input id and error key.
    pub(super) name: &'a str,
    pub(super) label: &'a str,
    pub(super) hint: &'a str,
    /// `tel`, `text`.
    pub(super) kind: &'a str,
    pub(super) value: &'a str,
    /// `autocomplete` attribute (`tel`, `one-time-code`, `off`).
    pub(super) autocomplete: &'a str,
    /// `inputmode` attribute (`tel`, `numeric`, `decimal`, `text`).
    pub(super) inputmode: &'a str,
    /// A narrow input for short values.
    pub(super) short: bool,
}

impl Input<'_> {
    pub(super) fn render(&self, errors: &FormErrors) -> Markup {
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
pub(super) fn error_summary(heading: &str, errors: &FormErrors) -> Markup {
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
