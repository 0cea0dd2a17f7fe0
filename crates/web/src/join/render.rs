//! The registration pages' HTML: the join form, the code form, and the pages that end the
//! flow. Everything passed in is escaped by maud.

use chargeplan_core::{MemberId, Site};
use maud::{Markup, html};

use super::CODE_TTL_MINUTES;
use super::form::{CODE, CodeForm, JoinForm, PHONE, TOKENS, WH_PER_MILE, phone_hint};
use super::page::{Input, error_summary, layout};
use crate::driver_page::FormErrors;
use crate::sticker::sticker_path;

/// The first step: phone number, cards, vehicle.
pub(super) fn join_page(site: &Site, action: &str, form: &JoinForm, errors: &FormErrors) -> Markup {
    let hint = phone_hint(site.country);
    let site = site.name.as_str();
    let title = error_title(errors, &format!("Register at {site}"));
    layout(
        &title,
        html! {
            h1 { "Register at " (site) }
            (error_summary("Please check your details", errors))
            p {
                "Register once, and each time you plug in we will text you a link to tell us "
                "when you leave and how much charge you need."
            }
            form method="post" action=(action) novalidate {
                (Input {
                    name: PHONE, label: "Mobile number", kind: "tel", value: &form.phone,
                    hint: &hint,
                    autocomplete: "tel", inputmode: "tel", short: false,
                }.render(errors))
                (Input {
                    name: TOKENS, label: "Charging card or app number", kind: "text", value: &form.tokens,
                    hint: "The number printed on your RFID card or shown in the charging app. Separate several with commas or spaces.",
                    autocomplete: "off", inputmode: "text", short: false,
                }.render(errors))
                (Input {
                    name: WH_PER_MILE, label: "Your car's efficiency in Wh per mile (optional)", kind: "text",
                    value: &form.wh_per_mile,
                    hint: "Leave empty if you don't know; we assume 300, typical for a passenger EV.",
                    autocomplete: "off", inputmode: "decimal", short: true,
                }.render(errors))
                button type="submit" { "Text me a code" }
            }
        },
    )
}

/// The second step: the code, with the vehicle details in hidden fields.
pub(super) fn code_page(
    site: &str,
    action: &str,
    masked_phone: &str,
    carried: &CodeForm,
    errors: &FormErrors,
    join_path: &str,
) -> Markup {
    let title = error_title(errors, &format!("Enter your code for {site}"));
    layout(
        &title,
        html! {
            h1 { "Enter your code" }
            (error_summary("Please check the code", errors))
            p #sent role="status" {
                "If this number can register at " (site) ", we have texted a 6-digit code to "
                span.phone { (masked_phone) } ". It expires in " (CODE_TTL_MINUTES) " minutes."
            }
            form method="post" action=(action) novalidate {
                (Input {
                    name: CODE, label: "6-digit code", kind: "text", value: "",
                    hint: "From the text message we just sent.",
                    autocomplete: "one-time-code", inputmode: "numeric", short: true,
                }.render(errors))
                input type="hidden" name=(TOKENS) value=(carried.tokens);
                input type="hidden" name=(WH_PER_MILE) value=(carried.wh_per_mile);
                button type="submit" { "Register" }
            }
            p {
                "No text? Check the number and "
                a href=(join_path) { "start again" } "."
            }
        },
    )
}

/// A page that ends the flow: a heading, sentences, and a link to start again when given.
pub(super) fn notice_page(heading: &str, sentences: &[&str], start_again: Option<&str>) -> Markup {
    layout(
        heading,
        html! {
            h1 { (heading) }
            @for sentence in sentences {
                p { (sentence) }
            }
            @if let Some(path) = start_again {
                p { a href=(path) { "Start again" } }
            }
        },
    )
}

/// The end of a successful registration, with the new member ID and its sticker.
pub(super) fn registered_page(site: &str, member_id: &MemberId) -> Markup {
    layout(
        "You're registered",
        html! {
            h1 { "You're registered" }
            p #registered .notice role="status" {
                "You're registered at " (site) ". Plug in and we'll text you."
            }
            p #member-id { "Your member ID: " strong { (member_id) } }
            p {
                "Others can text this ID to reach you without seeing your number. "
                a href=(sticker_path(member_id)) { "Print your windscreen sticker" } "."
            }
            p { "Reply STOP to any of our texts to stop them, and START to get them again." }
        },
    )
}

fn error_title(errors: &FormErrors, title: &str) -> String {
    if errors.is_empty() {
        title.to_owned()
    } else {
        format!("Error: {title}")
    }
}
