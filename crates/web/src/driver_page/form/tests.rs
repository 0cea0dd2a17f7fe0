//! Tests of the request form: departure times across midnight and DST, amounts, prefill.

use chargeplan_core::{SessionId, WhPerMile};
use chrono_tz::America;

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Los Angeles, at `now`, with a 300 Wh/mi car.
fn ctx(now: &str) -> FormContext {
    FormContext {
        now: t(now),
        tz: America::Los_Angeles,
        wh_per_mile: 300.0,
        clock: ClockFormat::TwentyFourHour,
    }
}

/// 09:00 PDT on Monday 2026-06-01.
const MORNING: &str = "2026-06-01T16:00:00Z";

fn form(departure: &str, amount: &str, unit: &str, max: bool) -> RequestForm {
    RequestForm {
        departure: departure.into(),
        amount: amount.into(),
        unit: unit.into(),
        as_much_as_possible: max,
        confirmed: String::new(),
    }
}

fn errors(f: &RequestForm, c: &FormContext) -> Vec<(String, String)> {
    f.parse(c)
        .unwrap_err()
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The fields that have an error.
fn fields(f: &RequestForm, c: &FormContext) -> Vec<String> {
    errors(f, c).into_iter().map(|(k, _)| k).collect()
}

#[test]
fn a_later_time_today_is_today_in_the_sites_zone() {
    let p = form("17:00", "18", "kwh", false)
        .parse(&ctx(MORNING))
        .unwrap();
    assert_eq!(p.departure, t("2026-06-02T00:00:00Z"));
    assert_eq!(p.need, EnergyNeed::Kwh(18.0));
}

#[test]
fn a_time_that_has_passed_today_means_tomorrow() {
    let p = form("07:30", "60", "mi", false)
        .parse(&ctx(MORNING))
        .unwrap();
    assert_eq!(p.departure, t("2026-06-02T14:30:00Z"));
    // The current minute itself has passed too.
    let p = form("09:00", "60", "mi", false)
        .parse(&ctx(MORNING))
        .unwrap();
    assert_eq!(p.departure, t("2026-06-02T16:00:00Z"));
}

#[test]
fn seconds_sent_by_some_browsers_are_accepted() {
    let p = form("17:00:00", "18", "kwh", false)
        .parse(&ctx(MORNING))
        .unwrap();
    assert_eq!(p.departure, t("2026-06-02T00:00:00Z"));
}

#[test]
fn a_time_in_the_spring_forward_gap_is_rejected_with_the_reason() {
    // 20:00 PST on Saturday 2026-03-07; at 02:00 on Sunday the clocks jump to 03:00.
    let c = ctx("2026-03-08T04:00:00Z");
    let e = errors(&form("02:30", "18", "kwh", false), &c);
    assert_eq!(
        e,
        [(
            "departure".to_owned(),
            "02:30 does not exist on Sun 8 Mar: the clocks move forward for daylight saving \
             time. Choose a later time."
                .to_owned()
        )]
    );
    // 03:00 exists, and is seven hours of wall-clock time but six real hours later.
    let p = form("03:00", "18", "kwh", false).parse(&c).unwrap();
    assert_eq!(p.departure, t("2026-03-08T10:00:00Z"));
}

#[test]
fn a_gap_time_that_has_passed_today_means_tomorrow() {
    // 05:00 PDT on Sunday 2026-03-08, after the gap: 02:30 tomorrow exists.
    let p = form("02:30", "18", "kwh", false)
        .parse(&ctx("2026-03-08T12:00:00Z"))
        .unwrap();
    assert_eq!(p.departure, t("2026-03-09T09:30:00Z"));
}

#[test]
fn a_time_in_the_autumn_fold_is_the_next_of_its_two_instants() {
    // 00:30 PDT on 2026-11-01: 01:30 comes first at 08:30Z.
    let p = form("01:30", "18", "kwh", false)
        .parse(&ctx("2026-11-01T07:30:00Z"))
        .unwrap();
    assert_eq!(p.departure, t("2026-11-01T08:30:00Z"));
    // 01:10 PST, the second time round: the next 01:30 is twenty minutes away.
    let p = form("01:30", "18", "kwh", false)
        .parse(&ctx("2026-11-01T09:10:00Z"))
        .unwrap();
    assert_eq!(p.departure, t("2026-11-01T09:30:00Z"));
}

#[test]
fn miles_are_passed_on_unconverted() {
    let p = form("17:00", " 60 ", "mi", false)
        .parse(&ctx(MORNING))
        .unwrap();
    assert_eq!(p.need, EnergyNeed::Miles(60.0));
    let p = form("17:00", "12,5", "KWH", false)
        .parse(&ctx(MORNING))
        .unwrap();
    assert_eq!(p.need, EnergyNeed::Kwh(12.5));
}

#[test]
fn as_much_as_possible_ignores_the_amount_and_unit() {
    for (amount, unit) in [("", ""), ("abc", "km"), ("-3", "mi")] {
        let p = form("17:00", amount, unit, true)
            .parse(&ctx(MORNING))
            .unwrap();
        assert_eq!(p.need, EnergyNeed::AsMuchAsPossible);
    }
}

#[test]
fn a_missing_or_malformed_departure_is_the_only_error() {
    let c = ctx(MORNING);
    assert_eq!(
        errors(&form("", "18", "kwh", false), &c),
        [(
            "departure".to_owned(),
            "Enter the time you leave, for example 17:30.".to_owned()
        )]
    );
    for bad in ["25:00", "17:75", "13pm", "tomorrow"] {
        assert_eq!(
            errors(&form(bad, "18", "kwh", false), &c),
            [(
                "departure".to_owned(),
                "Enter the time you leave as hours and minutes, for example 17:30.".to_owned()
            )],
            "{bad}"
        );
    }
}

#[test]
fn a_missing_amount_asks_for_one_or_the_checkbox() {
    assert_eq!(
        errors(&form("17:00", "  ", "kwh", false), &ctx(MORNING)),
        [(
            "amount".to_owned(),
            "Enter how much you need, or tick “As much as possible”.".to_owned()
        )]
    );
}

#[test]
fn amounts_that_are_not_positive_numbers_are_rejected() {
    let c = ctx(MORNING);
    for bad in ["abc", "NaN", "inf", "1e999", "12 kWh"] {
        assert_eq!(
            errors(&form("17:00", bad, "kwh", false), &c),
            [(
                "amount".to_owned(),
                "Enter the amount as a number, for example 20.".to_owned()
            )],
            "{bad}"
        );
    }
    for bad in ["0", "-5", "-0"] {
        assert_eq!(
            errors(&form("17:00", bad, "mi", false), &c),
            [(
                "amount".to_owned(),
                "Enter an amount greater than 0.".to_owned()
            )],
            "{bad}"
        );
    }
}

#[test]
fn absurd_amounts_are_rejected_with_the_limit() {
    let c = ctx(MORNING);
    assert!(form("17:00", "250", "kwh", false).parse(&c).is_ok());
    assert_eq!(
        errors(&form("17:00", "251", "kwh", false), &c),
        [(
            "amount".to_owned(),
            "Enter at most 250 kWh; no car holds more.".to_owned()
        )]
    );
    // 250 kWh at 300 Wh/mi is 833 miles.
    assert!(form("17:00", "833", "mi", false).parse(&c).is_ok());
    assert_eq!(
        errors(&form("17:00", "900", "mi", false), &c),
        [(
            "amount".to_owned(),
            "Enter at most 833 miles; no car goes further on one charge.".to_owned()
        )]
    );
    let efficient = FormContext {
        wh_per_mile: 200.0,
        ..c
    };
    assert!(form("17:00", "1000", "mi", false).parse(&efficient).is_ok());
    assert_eq!(
        fields(&form("17:00", "1001", "mi", false), &efficient),
        ["amount"]
    );
}

#[test]
fn an_unknown_unit_is_the_only_error() {
    for bad in ["km", "", "miles"] {
        assert_eq!(
            errors(&form("17:00", "18", bad, false), &ctx(MORNING)),
            [("unit".to_owned(), "Choose kWh or miles.".to_owned())],
            "{bad}"
        );
    }
}

#[test]
fn every_bad_field_is_reported_in_form_order() {
    assert_eq!(
        fields(&form("", "x", "km", false), &ctx(MORNING)),
        ["departure", "amount", "unit"]
    );
}

#[test]
fn form_errors_keep_one_message_per_field() {
    let mut e = FormErrors::new();
    assert!(e.is_empty());
    e.insert("amount", "first");
    e.insert("departure", "other");
    e.insert("amount", "second");
    assert_eq!(e.len(), 2);
    assert_eq!(e.get("amount"), Some("second"));
    assert_eq!(e.get("unit"), None);
}

fn prefill_at(now: &str) -> RequestForm {
    RequestForm::prefill(None, &ctx(now))
}

#[test]
fn the_default_departure_is_eight_hours_ahead_on_the_quarter_hour() {
    // 09:00 → 17:00; 09:07 → 17:07, rounded up to 17:15.
    assert_eq!(prefill_at(MORNING).departure, "17:00");
    assert_eq!(prefill_at("2026-06-01T16:07:00Z").departure, "17:15");
    let f = prefill_at(MORNING);
    assert_eq!(f.amount, "");
    assert_eq!(f.unit, "mi");
    assert!(!f.as_much_as_possible);
}

#[test]
fn the_default_departure_is_capped_at_six_pm_while_that_is_ahead() {
    // 12:00 → 20:00, capped at 18:00; 17:50 → 18:00.
    assert_eq!(prefill_at("2026-06-01T19:00:00Z").departure, "18:00");
    assert_eq!(prefill_at("2026-06-02T00:50:00Z").departure, "18:00");
    // 19:00: 18:00 has passed, so 03:00 tomorrow.
    assert_eq!(prefill_at("2026-06-02T02:00:00Z").departure, "03:00");
}

fn request(need: EnergyNeed) -> ChargingRequest {
    ChargingRequest::new(
        SessionId::parse("s1").unwrap(),
        1,
        t("2026-06-02T00:30:00Z"),
        need,
        Some(WhPerMile::DEFAULT),
        t(MORNING),
    )
    .unwrap()
}

#[test]
fn an_existing_request_is_shown_as_the_driver_stated_it() {
    let c = ctx(MORNING);
    let saved = |mut f: RequestForm| {
        f.confirmed = "2026-06-02T00:30:00Z".into();
        f
    };
    let f = RequestForm::prefill(Some(&request(EnergyNeed::Miles(60.0))), &c);
    assert_eq!(f, saved(form("17:30", "60", "mi", false)));
    let f = RequestForm::prefill(Some(&request(EnergyNeed::Kwh(12.5))), &c);
    assert_eq!(f, saved(form("17:30", "12.5", "kwh", false)));
    let f = RequestForm::prefill(Some(&request(EnergyNeed::AsMuchAsPossible)), &c);
    assert_eq!(f, saved(form("17:30", "", "mi", true)));
}

#[test]
fn a_12_hour_site_shows_and_reads_its_own_times() {
    let mut c = ctx(MORNING);
    c.clock = ClockFormat::TwelveHour;
    assert_eq!(prefill_at(MORNING).departure, "17:00");
    assert_eq!(RequestForm::prefill(None, &c).departure, "5:00 pm");
    let p = form("5:30 pm", "18", "kwh", false).parse(&c).unwrap();
    assert_eq!(p.departure, t("2026-06-02T00:30:00Z"));
    assert_eq!(
        errors(&form("5:30", "18", "kwh", false), &c),
        [(
            "departure".to_owned(),
            "Add am or pm to the time you leave, for example 5:30 pm.".to_owned()
        )]
    );
    assert_eq!(
        errors(&form("soon", "18", "kwh", false), &c)[0].1,
        "Enter the time you leave as hours and minutes, for example 5:30 pm."
    );
}

#[test]
fn a_prefilled_form_parses_back_to_the_same_request() {
    let c = ctx(MORNING);
    let r = request(EnergyNeed::Miles(60.0));
    let p = RequestForm::prefill(Some(&r), &c).parse(&c).unwrap();
    assert_eq!(p.departure, r.departure);
    assert_eq!(p.need, EnergyNeed::Miles(60.0));
}
