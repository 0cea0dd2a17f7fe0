//! The driver page's HTML: server-rendered, mobile-first, usable without JavaScript and with
//! a screen reader. Everything the handler passes in is escaped by maud.

use chargeplan_core::{ChargingRequest, ClockFormat, RequestedEnergy};
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::chart::power_chart;
use super::confirm::{DepartureQuestion, confirm_token};
use super::ended::{money, plugged_in_for};
use super::form::FormErrors;
use super::form::{AMOUNT, CONFIRMED, DEPARTURE, UNIT};
use super::view::DriverPage;
use crate::shell::layout;
use crate::sticker::sticker_path;

/// The request and status page behind a driver's personal link.
pub fn render(page: &DriverPage) -> Markup {
    let title = if page.errors.is_empty() {
        format!("Charging at {}", page.site_name)
    } else {
        format!("Error: charging at {}", page.site_name)
    };
    layout(
        &title,
        html! {
            h1 { (page.site_name) }
            p #site-time .site-time { "Time at the charger now: " strong { (page.clock.with_weekday(page.now, page.tz)) } }
            // First, so that a driver who submitted a bad form sees it without scrolling.
            (error_summary(&page.errors))
            @if let Some(question) = &page.question {
                (departure_question(page, question))
            }
            @if let Some(notice) = &page.notice {
                p #notice .notice role="status" { (notice) }
            }
            (status(page))
            @if let Some(chart) = &page.chart {
                section aria-labelledby="chart-heading" {
                    h2 #chart-heading { "Planned and measured power" }
                    (power_chart(chart, page.tz, page.clock))
                }
            }
            @if !page.session.ended {
                (request_form(page))
            }
            (member(page))
            (blocks(page))
        },
    )
}

/// The driver's member ID and the link to their printable sticker.
fn member(page: &DriverPage) -> Markup {
    html! {
        section aria-labelledby="member-heading" {
            h2 #member-heading { "Your sticker" }
            p #member-id { "Your member ID: " strong { (page.member_id) } }
            p {
                "Someone waiting for a charger can text this ID to reach you, and neither of you "
                "sees the other's number. "
                a #sticker-link href=(sticker_path(&page.member_id)) { "Print your sticker" }
                " and put it behind your windscreen."
            }
        }
    }
}

