//! The single validation error type returned by every validating constructor in this crate.

/// A value from outside (a form field, vendor JSON, configuration) failed validation.
///
/// The `Display` form is `"{field}: {reason}"` and is written to be shown to an operator
/// or a driver as is, e.g. `energy_kwh: must be a finite number, got NaN`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The value of `field` is not acceptable, for the reason given.
    #[error("{field}: {reason}")]
    Invalid {
        /// Name of the offending field, e.g. `"energy_kwh"`.
        field: &'static str,
        /// Human-readable explanation of what is wrong and, where useful, what is expected.
        reason: String,
    },
}

impl ValueError {
    /// Builds a [`ValueError::Invalid`] for `field` with the given `reason`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// The name of the field that failed validation.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Invalid { field, .. } => field,
        }
    }
}

/// Checks that `v` is finite, naming NaN and infinities explicitly in the message.
pub(crate) fn require_finite(field: &'static str, v: f64) -> Result<f64, ValueError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ValueError::invalid(
            field,
            format!("must be a finite number, got {v}"),
        ))
    }
}

/// Longest accepted display name (of a site or a circuit), in characters after trimming.
pub const MAX_NAME_CHARS: usize = 200;

/// Trims `s` and checks it has between `min` and `max` characters.
pub(crate) fn trimmed_text(
    field: &'static str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<String, ValueError> {
    let t = s.trim();
    let n = t.chars().count();
    if n < min {
        return Err(if min == 1 {
            ValueError::invalid(field, "must not be empty")
        } else {
            ValueError::invalid(field, format!("must be at least {min} characters"))
        });
    }
    if n > max {
        return Err(ValueError::invalid(
            field,
            format!("must be at most {max} characters, got {n}"),
        ));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_field_and_the_reason() {
        let e = ValueError::invalid("energy_kwh", "must be a finite number, got NaN");
        assert_eq!(
            e.to_string(),
            "energy_kwh: must be a finite number, got NaN"
        );
        assert_eq!(e.field(), "energy_kwh");
    }

    #[test]
    fn nan_and_infinity_are_named_in_the_message() {
        let e = require_finite("energy_kwh", f64::NAN).unwrap_err();
        assert_eq!(
            e.to_string(),
            "energy_kwh: must be a finite number, got NaN"
        );
        let e = require_finite("power_kw", f64::NEG_INFINITY).unwrap_err();
        assert_eq!(e.to_string(), "power_kw: must be a finite number, got -inf");
    }

    #[test]
    fn text_is_trimmed_and_its_length_checked_in_characters() {
        assert_eq!(trimmed_text("name", "  Lot B ", 1, 200).unwrap(), "Lot B");
        assert_eq!(
            trimmed_text("name", "   ", 1, 200).unwrap_err().to_string(),
            "name: must not be empty"
        );
        assert!(trimmed_text("name", &"é".repeat(200), 1, 200).is_ok());
        assert!(trimmed_text("name", &"é".repeat(201), 1, 200).is_err());
    }
}
