//! The frame of every dashboard page: the document, its own style sheet (desktop-first, wider
//! than the driver pages, responsive down to a phone, AA contrast, visible focus) and the top
//! navigation with the site, its Overview, Reports, Participants and Sharing links, the operator
//! and "Log out"; and the footer with the API's reference and its OpenAPI document.

use chargeplan_core::Site;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::access::DashboardUser;

/// The dashboard's style sheet. Text colours reach at least 4.5:1 on their backgrounds and
/// chart strokes at least 3:1 on white.
const CSS: &str = "\
*,*::before,*::after{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:1rem;line-height:1.5;color:#1b1b1b;background:#f4f5f7}\
a{color:#0b5cad}\
a:focus,button:focus,input:focus,select:focus,summary:focus{outline:3px solid #1b1b1b;outline-offset:2px}\
.topbar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1.5rem;background:#1b2a3a;color:#fff}\
.topbar a{color:#fff}\
.topbar a:focus,.topbar button:focus{outline-color:#fff}\
.brand{font-weight:700;text-decoration:none;margin-right:.5rem}\
.site-nav{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem}\
.site-name{font-weight:600}\
.nav{display:flex;gap:1rem;margin:0;padding:0;list-style:none}\
.nav a{display:inline-block;padding:.25rem 0;text-decoration:none;border-bottom:3px solid transparent}\
.nav a[aria-current=page]{border-bottom-color:#fff;font-weight:600}\
.nav a:hover{border-bottom-color:#9fc3ea}\
.who{margin-left:auto;display:flex;align-items:center;gap:1rem}\
.who form{margin:0}\
.who button{padding:.3rem .9rem;font:inherit;color:#1b2a3a;background:#fff;border:0;border-radius:.25rem;cursor:pointer}\
main{max-width:90rem;margin:0 auto;padding:1.25rem 1.5rem 3rem}\
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 1rem;overflow-wrap:anywhere}\
h2{font-size:1.25rem;margin:2rem 0 .75rem}\
h3{font-size:1.1rem;margin:0 0 .5rem}\
.card{background:#fff;border:1px solid #c9ced6;border-radius:.4rem;padding:1rem 1.25rem;margin:0 0 1rem}\
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1rem}\
.caps-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,40rem),1fr));gap:1rem}\
fieldset{margin:0;padding:0;border:0;min-width:0}\
legend{font-weight:700;padding:0;margin:0 0 .5rem}\
.notice{margin:0 0 1rem;padding:.75rem 1rem;border:2px solid #1e6b34;background:#edf7ef;color:#14471f;font-weight:600}\
.error-summary{margin:0 0 1rem;padding:.75rem 1rem;border:3px solid #b00020;background:#fff}\
.field-error{margin:0 0 .25rem;color:#b00020;font-weight:600}\
.muted{color:#4a4a4a}\
.facts{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:0 0 .75rem}\
.facts div{min-width:8rem}\
.facts dt{color:#4a4a4a;font-size:.9rem}\
.facts dd{margin:0;font-weight:600;font-size:1.1rem}\
.chart{display:block;width:100%;height:auto;background:#fff}\
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.5rem 0 0;padding:0;list-style:none;font-size:.95rem}\
.legend li{display:flex;align-items:center;gap:.4rem}\
.swatch{display:inline-block;width:1rem;height:1rem;border:1px solid #1b1b1b}\
.swatch.line{height:.25rem;border:0}\
table{border-collapse:collapse;width:100%;background:#fff}\
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #c9ced6;vertical-align:top}\
th{background:#e8ebf0;font-weight:600}\
tbody th{background:transparent}\
.nowrap{white-space:nowrap}\
.session-id{white-space:normal;overflow-wrap:anywhere;font-size:.8rem;font-weight:400}\
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\
.table-wrap{overflow-x:auto}\
details{margin:.75rem 0 0}\
summary{cursor:pointer;color:#0b5cad}\
.editor{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem 2rem}\
.editor form{margin:0}\
.field{margin:0 0 .75rem}\
label{display:block;font-weight:600;margin:0 0 .2rem}\
.hint{margin:0 0 .2rem;color:#4a4a4a;font-size:.9rem}\
input[type=checkbox]{width:1.25rem;height:1.25rem;vertical-align:-.2rem;margin:0 .4rem 0 0}\
input[type=number],input[type=text],input[type=date],select{display:block;width:100%;max-width:16rem;min-height:2.5rem;padding:.35rem .6rem;font:inherit;color:#1b1b1b;background:#fff;border:2px solid #4a4a4a;border-radius:.25rem}\
input[aria-invalid=true]{border:3px solid #b00020}\
button{min-height:2.5rem;padding:.4rem 1.1rem;font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:.25rem;cursor:pointer}\
button:hover{background:#084a8c}\
button.secondary{color:#0b5cad;background:#fff;border:2px solid #0b5cad}\
.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:1rem}\
.filters .field{margin:0}\
.status-ok{color:#1e6b34;font-weight:600}\
.status-bad{color:#b00020;font-weight:600}\
.footer{max-width:90rem;margin:0 auto;padding:1rem 1.5rem 2rem;border-top:1px solid #c9ced6;color:#4a4a4a}\
.footer a{margin-right:1.25rem}\
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}\
@media (max-width:40rem){.topbar{padding:.6rem 1rem}main{padding:1rem}.who{margin-left:0}.grid,.caps-grid{grid-template-columns:1fr}}";

