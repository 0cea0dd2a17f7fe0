//! The contact pages' HTML: the message form, the code form, and the end of the flow.

use chargeplan_core::{MemberId, ThreadCode};
use maud::{Markup, html};

use crate::driver_page::FormErrors;
use crate::join::page::{Input, error_summary, layout};

pub(super) const MESSAGE: &str = "message";
pub(super) const PHONE: &str = "phone";
pub(super) const CODE: &str = "code";
pub(super) const WAITLIST: &str = "waitlist";

pub(super) fn message_page(
    member: &MemberId,
    sms_number: Option<&str>,
    message: &str,
    phone: &str,
    waitlist: bool,
    errors: &FormErrors,
) -> Markup {
    let title = format!("Reach the owner of {member}");
    layout(
        &title,
        html! {
            h1 { "Reach the owner of " span.member { (member) } }
            (error_summary("Please check your message", errors))
            p {
                "Write to the driver of this car. They get your message by text and can answer you here by text. Neither of you "
                "sees the other's number."
            }
            form method="post" action=(format!("/c/{member}")) novalidate {
                div.field {
                    label for=(MESSAGE) { "Your message (optional)" }
                    p.hint id="message-hint" { "For example: \"Are you leaving soon? I need to charge.\" Links and phone numbers are removed." }
                    @if let Some(error) = errors.get(MESSAGE) {
                        p.field-error id="message-error" { span.visually-hidden { "Error: " } (error) }
                    }
                    textarea id=(MESSAGE) name=(MESSAGE) rows="3" maxlength="300"
                        aria-describedby="message-hint" { (message) }
                }
                (Input {
                    name: PHONE, label: "Your mobile number", kind: "tel", value: phone,
                    hint: "We text you a code to check it, and the owner's reply. They never see it.",
                    autocomplete: "tel", inputmode: "tel", short: false,
                }.render(errors))
                div.field.check {
                    input type="checkbox" id=(WAITLIST) name=(WAITLIST) value="1" checked[waitlist];
                    label for=(WAITLIST) { "Also put me on this garage's waitlist for the next free charger" }
                }
                button type="submit" { "Text me a code" }
            }
            @if let Some(number) = sms_number {
                p { "Or text " strong { (member) } " and your message to " a href=(format!("sms:{number}")) { (number) } "." }
            }
        },
    )
}

pub(super) fn code_page(
    member: &MemberId,
    verification_id: &str,
    masked_phone: &str,
    message: &str,
    waitlist: bool,
    errors: &FormErrors,
) -> Markup {
    layout(
        "Enter your code",
        html! {
            h1 { "Enter your code" }
            (error_summary("Please check the code", errors))
            p #sent role="status" {
                "We have texted a 6-digit code to " span.phone { (masked_phone) } ". It expires in "
                (crate::join::CODE_TTL_MINUTES) " minutes."
            }
            form method="post" action=(format!("/c/{member}/verify")) novalidate {
                (Input {
                    name: CODE, label: "6-digit code", kind: "text", value: "",
                    hint: "From the text message we just sent.",
                    autocomplete: "one-time-code", inputmode: "numeric", short: true,
                }.render(errors))
                input type="hidden" name="verification" value=(verification_id);
                input type="hidden" name=(MESSAGE) value=(message);
                @if waitlist { input type="hidden" name=(WAITLIST) value="1"; }
                button type="submit" { "Send my message" }
            }
            p { "No text? " a href=(format!("/c/{member}")) { "Start again" } "." }
        },
    )
}

pub(super) fn sent_page(
    member: &MemberId,
    code: Option<ThreadCode>,
    waitlist: Option<&str>,
) -> Markup {
    layout(
        "Message sent",
        html! {
            h1 { "Message sent" }
            p #sent .notice role="status" {
                "If " (member) " is a member, its owner now has your message. Their reply comes to "
                "your phone by text"
                @if let Some(code) = code { ", starting with [" (code) "]" }
                "."
            }
            @if let Some(code) = code {
                p { "To write to them again, text a message starting with " strong { (code) } ". Text CLOSE " (code) " to end the conversation." }
            }
            @if let Some(waitlist) = waitlist {
                p #waitlist-joined { (waitlist) }
            }
        },
    )
}

pub(super) fn notice_page(heading: &str, sentences: &[&str], again: Option<&str>) -> Markup {
    layout(
        heading,
        html! {
            h1 { (heading) }
            @for sentence in sentences { p { (sentence) } }
            @if let Some(path) = again { p { a href=(path) { "Start again" } } }
        },
    )
}
