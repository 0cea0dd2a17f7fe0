//! The cap editor's forms as posted — static cap, temporary override, "End overrides" — and
//! how their fields are read and checked; a refused form keeps what was typed and names the
//! field at fault.

use chargeplan_core::{Kilowatts, MAX_OVERRIDE_DAYS};
use serde::Deserialize;

use super::chart::dom_key;
use super::format::kw_attr;

/// Most characters of an override's reason.
const MAX_REASON_CHARS: usize = 200;
/// Longest override, in minutes.
const MAX_OVERRIDE_MINUTES: i64 = MAX_OVERRIDE_DAYS * 24 * 60;

/// `POST …/circuits/{circuit_id}/cap`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CapForm {
    #[serde(default)]
    pub(crate) cap_kw: String,
    #[serde(default)]
    pub(crate) csrf: String,
}

/// `POST …/circuits/{circuit_id}/overrides`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OverrideForm {
    #[serde(default)]
    pub(crate) cap_kw: String,
    #[serde(default)]
    pub(crate) duration_min: String,
    #[serde(default)]
    pub(crate) reason: String,
    #[serde(default)]
    pub(crate) csrf: String,
}

/// `POST …/circuits/{circuit_id}/overrides/end`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// Which of a circuit's forms an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditorForm {
    StaticCap,
    Override,
}

/// A field of the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    CapKw,
    DurationMin,
    Reason,
}

/// A refused form: where, why, and what was typed (shown again).
#[derive(Debug, Clone)]
pub(crate) struct EditorError {
    pub(crate) circuit_id: String,
    pub(crate) form: EditorForm,
    pub(crate) field: Field,
    pub(crate) message: String,
    pub(crate) cap_kw: String,
    pub(crate) duration_min: String,
    pub(crate) reason: String,
}

/// A valid override request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OverrideInput {
    pub(crate) cap_kw: f64,
    pub(crate) minutes: i64,
    pub(crate) reason: String,
}

/// The id of the input an error belongs to (the error summary links to it).
pub(crate) fn field_id(error: &EditorError) -> String {
    let key = dom_key(&error.circuit_id);
    match (error.form, error.field) {
        (EditorForm::StaticCap, _) => format!("cap-{key}-static"),
        (EditorForm::Override, Field::CapKw) => format!("cap-{key}-override-kw"),
        (EditorForm::Override, Field::DurationMin) => format!("cap-{key}-override-min"),
        (EditorForm::Override, Field::Reason) => format!("cap-{key}-override-reason"),
    }
}

/// A cap typed by an operator: a number of kW above 0 and within what the store accepts
/// ("40", "40.5" or "40,5").
pub(crate) fn parse_cap_kw(raw: &str) -> Result<f64, String> {
    let text = raw.trim().replace(',', ".");
    if text.is_empty() {
        return Err("Enter the cap in kW, for example 40.".to_owned());
    }
    let value: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| "Enter the cap as a number of kW, for example 40.".to_owned())?;
    if value <= 0.0 {
        return Err("The cap must be more than 0 kW.".to_owned());
    }
    if value > Kilowatts::MAX {
        return Err(format!("The cap must be at most {} kW.", Kilowatts::MAX));
    }
    Ok(value)
}

/// An override form checked against the circuit's static cap (an override can only lower it).
pub(crate) fn parse_override(
    form: &OverrideForm,
    static_cap_kw: f64,
) -> Result<OverrideInput, (Field, String)> {
    let cap_kw = parse_cap_kw(&form.cap_kw).map_err(|m| (Field::CapKw, m))?;
    if cap_kw >= static_cap_kw {
        return Err((
            Field::CapKw,
            format!(
                "An override can only lower the cap: enter less than the static cap of {} kW.",
                kw_attr(static_cap_kw)
            ),
        ));
    }
    let minutes = form
        .duration_min
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=MAX_OVERRIDE_MINUTES).contains(m))
        .ok_or_else(|| {
            (
                Field::DurationMin,
                format!("Enter the duration in whole minutes, 1 to {MAX_OVERRIDE_MINUTES}."),
            )
        })?;
    let reason = form.reason.trim().to_owned();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err((
            Field::Reason,
            format!("The reason can have at most {MAX_REASON_CHARS} characters."),
        ));
    }
    Ok(OverrideInput {
        cap_kw,
        minutes,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(cap: &str, minutes: &str, reason: &str) -> OverrideForm {
        OverrideForm {
            cap_kw: cap.into(),
            duration_min: minutes.into(),
            reason: reason.into(),
            csrf: String::new(),
        }
    }

    #[test]
    fn a_cap_is_a_positive_number_of_kw() {
        assert_eq!(parse_cap_kw(" 40 "), Ok(40.0));
        assert_eq!(parse_cap_kw("40,5"), Ok(40.5));
        assert!(parse_cap_kw("").unwrap_err().contains("Enter the cap"));
        assert!(parse_cap_kw("lots").unwrap_err().contains("number"));
        assert!(parse_cap_kw("NaN").is_err());
        assert!(parse_cap_kw("inf").is_err());
        assert!(parse_cap_kw("0").unwrap_err().contains("more than 0"));
        assert!(parse_cap_kw("-5").is_err());
        assert!(parse_cap_kw("1e9").unwrap_err().contains("at most"));
    }

    #[test]
    fn an_override_lowers_the_cap_for_a_bounded_time() {
        assert_eq!(
            parse_override(&form("30", "90", "  utility event "), 150.0),
            Ok(OverrideInput {
                cap_kw: 30.0,
                minutes: 90,
                reason: "utility event".into()
            })
        );
        assert_eq!(
            parse_override(&form("150", "60", ""), 150.0).unwrap_err().0,
            Field::CapKw
        );
        assert_eq!(
            parse_override(&form("30", "0", ""), 150.0).unwrap_err().0,
            Field::DurationMin
        );
        assert_eq!(
            parse_override(&form("30", "1.5", ""), 150.0).unwrap_err().0,
            Field::DurationMin
        );
        assert_eq!(
            parse_override(&form("30", "10081", ""), 150.0)
                .unwrap_err()
                .0,
            Field::DurationMin
        );
        assert_eq!(
            parse_override(&form("30", "60", &"x".repeat(201)), 150.0)
                .unwrap_err()
                .0,
            Field::Reason
        );
    }
}