/// Which part of a site the page shows (the nav marks it as the current page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// The list of sites.
    Sites,
    /// A site's overview: charts, sessions, caps.
    Overview,
    /// A site's reports.
    Reports,
    /// A site's registered drivers.
    Participants,
    /// A site's sharing settings and relay audit.
    Sharing,
}

/// What the frame needs besides the content.
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    /// The document title (starts with "Error: " when the page shows form errors).
    pub(crate) title: &'a str,
    /// The operator logged in.
    pub(crate) user: &'a DashboardUser,
    /// The site the page is about, if any.
    pub(crate) site: Option<&'a Site>,
    /// The current section.
    pub(crate) section: Section,
}

/// A whole dashboard page around `content`.
pub(crate) fn page(frame: &Frame<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="referrer" content="same-origin";
                title { (frame.title) " — chargeplan" }
                style { (PreEscaped(CSS)) }
            }
            body {
                (top_bar(frame))
                main #main { (content) }
                footer.footer {
                    a href=(crate::api::DOCS_PATH) { "API docs" }
                    a href="/api/v1/openapi.json" { "OpenAPI document" }
                }
            }
        }
    }
}

/// The navigation bar.
fn top_bar(frame: &Frame<'_>) -> Markup {
    let current = |section: Section| (frame.section == section).then_some("page");
    html! {
        header.topbar {
            a.brand href="/dashboard" { "chargeplan" }
            nav.site-nav aria-label="Dashboard" {
                @if let Some(site) = frame.site {
                    span.site-name { (site.name) }
                    ul.nav {
                        li { a href=(super::overview_path(&site.id)) aria-current=[current(Section::Overview)] { "Overview" } }
                        li { a href=(super::reports_path(&site.id)) aria-current=[current(Section::Reports)] { "Reports" } }
                        li { a href=(super::participants_path(&site.id)) aria-current=[current(Section::Participants)] { "Participants" } }
                        li { a href=(super::sharing_path(&site.id)) aria-current=[current(Section::Sharing)] { "Sharing" } }
                    }
                } @else {
                    ul.nav {
                        li { a href="/dashboard" aria-current=[current(Section::Sites)] { "Sites" } }
                    }
                }
            }
            div.who {
                span { span.visually-hidden { "Logged in as " } (frame.user.operator.name) }
                form method="post" action="/logout" {
                    input type="hidden" name="csrf" value=(frame.user.csrf_token);
                    button type="submit" { "Log out" }
                }
            }
        }
    }
}