/// The drivers this one blocked, each with a button that lifts the block.
fn blocks(page: &DriverPage) -> Markup {
    html! {
        @if !page.blocks.is_empty() {
            section aria-labelledby="blocks-heading" {
                h2 #blocks-heading { "Drivers you blocked" }
                p {
                    "They cannot reach you through your member ID. Lift a block to let that "
                    "driver text you again."
                }
                ul #blocks {
                    @for block in &page.blocks {
                        li {
                            form method="post" action=(format!("{}/unblock", page.action_path)) {
                                input type="hidden" name="block" value=(block.id);
                                "Blocked " (page.time(block.created_at)) " "
                                button type="submit" { "Unblock" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The page for an unknown or expired link: friendly, and saying nothing about why.
pub fn render_expired() -> Markup {
    layout(
        "Link not found",
        html! {
            h1 { "This link is no longer valid" }
            p {
                "Links in our text messages work only while that charging session lasts. "
                "If your car is charging now, use the link in our most recent text."
            }
        },
    )
}

/// A page for a failure the driver can do nothing about but retry; `message` is shown as
/// text (escaped) and must not carry internal detail.
pub fn render_error(message: &str) -> Markup {
    layout(
        "Something went wrong",
        html! {
            h1 { "Something went wrong" }
            p { (message) }
            p { "Please try again in a moment." }
        },
    )
}

/// Energy so far, power, start, the projection, and what was asked for; for an ended
/// session, when it started and ended, how long the car was plugged in, what was asked and
/// delivered, and the cost.
fn status(page: &DriverPage) -> Markup {
    let s = &page.session;
    let miles_wh = page.miles_wh();
    let energy = match miles_wh {
        Some(wh) => format!(
            "{} kWh (~{:.0} mi)",
            one_decimal(s.energy_kwh),
            finite(s.energy_kwh) * 1000.0 / wh
        ),
        None => format!("{} kWh", one_decimal(s.energy_kwh)),
    };
    let projection = page.projection.as_ref().filter(|_| !s.ended);
    html! {
        section aria-labelledby="status-heading" {
            h2 #status-heading { "Your charging" }
            @if s.ended {
                p.ended { "This charging session has ended." }
            } @else if let Some(p) = projection {
                p #projection .projection { (p.sentence(page.tz, page.clock, miles_wh, page.now)) }
            } @else if page.request.is_none() {
                p { "Tell us when you leave and how much you need, and we will plan your charging." }
            }
            dl.facts #facts {
                @if s.ended {
                    div { dt { "Started" } dd { (page.time(s.started_at)) } }
                    @if let Some(ended) = s.ended_at {
                        div { dt { "Ended" } dd { (page.time(ended)) } }
                        div { dt { "Plugged in for" } dd { (plugged_in_for(s.started_at, ended)) } }
                    }
                    @if let Some(r) = &page.request {
                        div { dt { "You asked for" } dd { (asked_for(r, page)) } }
                    }
                    div { dt { "Delivered" } dd { (energy) } }
                    @if let Some(cost) = &page.cost {
                        div { dt { "Cost of the energy" } dd { (money(cost)) } }
                    }
                } @else {
                    div { dt { "Energy so far" } dd { (energy) } }
                    div { dt { "Current power" } dd { (one_decimal(s.power_kw)) " kW" } }
                    div { dt { "Started at" } dd { (page.time(s.started_at)) } }
                    @if let Some(done) = projection.filter(|p| p.is_met()).and_then(|p| p.completion) {
                        div { dt { "Expected to finish" } dd { (page.time(done)) } }
                    }
                    @if let Some(r) = &page.request {
                        div { dt { "You asked for" } dd { (asked_for(r, page)) } }
                    }
                }
            }
        }
    }
}

/// "10:04 has passed — did you mean tomorrow, Sat 10:04?" with a button that saves the
/// request with that departure (the form as posted, confirmed) and a link back to the time.
fn departure_question(page: &DriverPage, question: &DepartureQuestion) -> Markup {
    let form = &page.form;
    html! {
        div #departure-question .question role="alert" {
            p { strong { (question.question) } }
            form method="post" action=(page.action_path) {
                input type="hidden" name=(DEPARTURE) value=(form.departure);
                input type="hidden" name=(AMOUNT) value=(form.amount);
                input type="hidden" name=(UNIT) value=(form.unit);
                @if form.as_much_as_possible {
                    input type="hidden" name="max" value="on";
                }
                input type="hidden" name=(CONFIRMED) value=(confirm_token(question.departure));
                button #confirm-departure type="submit" { (question.confirm_label) }
            }
            p { a href="#departure" { "No, change the time" } }
        }
    }
}

/// "60 mi (18 kWh) by 17:00", "18 kWh by 17:00" or "As much as possible by 17:00".
fn asked_for(r: &ChargingRequest, page: &DriverPage) -> String {
    let by = page.time(r.departure);
    match (r.energy, r.stated_miles) {
        (RequestedEnergy::AsMuchAsPossible, _) => format!("As much as possible by {by}"),
        (RequestedEnergy::Kwh(kwh), Some(miles)) => {
            format!("{} mi ({} kWh) by {by}", trimmed(miles), trimmed(kwh.get()))
        }
        (RequestedEnergy::Kwh(kwh), None) => format!("{} kWh by {by}", trimmed(kwh.get())),
    }
}

impl DriverPage {
    /// `at` in the site's zone and clock format, with the weekday on another day.
    fn time(&self, at: DateTime<Utc>) -> String {
        self.clock.local_time(at, self.tz, self.now)
    }
}

/// The request form with its error summary and inline errors.
fn request_form(page: &DriverPage) -> Markup {
    let (form, errors) = (&page.form, &page.errors);
    let departure_error = errors.get(DEPARTURE);
    let amount_error = errors.get(AMOUNT);
    let unit_error = errors.get(UNIT);
    let unit = form.unit.trim().to_ascii_lowercase();
    html! {
        section aria-labelledby="request-heading" {
            h2 #request-heading {
                @if page.request.is_some() { "Change your request" } @else { "Your request" }
            }
            form method="post" action=(page.action_path) novalidate {
                input type="hidden" name=(CONFIRMED) value=(form.confirmed);
                div.field {
                    label for="departure" { "When do you leave?" }
                    p.hint #departure-hint { "Time at the charger, for example " (page.clock.example()) "." }
                    (field_error(DEPARTURE, departure_error))
                    // A text field, not `type="time"`: that one shows the phone's own 12- or
                    // 24-hour format, and the page writes every time in the site's.
                    input #departure .time type="text" name="departure" value=(form.departure) required
                        inputmode=(departure_keyboard(page)) autocomplete="off" spellcheck="false"
                        aria-describedby=(described_by(DEPARTURE, departure_error))
                        aria-invalid=[departure_error.map(|_| "true")];
                }
                div.field {
                    label for="amount" { "How much do you need?" }
                    p.hint #amount-hint { "Miles of driving or kWh, or tick “As much as possible”." }
                    (field_error(AMOUNT, amount_error))
                    input #amount type="number" inputmode="decimal" step="any" min="0" name="amount"
                        value=(form.amount)
                        aria-describedby=(described_by(AMOUNT, amount_error))
                        aria-invalid=[amount_error.map(|_| "true")];
                }
                fieldset aria-describedby=[unit_error.map(|_| "unit-error")] {
                    legend { "Amount in" }
                    (field_error(UNIT, unit_error))
                    div.choice {
                        input #unit-mi type="radio" name="unit" value="mi" checked[unit == "mi"];
                        label for="unit-mi" { "miles" }
                    }
                    div.choice {
                        input #unit-kwh type="radio" name="unit" value="kwh" checked[unit == "kwh"];
                        label for="unit-kwh" { "kWh" }
                    }
                }
                div.field.choice {
                    input #max type="checkbox" name="max" value="on" checked[form.as_much_as_possible];
                    label for="max" { "As much as possible" }
                }
                button type="submit" { "Save" }
            }
        }
    }
}

/// The keyboard for the departure: digits and a point for 24-hour times ("17.30" and
/// "1730" are read too), letters as well where "pm" is typed.
fn departure_keyboard(page: &DriverPage) -> &'static str {
    match page.clock {
        ClockFormat::TwentyFourHour => "decimal",
        ClockFormat::TwelveHour => "text",
    }
}

/// The list of problems at the top of the page, each linking to its field.
fn error_summary(errors: &FormErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-heading" {
                h2 #error-summary-heading { "Please check your request" }
                ul {
                    @for (field, message) in errors.iter() {
                        li {
                            @match anchor(field) {
                                Some(id) => { a href=(format!("#{id}")) { (message) } }
                                None => { (message) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The message next to a field, with the id its input refers to.
fn field_error(field: &str, message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.field-error id=(format!("{field}-error")) {
                span.visually-hidden { "Error: " } (message)
            }
        }
    }
}

/// The hint, and the error when there is one, for `aria-describedby`.
fn described_by(field: &str, error: Option<&str>) -> String {
    match error {
        Some(_) => format!("{field}-hint {field}-error"),
        None => format!("{field}-hint"),
    }
}

/// The id of the control an error in the summary links to.
fn anchor(field: &str) -> Option<&'static str> {
    match field {
        DEPARTURE => Some("departure"),
        AMOUNT => Some("amount"),
        UNIT => Some("unit-mi"),
        _ => None,
    }
}

/// `v` if finite, else 0.
fn finite(v: f64) -> f64 {
    if v.is_finite() { v.max(0.0) } else { 0.0 }
}

/// "12.4".
fn one_decimal(v: f64) -> String {
    format!("{:.1}", finite(v))
}

/// "60", "12.5": at most two decimals, no trailing zeros.
fn trimmed(v: f64) -> String {
    format!("{}", (finite(v) * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests;
