//! The frame every driver-facing page shares (the request page, registration, the board, errors): the
//! document, its privacy meta tags and one style sheet — mobile-first, system fonts, large
//! touch targets, AA contrast and a visible focus outline.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Every driver-facing page: one column, system fonts, large touch targets, AA contrast, a visible focus outline.
pub(crate) const CSS: &str = "\
*,*::before,*::after{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:1.125rem;line-height:1.5;color:#1b1b1b;background:#fff}\
main{max-width:36rem;margin:0 auto;padding:1rem}\
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem;overflow-wrap:anywhere}\
h2{font-size:1.25rem;margin:1.75rem 0 .5rem}\
a{color:#0b5cad}\
.projection{font-size:1.3rem;font-weight:600;margin:0 0 1rem;padding:.75rem 1rem;border-left:.4rem solid #0b5cad;background:#eef4fb}\
.notice{margin:0 0 1rem;padding:.75rem 1rem;border:2px solid #1e6b34;background:#edf7ef;color:#14471f;font-weight:600}\
.ended{font-size:1.2rem;font-weight:600}\
.site-time{margin:-.5rem 0 1rem;color:#4a4a4a}\
.site-time strong{color:#1b1b1b}\
.question{margin:0 0 1rem;padding:.75rem 1rem;border:3px solid #8a5a00;background:#fff8e6}\
.question p{margin:0 0 .75rem}\
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem 1rem;margin:0}\
.facts dt{color:#4a4a4a;font-size:1rem}\
.facts dd{margin:0;font-weight:600;font-size:1.2rem}\
.chart{display:block;width:100%;height:auto}\
.field,fieldset{margin:0 0 1.25rem;padding:0;border:0;min-width:0}\
label,legend{display:block;font-weight:600;margin:0 0 .25rem;padding:0}\
.hint{margin:0 0 .25rem;color:#4a4a4a;font-size:1rem}\
input[type=time],input[type=number],input.time{display:block;width:100%;max-width:14rem;min-height:3rem;padding:.5rem .75rem;font:inherit;color:#1b1b1b;background:#fff;border:2px solid #1b1b1b;border-radius:.25rem}\
input[type=tel],input[type=text],input[type=password]{display:block;width:100%;min-height:3rem;padding:.5rem .75rem;font:inherit;color:#1b1b1b;background:#fff;border:2px solid #1b1b1b;border-radius:.25rem}\
input.short{max-width:14rem}\
input[aria-invalid=true]{border:3px solid #b00020}\
.choice{display:flex;align-items:center;gap:.75rem;min-height:3rem}\
.choice input{width:1.75rem;height:1.75rem;margin:0;accent-color:#0b5cad}\
.choice label{flex:1;margin:0;padding:.5rem 0;font-weight:400}\
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
pub(crate) fn layout(title: &str, content: Markup) -> Markup {
    layout_with(title, "", content)
}

/// [`layout`] with a page's own styles after the shared ones (the board's).
pub(crate) fn layout_with(title: &str, extra_css: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // Links are personal: keep them out of search engines and Referer headers.
                meta name="robots" content="noindex, nofollow";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(CSS)) (PreEscaped(extra_css)) }
            }
            body { main { (content) } }
        }
    }
}
