//! Tests of the power chart's markup: words for screen readers, ticks, and no NaN.

use chrono_tz::{America, Asia};

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// 14:00 PDT on 2026-06-01.
const START: &str = "2026-06-01T21:00:00Z";

/// Four and a half hours of 30-minute slots: 6.6 kW for two hours, then 3.3, then nothing.
fn data() -> ChartData {
    ChartData {
        start: t(START),
        slot_minutes: 30,
        planned_kw: vec![6.6, 6.6, 6.6, 6.6, 3.3, 3.3, 3.3, 3.3, 0.0],
        delivered: vec![
            (t("2026-06-01T21:20:00Z"), 6.2),
            (t("2026-06-01T21:05:00Z"), 6.5),
        ],
        max_kw: 7.2,
        now: t(NOW),
    }
}

/// 14:25 PDT: the samples are before it, most of the plan after.
const NOW: &str = "2026-06-01T21:25:00Z";

fn svg(d: &ChartData) -> String {
    power_chart(d, America::Los_Angeles, ClockFormat::TwentyFourHour).into_string()
}

#[test]
fn the_chart_is_an_image_described_in_words() {
    let s = svg(&data());
    assert!(s.starts_with("<svg class=\"chart\" viewBox=\"0 0 320 180\" width=\"100%\" role=\"img\" aria-labelledby=\"chart-title chart-desc\""), "{s}");
    assert!(
        s.contains("<title id=\"chart-title\">Charging power</title>"),
        "{s}"
    );
    assert!(
        s.contains(
            "<desc id=\"chart-desc\">Planned charging power from 14:00 to 18:00, up to 6.6 kW; \
             measured power so far, most recently 6.2 kW.</desc>"
        ),
        "{s}"
    );
}

#[test]
fn planned_power_is_a_step_area_and_measured_power_a_line_in_time_order() {
    let s = svg(&data());
    assert_eq!(s.matches("<path ").count(), 2, "{s}");
    assert!(s.contains("<polyline points=\""), "{s}");
    // The samples are drawn in time order: 21:05 (6.5 kW) before 21:20 (6.2 kW).
    let points = s
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let xs: Vec<f64> = points
        .split(' ')
        .map(|p| p.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(xs.len(), 2);
    assert!(xs[0] < xs[1], "{points}");
    // Every SVG element is closed, so later ones are not nested inside the path.
    assert_eq!(s.matches("<path ").count(), s.matches("</path>").count());
}

#[test]
fn hour_ticks_are_labelled_in_local_time() {
    let s = svg(&data());
    for label in ["14:00", "15:00", "16:00", "17:00", "18:00"] {
        assert!(s.contains(&format!(">{label}</text>")), "{label}: {s}");
    }
    assert!(!s.contains(">21:00<"), "{s}");
    assert!(s.contains(">kW</text>"), "{s}");
    assert!(
        s.contains(">7.2</text>"),
        "axis top is the charger's max: {s}"
    );
}

#[test]
fn ticks_thin_out_on_long_charts_and_follow_half_hour_zones() {
    let long = ChartData {
        planned_kw: vec![1.0; 24],
        slot_minutes: 60,
        ..data()
    };
    let ticks = hour_ticks(
        t(START),
        plan_end(&long),
        America::Los_Angeles,
        ClockFormat::TwentyFourHour,
    );
    assert!(ticks.len() <= 7, "{ticks:?}");
    assert_eq!(ticks[0].1, "16:00");
    // India is UTC+5:30: 21:00Z is 02:30, so the first whole hour is 03:00 at 21:30Z.
    let ticks = hour_ticks(
        t(START),
        t("2026-06-01T23:00:00Z"),
        Asia::Kolkata,
        ClockFormat::TwentyFourHour,
    );
    assert_eq!(ticks[0], (t("2026-06-01T21:30:00Z"), "03:00".to_owned()));
}

#[test]
fn ticks_skip_the_hour_lost_to_daylight_saving() {
    // 00:00 to 05:00 PST on 2026-03-08; 02:00 does not exist.
    let ticks = hour_ticks(
        t("2026-03-08T08:00:00Z"),
        t("2026-03-08T12:00:00Z"),
        America::Los_Angeles,
        ClockFormat::TwentyFourHour,
    );
    let labels: Vec<&str> = ticks.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["00:00", "01:00", "03:00", "04:00", "05:00"]);
}

