//! Tests of the page's HTML: structure, accessibility hooks, escaping, and each state.

use chargeplan_core::{
    ChargingRequest, ClockFormat, EnergyNeed, Projection, SessionId, ShortfallCause, WhPerMile,
};
use chrono::{DateTime, Utc};
use chrono_tz::America;

use super::*;
use crate::driver_page::{ChartData, FormContext, FormErrors, RequestForm, SessionView};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// 09:00 PDT on Monday 2026-06-01.
fn now() -> DateTime<Utc> {
    t("2026-06-01T16:00:00Z")
}

fn ctx() -> FormContext {
    FormContext {
        now: now(),
        tz: America::Los_Angeles,
        wh_per_mile: 300.0,
        clock: ClockFormat::TwentyFourHour,
    }
}

/// A session that started at 08:15 with no request yet.
fn page() -> DriverPage {
    DriverPage {
        site_name: "Lot B".into(),
        member_id: chargeplan_core::MemberId::parse("K7QX2M").unwrap(),
        tz: America::Los_Angeles,
        clock: ClockFormat::TwentyFourHour,
        now: now(),
        action_path: "/d/abc123".into(),
        session: SessionView {
            started_at: t("2026-06-01T15:15:00Z"),
            ended_at: None,
            energy_kwh: 12.44,
            power_kw: 6.6,
            ended: false,
        },
        request: None,
        projection: None,
        chart: None,
        form: RequestForm::prefill(None, &ctx()),
        errors: FormErrors::new(),
        question: None,
        cost: None,
        notice: None,
        wh_per_mile: 300.0,
        blocks: Vec::new(),
    }
}

/// 60 miles (18 kWh) by 17:00, with the plan meeting it at 15:40.
fn with_miles_request(mut p: DriverPage) -> DriverPage {
    let r = ChargingRequest::new(
        SessionId::parse("s1").unwrap(),
        1,
        t("2026-06-02T00:00:00Z"),
        EnergyNeed::Miles(60.0),
        Some(WhPerMile::DEFAULT),
        now(),
    )
    .unwrap();
    p.projection = Some(Projection {
        delivered_kwh: 18.0,
        requested_kwh: Some(18.0),
        departure: r.departure,
        completion: Some(t("2026-06-01T22:40:00Z")),
        shortfall_kwh: 0.0,
        cause: None,
        limit: None,
    });
    p.form = RequestForm::prefill(Some(&r), &ctx());
    p.request = Some(r);
    p
}

fn html(p: &DriverPage) -> String {
    render(p).into_string()
}

