//! Unit tests of the chart markup: machine-readable attributes, accessible names, legend,
//! data table.

use chargeplan_core::CircuitId;
use chrono::{DateTime, Utc};

use super::*;
use crate::dashboard::series::{Band, BandKind, CircuitChart, Step};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn chart() -> CircuitChart {
    let now = t("2026-06-15T17:07:00Z");
    let slots = vec![
        (now, t("2026-06-15T17:15:00Z")),
        (t("2026-06-15T17:15:00Z"), t("2026-06-15T17:30:00Z")),
    ];
    CircuitChart {
        circuit_id: CircuitId::parse("s1-main").unwrap(),
        name: "Main".into(),
        tz: chrono_tz::America::Los_Angeles,
        now,
        from: t("2026-06-15T14:05:00Z"),
        to: t("2026-06-15T17:30:00Z"),
        slots,
        bands: vec![
            Band {
                label: "Driver 3F2A".into(),
                kind: BandKind::Session(0),
                kw: vec![20.0, 10.0],
            },
            Band {
                label: "Driver 0B11".into(),
                kind: BandKind::Session(1),
                kw: vec![19.5, 0.0],
            },
        ],
        cap: vec![Step {
            from: t("2026-06-15T14:05:00Z"),
            to: t("2026-06-15T17:30:00Z"),
            kw: 40.0,
        }],
        measured: vec![Step {
            from: t("2026-06-15T17:00:00Z"),
            to: t("2026-06-15T17:05:00Z"),
            kw: 12.3,
        }],
        cap_now_kw: 40.0,
    }
}

#[test]
fn the_svg_carries_the_cap_and_planned_peak_for_machines() {
    let html = circuit_figure(&chart()).into_string();
    assert!(html.contains("data-cap-kw=\"40\""), "{html}");
    assert!(html.contains("data-planned-peak-kw=\"39.5\""), "{html}");
    assert!(html.contains("data-circuit-id=\"s1-main\""), "{html}");
    assert!(html.contains("data-measured-peak-kw=\"12.3\""), "{html}");
}

#[test]
fn the_svg_has_a_title_and_a_description() {
    let html = circuit_figure(&chart()).into_string();
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("aria-labelledby=\"chart-s1-main-title chart-s1-main-desc\""));
    assert!(html.contains("<title id=\"chart-s1-main-title\">Power on circuit Main</title>"));
    assert!(
        html.contains("effective cap now 40.0 kW. Planned load from now to 10:30: up to 39.5 kW across 2 sessions."),
        "{html}"
    );
}

#[test]
fn one_band_and_one_legend_entry_per_session_then_cap_and_measured() {
    let html = circuit_figure(&chart()).into_string();
    assert_eq!(html.matches("class=\"band\"").count(), 2);
    assert!(html.contains("Driver 3F2A"));
    assert!(html.contains("Driver 0B11"));
    assert!(html.contains("Cap (40.0 kW now)"));
    assert!(html.contains("class=\"cap\""));
    assert!(html.contains("class=\"measured\""));
    assert!(html.contains("class=\"now\""));
}

#[test]
fn the_data_table_lists_measured_planned_and_cap_over_time() {
    let html = circuit_figure(&chart()).into_string();
    assert!(html.contains("<details id=\"chart-s1-main-data\">"));
    assert!(html.contains("Chart data for Main"));
    // Now (10:07 local): the first slot's total and the cap.
    assert!(html.contains("<th scope=\"row\">10:07</th><td class=\"num\">—</td><td class=\"num\">39.5</td><td class=\"num\">40.0</td>"), "{html}");
    // 10:00 local: the measured bucket, no plan yet.
    assert!(
        html.contains(
            "<th scope=\"row\">10:00</th><td class=\"num\">12.3</td><td class=\"num\">—</td>"
        ),
        "{html}"
    );
}

#[test]
fn nice_ceilings_round_up_to_readable_values() {
    assert_eq!(nice_ceiling(0.0), 1.0);
    assert_eq!(nice_ceiling(43.2), 50.0);
    assert_eq!(nice_ceiling(150.0), 160.0);
    assert_eq!(nice_ceiling(7.0), 8.0);
}

#[test]
fn dom_keys_are_safe_in_ids_and_selectors() {
    assert_eq!(dom_key("s1-main"), "s1-main");
    assert_eq!(dom_key("lot.b:panel"), "lot_b_panel");
}