#[test]
fn empty_or_broken_data_never_puts_nan_in_the_svg() {
    let cases = [
        ChartData {
            start: t(START),
            slot_minutes: 0,
            planned_kw: vec![],
            delivered: vec![],
            max_kw: 0.0,
            now: t(START),
        },
        ChartData {
            planned_kw: vec![0.0, 0.0],
            delivered: vec![(t(START), 0.0)],
            max_kw: f64::NAN,
            ..data()
        },
        ChartData {
            planned_kw: vec![f64::NAN, f64::INFINITY, -3.0],
            delivered: vec![(t(START), f64::NAN), (t(START), f64::NEG_INFINITY)],
            max_kw: f64::INFINITY,
            ..data()
        },
    ];
    for d in cases {
        let s = svg(&d);
        let lower = s.to_lowercase();
        assert!(!lower.contains("nan") && !lower.contains("inf"), "{s}");
        assert!(s.contains("<desc"), "{s}");
    }
}

#[test]
fn a_chart_with_nothing_planned_or_measured_says_so() {
    let d = ChartData {
        planned_kw: vec![0.0; 4],
        delivered: vec![],
        ..data()
    };
    assert!(
        svg(&d).contains("No charging is planned; no power measured yet."),
        "{}",
        svg(&d)
    );
}

#[test]
fn a_single_sample_is_drawn_as_a_dot() {
    let d = ChartData {
        delivered: vec![(t(START), 3.0)],
        ..data()
    };
    let s = svg(&d);
    assert!(s.contains("<circle "), "{s}");
    assert!(!s.contains("<polyline"), "{s}");
}

#[test]
fn the_same_data_gives_the_same_markup() {
    assert_eq!(svg(&data()), svg(&data()));
}

#[test]
fn a_now_line_separates_what_was_measured_from_what_is_planned() {
    let s = svg(&data());
    let now_x: f64 = s
        .split("id=\"chart-now\" x1=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a now line")
        .parse()
        .unwrap();
    assert!(s.contains(">now</text>"), "{s}");
    // The planned area starts at now, and every measured point lies left of it.
    let area = s.split("<path d=\"M").nth(1).unwrap();
    let area_x: f64 = area.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(area_x, now_x, "{s}");
    let points = s
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for point in points.split(' ') {
        let x: f64 = point.split(',').next().unwrap().parse().unwrap();
        assert!(x < now_x, "{point} right of now at {now_x}");
    }
}

#[test]
fn the_power_axis_has_round_levels_between_zero_and_its_top() {
    assert_eq!(power_ticks(7.2), [0.0, 2.0, 4.0, 6.0, 7.2]);
    assert_eq!(power_ticks(11.0), [0.0, 5.0, 11.0]);
    assert_eq!(power_ticks(150.0), [0.0, 50.0, 100.0, 150.0]);
    let s = svg(&data());
    for label in [
        ">0</text>",
        ">2</text>",
        ">4</text>",
        ">6</text>",
        ">7.2</text>",
    ] {
        assert!(s.contains(label), "{label}: {s}");
    }
}

#[test]
fn a_12_hour_site_labels_its_hours_the_way_it_writes_times() {
    let s = power_chart(&data(), America::Los_Angeles, ClockFormat::TwelveHour).into_string();
    for label in [">2 pm</text>", ">3 pm</text>", ">6 pm</text>"] {
        assert!(s.contains(label), "{label}: {s}");
    }
    assert!(s.contains("from 2:00 pm to 6:00 pm"), "{s}");
}
