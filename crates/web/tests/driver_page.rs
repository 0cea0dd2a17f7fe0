//! The driver page as the handler will use it: a posted form is decoded by axum, parsed, and
//! either becomes a request whose projection is shown, or errors shown next to the fields.

use axum::Form;
use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::Request;
use chargeplan_core::{ChargingRequest, ClockFormat, EnergyNeed, Projection, SessionId, WhPerMile};
use chargeplan_web::driver_page::{
    DriverPage, FormContext, FormErrors, ParsedRequest, RequestForm, SessionView,
    departure_question, render,
};
use chrono::{DateTime, Utc};
use chrono_tz::America;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// 09:00 PDT on Monday 2026-06-01 in Los Angeles, with a 300 Wh/mi car.
fn ctx() -> FormContext {
    FormContext {
        now: t("2026-06-01T16:00:00Z"),
        tz: America::Los_Angeles,
        wh_per_mile: 300.0,
        clock: ClockFormat::TwentyFourHour,
    }
}

async fn posted(body: &'static str) -> RequestForm {
    let request = Request::builder()
        .method("POST")
        .uri("/d/abc")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let Form(form) = Form::<RequestForm>::from_request(request, &())
        .await
        .expect("any urlencoded body decodes");
    form
}

fn page(form: RequestForm, errors: FormErrors) -> DriverPage {
    DriverPage {
        site_name: "Lot B".into(),
        member_id: chargeplan_core::MemberId::parse("K7QX2M").unwrap(),
        tz: ctx().tz,
        clock: ClockFormat::TwentyFourHour,
        now: ctx().now,
        action_path: "/d/abc".into(),
        session: SessionView {
            started_at: t("2026-06-01T15:15:00Z"),
            ended_at: None,
            energy_kwh: 3.0,
            power_kw: 6.6,
            ended: false,
        },
        request: None,
        projection: None,
        chart: None,
        form,
        errors,
        question: None,
        cost: None,
        notice: None,
        wh_per_mile: 300.0,
        blocks: Vec::new(),
    }
}

#[tokio::test]
async fn a_posted_form_with_miles_decodes_and_parses() {
    let form = posted("departure=17%3A30&amount=60&unit=mi").await;
    assert_eq!(
        form,
        RequestForm {
            departure: "17:30".into(),
            amount: "60".into(),
            unit: "mi".into(),
            as_much_as_possible: false,
            confirmed: String::new(),
        }
    );
    assert_eq!(
        form.parse(&ctx()).unwrap(),
        ParsedRequest {
            departure: t("2026-06-02T00:30:00Z"),
            need: EnergyNeed::Miles(60.0),
        }
    );
}

#[tokio::test]
async fn the_ticked_checkbox_means_as_much_as_possible() {
    let form = posted("departure=07%3A00&amount=&unit=kwh&max=on").await;
    assert!(form.as_much_as_possible);
    let p = form.parse(&ctx()).unwrap();
    assert_eq!(p.need, EnergyNeed::AsMuchAsPossible);
    // 07:00 has passed at 09:00: tomorrow morning, which the page asks about first.
    assert_eq!(p.departure, t("2026-06-02T14:00:00Z"));
    let question = departure_question(&p, &form, &ctx()).expect("asked");
    assert_eq!(
        question.question,
        "07:00 has passed — did you mean tomorrow, Tue 07:00?"
    );
}

#[tokio::test]
async fn a_confirmed_departure_posts_back_and_is_not_asked_again() {
    let form =
        posted("departure=07%3A00&amount=20&unit=kwh&confirmed=2026-06-02T14%3A00%3A00Z").await;
    let p = form.parse(&ctx()).unwrap();
    assert_eq!(departure_question(&p, &form, &ctx()), None);
}

#[tokio::test]
async fn missing_fields_decode_as_empty_and_become_field_errors() {
    let form = posted("").await;
    assert_eq!(form, RequestForm::default());
    let errors = form.parse(&ctx()).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["departure", "amount", "unit"]);
}

#[tokio::test]
async fn an_invalid_post_renders_the_typed_values_with_linked_errors() {
    let form = posted("departure=17%3A30&amount=-4&unit=kwh").await;
    let errors = form.parse(&ctx()).unwrap_err();
    let html = render(&page(form, errors)).into_string();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("<a href=\"#amount\">Enter an amount greater than 0.</a>"),
        "{html}"
    );
    assert!(html.contains("value=\"-4\""), "{html}");
    assert!(html.contains("value=\"17:30\""), "{html}");
    assert!(!html.contains("departure-error"), "{html}");
}

#[tokio::test]
async fn a_valid_post_becomes_a_request_whose_projection_is_shown() {
    let c = ctx();
    let parsed = posted("departure=17%3A00&amount=60&unit=mi")
        .await
        .parse(&c)
        .unwrap();
    let request = ChargingRequest::new(
        SessionId::parse("s1").unwrap(),
        1,
        parsed.departure,
        parsed.need,
        Some(WhPerMile::new(c.wh_per_mile).unwrap()),
        c.now,
    )
    .unwrap();
    assert_eq!(request.energy.kwh(), Some(18.0));
    let projection = Projection {
        delivered_kwh: 18.0,
        requested_kwh: request.energy.kwh(),
        departure: request.departure,
        completion: Some(t("2026-06-01T23:00:00Z")),
        shortfall_kwh: 0.0,
        cause: None,
        limit: None,
    };
    let mut p = page(RequestForm::prefill(Some(&request), &c), FormErrors::new());
    p.notice = Some("Saved.".to_owned());
    p.projection = Some(projection);
    p.request = Some(request);
    let html = render(&p).into_string();
    assert!(html.contains("id=\"projection\""), "{html}");
    assert!(html.contains("~18 kWh (~60 mi) by 17:00."), "{html}");
    assert!(html.contains("role=\"status\""), "{html}");
    assert!(html.contains("value=\"60\""), "{html}");
}