/// The value of `attr` in each `<tag ...>` of `html`, in order (None when absent).
fn attr_of_tags(html: &str, tag: &str, attr: &str) -> Vec<Option<String>> {
    html.split(&format!("<{tag} "))
        .skip(1)
        .map(|rest| {
            let tag_text = rest.split('>').next().unwrap();
            tag_text
                .split(&format!(" {attr}=\""))
                .nth(1)
                .or_else(|| tag_text.strip_prefix(&format!("{attr}=\"")))
                .map(|v| v.split('"').next().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn every_input_has_a_label_pointing_at_it() {
    let s = html(&page());
    let types = attr_of_tags(&s, "input", "type");
    let ids: Vec<String> = attr_of_tags(&s, "input", "id")
        .into_iter()
        .zip(types)
        .filter(|(_, kind)| kind.as_deref() != Some("hidden"))
        .map(|(id, _)| id.expect("every visible input has an id"))
        .collect();
    assert_eq!(ids, ["departure", "amount", "unit-mi", "unit-kwh", "max"]);
    let fors: Vec<String> = attr_of_tags(&s, "label", "for")
        .into_iter()
        .map(|f| f.expect("every label names its input"))
        .collect();
    assert_eq!(fors, ids);
}

#[test]
fn the_form_posts_the_fields_the_parser_reads() {
    let s = html(&page());
    assert!(
        s.contains("<form method=\"post\" action=\"/d/abc123\" novalidate>"),
        "{s}"
    );
    assert!(
        s.contains(
            "type=\"text\" name=\"departure\" value=\"17:00\" required inputmode=\"decimal\""
        ),
        "{s}"
    );
    assert!(
        s.contains("<input type=\"hidden\" name=\"confirmed\" value=\"\">"),
        "{s}"
    );
    assert!(
        s.contains("type=\"number\" inputmode=\"decimal\" step=\"any\" min=\"0\" name=\"amount\" value=\"\""),
        "{s}"
    );
    assert!(s.contains("<fieldset><legend>Amount in</legend>"), "{s}");
    assert!(s.contains("name=\"unit\" value=\"mi\" checked>"), "{s}");
    assert!(s.contains("name=\"unit\" value=\"kwh\">"), "{s}");
    assert!(
        s.contains("type=\"checkbox\" name=\"max\" value=\"on\">"),
        "{s}"
    );
    assert!(s.contains("<button type=\"submit\">Save</button>"), "{s}");
    assert!(!s.contains("<script"), "works without JavaScript: {s}");
}

#[test]
fn the_document_is_mobile_ready_and_in_english() {
    let s = html(&page());
    assert!(s.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{s}");
    assert!(s.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert!(s.contains("<title>Charging at Lot B</title>"), "{s}");
    assert!(s.contains("outline:3px solid"), "visible focus: {s}");
    assert!(!s.contains("<link"), "no external resources: {s}");
}

#[test]
fn headings_go_down_one_level_at_a_time() {
    let mut p = with_miles_request(page());
    p.chart = Some(ChartData {
        start: now(),
        slot_minutes: 15,
        planned_kw: vec![6.6; 4],
        delivered: vec![],
        max_kw: 7.2,
        now: now(),
    });
    p.errors.insert("amount", "Enter an amount greater than 0.");
    let s = html(&p);
    let levels: Vec<u32> = s
        .match_indices("<h")
        .filter_map(|(i, _)| s[i + 2..].chars().next()?.to_digit(10))
        .collect();
    assert_eq!(levels, [1, 2, 2, 2, 2, 2]);
}

#[test]
fn the_status_shows_energy_power_and_start_in_local_time() {
    let s = html(&page());
    assert!(s.contains("<dt>Energy so far</dt><dd>12.4 kWh</dd>"), "{s}");
    assert!(s.contains("<dt>Current power</dt><dd>6.6 kW</dd>"), "{s}");
    assert!(s.contains("<dt>Started at</dt><dd>08:15</dd>"), "{s}");
    assert!(s.contains("Tell us when you leave"), "{s}");
    assert!(!s.contains("id=\"projection\""), "{s}");
}

#[test]
fn the_projection_sentence_is_shown_prominently() {
    let s = html(&with_miles_request(page()));
    assert!(
        s.contains(
            "<p class=\"projection\" id=\"projection\">You'll have ~18 kWh (~60 mi) by 17:00.</p>"
        ),
        "{s}"
    );
    assert!(
        s.contains("<dt>Expected to finish</dt><dd>15:40</dd>"),
        "{s}"
    );
    assert!(
        s.contains("<dt>You asked for</dt><dd>60 mi (18 kWh) by 17:00</dd>"),
        "{s}"
    );
    assert!(s.contains("<dd>12.4 kWh (~41 mi)</dd>"), "{s}");
    assert!(
        s.contains("<h2 id=\"request-heading\">Change your request</h2>"),
        "{s}"
    );
    assert!(s.contains("value=\"60\""), "{s}");
}

#[test]
fn a_shortfall_is_explained_without_a_completion_time() {
    let mut p = with_miles_request(page());
    if let Some(proj) = p.projection.as_mut() {
        proj.delivered_kwh = 12.0;
        proj.shortfall_kwh = 6.0;
        proj.completion = None;
        proj.cause = Some(ShortfallCause::SiteAtCapacity);
    }
    let s = html(&p);
    assert!(
        s.contains("The site is at its power limit with other cars charging, so by 17:00 you will have about 12 of the 18 kWh (~40 of 60 mi) you asked for; leave later or ask for less."),
        "{s}"
    );
    assert!(!s.contains("Expected to finish"), "{s}");
}

#[test]
fn errors_are_shown_next_to_their_fields_and_linked_from_a_summary() {
    let mut p = page();
    p.form = RequestForm {
        departure: "".into(),
        amount: "abc".into(),
        unit: "mi".into(),
        as_much_as_possible: false,
        confirmed: String::new(),
    };
    p.errors = p.form.parse(&ctx()).unwrap_err();
    let s = html(&p);
    assert!(s.contains("<title>Error: charging at Lot B</title>"), "{s}");
    assert!(
        s.contains("<div class=\"error-summary\" role=\"alert\""),
        "{s}"
    );
    assert!(
        s.find("<div class=\"error-summary\"") < s.find("<h2 id=\"status-heading\""),
        "the summary is at the top: {s}"
    );
    assert!(
        s.contains(
            "<li><a href=\"#departure\">Enter the time you leave, for example 17:30.</a></li>"
        ),
        "{s}"
    );
    assert!(
        s.contains(
            "<li><a href=\"#amount\">Enter the amount as a number, for example 20.</a></li>"
        ),
        "{s}"
    );
    assert!(
        s.contains("<p class=\"field-error\" id=\"departure-error\"><span class=\"visually-hidden\">Error: </span>Enter the time you leave"),
        "{s}"
    );
    assert!(
        s.contains("aria-describedby=\"departure-hint departure-error\" aria-invalid=\"true\""),
        "{s}"
    );
    assert!(
        s.contains("aria-describedby=\"amount-hint amount-error\" aria-invalid=\"true\""),
        "{s}"
    );
    assert!(s.contains("value=\"abc\""), "the typed value is kept: {s}");
    // The valid field stays plain.
    assert!(!s.contains("unit-error"), "{s}");
    assert_eq!(s.matches("aria-invalid=\"true\"").count(), 2, "{s}");
}

#[test]
fn a_unit_error_is_tied_to_the_radio_group() {
    let mut p = page();
    p.form.unit = "km".into();
    p.errors.insert("unit", "Choose kWh or miles.");
    let s = html(&p);
    assert!(s.contains("<fieldset aria-describedby=\"unit-error\"><legend>Amount in</legend><p class=\"field-error\" id=\"unit-error\">"), "{s}");
    assert!(
        s.contains("<a href=\"#unit-mi\">Choose kWh or miles.</a>"),
        "{s}"
    );
    assert!(
        !s.contains(" checked"),
        "nothing is checked for an unknown unit: {s}"
    );
}

#[test]
fn an_error_for_another_field_is_listed_without_a_link() {
    let mut p = page();
    p.errors.insert("request", "Please try again.");
    let s = html(&p);
    assert!(s.contains("<li>Please try again.</li>"), "{s}");
}

#[test]
fn a_field_without_errors_is_described_by_its_hint_only() {
    let s = html(&page());
    assert!(
        s.contains("aria-describedby=\"departure-hint\">")
            || s.contains("aria-describedby=\"departure-hint\" "),
        "{s}"
    );
    assert!(!s.contains("role=\"alert\""), "{s}");
    assert!(!s.contains("aria-invalid=\""), "{s}");
}

#[test]
fn the_notice_is_announced_as_a_status() {
    let mut p = with_miles_request(page());
    p.notice = Some("Saved. We'll text you if this changes.".into());
    let s = html(&p);
    assert!(
        s.contains("<p class=\"notice\" id=\"notice\" role=\"status\">Saved."),
        "{s}"
    );
    assert!(!html(&page()).contains("id=\"notice\""));
}

#[test]
fn an_ended_session_shows_totals_and_no_form() {
    let mut p = with_miles_request(page());
    p.session.ended = true;
    p.session.ended_at = Some(t("2026-06-01T18:40:00Z"));
    p.cost = Some(super::super::ended::SessionCost {
        currency: "USD".into(),
        amount: 3.456,
    });
    let s = html(&p);
    assert!(s.contains("This charging session has ended."), "{s}");
    for fact in [
        "<dt>Started</dt><dd>08:15</dd>",
        "<dt>Ended</dt><dd>11:40</dd>",
        "<dt>Plugged in for</dt><dd>3 h 25 min</dd>",
        "<dt>You asked for</dt><dd>60 mi (18 kWh) by 17:00</dd>",
        "<dt>Delivered</dt><dd>12.4 kWh (~41 mi)</dd>",
        "<dt>Cost of the energy</dt><dd>USD 3.46</dd>",
    ] {
        assert!(s.contains(fact), "{fact}: {s}");
    }
    assert!(!s.contains("<form"), "{s}");
    assert!(!s.contains("<input"), "{s}");
    assert!(!s.contains("Current power"), "{s}");
    assert!(!s.contains("id=\"projection\""), "{s}");
}

#[test]
fn the_site_name_and_notice_are_escaped() {
    let mut p = page();
    p.site_name = "<script>alert('x')</script> & Co".into();
    p.notice = Some("<b>hi</b>".into());
    let s = html(&p);
    assert!(!s.contains("<script"), "{s}");
    assert!(!s.contains("<b>"), "{s}");
    assert!(s.contains("<h1>&lt;script&gt;alert("), "{s}");
    assert!(s.contains("&amp; Co</h1>"), "{s}");
}

#[test]
fn the_chart_is_shown_when_there_is_data() {
    assert!(!html(&page()).contains("<svg"));
    let mut p = page();
    p.chart = Some(ChartData {
        start: now(),
        slot_minutes: 15,
        planned_kw: vec![6.6; 8],
        delivered: vec![(now(), 6.4)],
        max_kw: 7.2,
        now: now(),
    });
    let s = html(&p);
    assert!(
        s.contains("<h2 id=\"chart-heading\">Planned and measured power</h2><svg"),
        "{s}"
    );
}

#[test]
fn an_expired_link_gets_a_friendly_page_without_detail() {
    let s = render_expired().into_string();
    assert!(s.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{s}");
    assert!(s.contains("<h1>This link is no longer valid</h1>"), "{s}");
    assert!(!s.contains("<form"), "{s}");
    assert!(!s.to_lowercase().contains("token"), "{s}");
}

#[test]
fn an_error_page_shows_the_message_as_text() {
    let s = render_error("We could not save <that>.").into_string();
    assert!(s.contains("<h1>Something went wrong</h1>"), "{s}");
    assert!(s.contains("<p>We could not save &lt;that&gt;.</p>"), "{s}");
}

#[test]
fn the_page_shows_the_member_id_and_links_to_the_sticker() {
    for p in [page(), {
        let mut ended = with_miles_request(page());
        ended.session.ended = true;
        ended
    }] {
        let s = html(&p);
        assert!(
            s.contains("<p id=\"member-id\">Your member ID: <strong>K7QX2M</strong></p>"),
            "{s}"
        );
        assert!(s.contains("href=\"/sticker/K7QX2M\""), "{s}");
    }
}

#[test]
fn the_sites_time_now_is_shown_under_the_name() {
    let s = html(&page());
    assert!(
        s.contains("<p class=\"site-time\" id=\"site-time\">Time at the charger now: <strong>Mon 09:00</strong></p>"),
        "{s}"
    );
}

#[test]
fn a_12_hour_site_writes_every_time_in_its_format() {
    let mut p = with_miles_request(page());
    p.clock = ClockFormat::TwelveHour;
    let mut c = ctx();
    c.clock = ClockFormat::TwelveHour;
    p.form = RequestForm::prefill(p.request.as_ref(), &c);
    let s = html(&p);
    for text in [
        "Mon 9:00 am</strong>",
        "You'll have ~18 kWh (~60 mi) by 5:00 pm.",
        "<dt>Started at</dt><dd>8:15 am</dd>",
        "<dt>Expected to finish</dt><dd>3:40 pm</dd>",
        "for example 5:30 pm.",
        "value=\"5:00 pm\" required inputmode=\"text\"",
    ] {
        assert!(s.contains(text), "{text}: {s}");
    }
    assert!(!s.contains("17:00"), "{s}");
}

#[test]
fn a_departure_question_offers_a_confirming_post_and_a_way_back() {
    let mut p = page();
    p.form.departure = "08:30".into();
    p.form.amount = "20".into();
    p.form.unit = "kwh".into();
    p.question = Some(DepartureQuestion {
        departure: t("2026-06-02T15:30:00Z"),
        question: "08:30 has passed — did you mean tomorrow, Tue 08:30?".into(),
        confirm_label: "Yes, Tue 08:30".into(),
    });
    let s = html(&p);
    let question = s
        .split("id=\"departure-question\"")
        .nth(1)
        .expect("a question");
    let question = question.split("</div>").next().unwrap();
    assert!(
        question.contains("08:30 has passed — did you mean tomorrow, Tue 08:30?"),
        "{question}"
    );
    for hidden in [
        "name=\"departure\" value=\"08:30\"",
        "name=\"amount\" value=\"20\"",
        "name=\"unit\" value=\"kwh\"",
        "name=\"confirmed\" value=\"2026-06-02T15:30:00Z\"",
    ] {
        assert!(question.contains(hidden), "{hidden}: {question}");
    }
    assert!(question.contains(">Yes, Tue 08:30</button>"), "{question}");
    assert!(
        question.contains("<a href=\"#departure\">No, change the time</a>"),
        "{question}"
    );
    assert!(!question.contains("name=\"max\""), "{question}");
}
