//! Requests as drivers really text them: one table of wordings, each with what must be read.

use chargeplan_core::{ClockFormat, EnergyNeed};
use chrono::{Duration, NaiveTime};

use super::{TextedDeparture, read};

fn at(h: u32, m: u32) -> Option<TextedDeparture> {
    Some(TextedDeparture::At(
        NaiveTime::from_hms_opt(h, m, 0).unwrap(),
    ))
}

fn within(minutes: i64) -> Option<TextedDeparture> {
    Some(TextedDeparture::In(Duration::minutes(minutes)))
}

const KWH: fn(f64) -> Option<EnergyNeed> = |v| Some(EnergyNeed::Kwh(v));
const MI: fn(f64) -> Option<EnergyNeed> = |v| Some(EnergyNeed::Miles(v));
const ALL: Option<EnergyNeed> = Some(EnergyNeed::AsMuchAsPossible);

#[test]
fn messy_requests_are_read_as_the_page_would_read_them() {
    let cases: Vec<(&str, Option<TextedDeparture>, Option<EnergyNeed>)> = vec![
        ("leave 17:30 need 20 kwh", at(17, 30), KWH(20.0)),
        ("17:30 20kWh", at(17, 30), KWH(20.0)),
        ("till 5pm, 30 miles", at(17, 0), MI(30.0)),
        ("Leaving at 17:30, need 20kWh", at(17, 30), KWH(20.0)),
        ("LEAVE 1730 NEED 20 KWH", at(17, 30), KWH(20.0)),
        ("leave 5:30pm 40 miles", at(17, 30), MI(40.0)),
        ("leave 5:30 p.m. 40 mi", at(17, 30), MI(40.0)),
        ("out by 6pm need 25kwh", at(18, 0), KWH(25.0)),
        ("need 12.5 kWh by 16:00", at(16, 0), KWH(12.5)),
        ("12,5 kwh till 16:00", at(16, 0), KWH(12.5)),
        ("20kwh @ 17:00", at(17, 0), KWH(20.0)),
        ("20 kw h by 17:00", at(17, 0), KWH(20.0)),
        ("20 kilowatt hours, leave 17:00", at(17, 0), KWH(20.0)),
        ("until 17.45 15 kwh", at(17, 45), KWH(15.0)),
        ("leave 17h30 20 kWh", at(17, 30), KWH(20.0)),
        ("leave at 9am tomorrow 30 miles", at(9, 0), MI(30.0)),
        ("tmrw 07:00 as much as possible", at(7, 0), ALL),
        ("leaving 18:00 fill up please", at(18, 0), ALL),
        ("full charge by 8 am", at(8, 0), ALL),
        ("100% by 19:00", at(19, 0), ALL),
        ("as much as you can, going at 16:30", at(16, 30), ALL),
        ("50 km by 15:00", at(15, 0), MI(50.0 / 1.609_344)),
        ("80 kms leave 15:00", at(15, 0), MI(80.0 / 1.609_344)),
        ("need 30 miles leave in 3 hours", within(180), MI(30.0)),
        ("30mi in 2h", within(120), MI(30.0)),
        ("in 90 min 10 kwh", within(90), KWH(10.0)),
        ("in an hour 5kwh", within(60), KWH(5.0)),
        ("leave noon 10 kwh", at(12, 0), KWH(10.0)),
        ("leave at midnight 40kwh", at(0, 0), KWH(40.0)),
        (
            "Hi! I leave at 17:30 and need about 20 kWh, thanks",
            at(17, 30),
            KWH(20.0),
        ),
        ("  leave   17:30   need   20   kwh  ", at(17, 30), KWH(20.0)),
        ("leave: 17:30; need: 20 kwh.", at(17, 30), KWH(20.0)),
        ("20 kwh", None, KWH(20.0)),
        ("30 miles please", None, MI(30.0)),
        ("leave 17:30", at(17, 30), None),
        ("leaving at 6pm", at(18, 0), None),
        ("till 5", at(5, 0), None),
        ("leave 17:30 need 20", at(17, 30), None),
        ("need 80% by 17:00", at(17, 0), None),
        ("hello", None, None),
        ("", None, None),
        ("STOP", None, None),
        ("what time is it", None, None),
        ("back in 10 min", within(10), None),
        ("leave 25:00 20 kwh", None, KWH(20.0)),
        ("leave 17:30 need -5 kwh", at(17, 30), None),
    ];
    assert!(cases.len() >= 40, "{} wordings", cases.len());
    for (text, departure, need) in cases {
        let said = read(text, ClockFormat::TwentyFourHour);
        assert_eq!(said.departure, departure, "departure of {text:?}");
        match (said.need, need) {
            (Some(EnergyNeed::Miles(a)), Some(EnergyNeed::Miles(b))) => {
                assert!((a - b).abs() < 1e-9, "miles of {text:?}: {a} vs {b}");
            }
            (got, want) => assert_eq!(got, want, "amount of {text:?}"),
        }
    }
}

#[test]
fn a_text_is_a_request_when_it_names_an_amount_or_says_when_the_driver_leaves() {
    let is_request = |text| read(text, ClockFormat::TwentyFourHour).is_request();
    assert!(is_request("17:30 20kWh"));
    assert!(is_request("20 kwh"));
    assert!(is_request("leave 17:30"));
    assert!(is_request("till 5pm"));
    // What an owner says to a waiting driver is not.
    assert!(!is_request("back at 5pm"));
    assert!(!is_request("ok, moving in 10 min"));
    assert!(!is_request("K7QX2M are you done?"));
}

#[test]
fn tomorrow_is_noticed() {
    assert!(read("tomorrow 10:04 20 kwh", ClockFormat::TwentyFourHour).tomorrow);
    assert!(read("tmrw 7am full", ClockFormat::TwentyFourHour).tomorrow);
    assert!(!read("10:04 20 kwh", ClockFormat::TwentyFourHour).tomorrow);
}

#[test]
fn a_12_hour_site_reads_am_and_pm_and_does_not_guess_without_them() {
    let h12 = ClockFormat::TwelveHour;
    assert_eq!(read("leave 5:30 pm 20 kwh", h12).departure, at(17, 30));
    assert_eq!(read("leave 17:30 20 kwh", h12).departure, at(17, 30));
    assert_eq!(
        read("leave 5:30 20 kwh", h12).departure,
        Some(TextedDeparture::NeedsHalfDay)
    );
}
