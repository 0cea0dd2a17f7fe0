//! The Sharing page's settings form as posted: every setting read from its text, checked
//! against its range (`chargeplan_core::SHARING_LIMITS`), each error kept at its field with
//! what was typed, so a refused form comes back as the operator left it.

use std::collections::HashMap;

use chargeplan_core::SharingSettings;

use crate::sharing_fields::setting_fields;

/// The name of the board switch in the form.
pub(crate) const BOARD_FIELD: &str = "board_enabled";

/// A posted settings form: the values as typed, by field name, and the CSRF token.
#[derive(Debug, Default)]
pub(crate) struct SettingsForm {
    pub(crate) values: HashMap<String, String>,
    /// Whether the board checkbox was ticked (an unticked box is not posted).
    pub(crate) board_enabled: bool,
    pub(crate) csrf: String,
}

impl SettingsForm {
    /// The form from its posted pairs (unknown names are ignored, as browsers send buttons).
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                BOARD_FIELD => form.board_enabled = !value.is_empty(),
                _ => {
                    form.values.insert(name, value);
                }
            }
        }
        form
    }
}

/// A refused form: the errors by field, in the form's order, and what was typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SettingsErrors {
    pub(crate) errors: Vec<(&'static str, String)>,
    pub(crate) typed: HashMap<String, String>,
    pub(crate) board_enabled: bool,
}

impl SettingsErrors {
    /// The error at `field`, if any.
    pub(crate) fn at(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| message.as_str())
    }
}

/// The settings a form describes, or every field at fault.
pub(crate) fn parse_settings(form: &SettingsForm) -> Result<SharingSettings, SettingsErrors> {
    let mut numbers: HashMap<&str, u32> = HashMap::new();
    let mut errors = Vec::new();
    for field in setting_fields() {
        let typed = form.values.get(field.name).map_or("", |v| v.trim());
        match typed.parse::<u32>() {
            Ok(value) if (field.min..=field.max).contains(&value) => {
                numbers.insert(field.name, value);
            }
            _ => errors.push((
                field.name,
                format!(
                    "Enter a whole number of {} from {} to {}.",
                    field.unit, field.min, field.max
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(SettingsErrors {
            errors,
            typed: form.values.clone(),
            board_enabled: form.board_enabled,
        });
    }
    let n = |name: &str| numbers.get(name).copied().unwrap_or_default();
    let settings = SharingSettings {
        board_enabled: form.board_enabled,
        thread_lifetime_min: n("thread_lifetime_min"),
        new_threads_per_hour: n("new_threads_per_hour"),
        max_open_threads_per_sender: n("max_open_threads_per_sender"),
        relay_body_retention_days: n("relay_body_retention_days"),
        offer_response_min: n("offer_response_min"),
        hold_min: n("hold_min"),
        max_skips: n("max_skips"),
        done_idle_min: n("done_idle_min"),
        done_reminder_interval_min: n("done_reminder_interval_min"),
        max_done_reminders: n("max_done_reminders"),
    };
    // The same table checked both ways: a field added to the settings but not read above
    // would come back as 0 and be refused here, never saved.
    settings.validate().map_err(|error| SettingsErrors {
        errors: vec![(error.field(), error.to_string())],
        typed: form.values.clone(),
        board_enabled: form.board_enabled,
    })?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_of(settings: &SharingSettings) -> SettingsForm {
        let mut pairs: Vec<(String, String)> = settings
            .numbers()
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.to_string()))
            .collect();
        if settings.board_enabled {
            pairs.push((BOARD_FIELD.into(), "on".into()));
        }
        pairs.push(("csrf".into(), "token".into()));
        SettingsForm::from_pairs(pairs)
    }

    #[test]
    fn a_form_of_valid_settings_reads_back_as_those_settings() {
        let settings = SharingSettings {
            board_enabled: false,
            hold_min: 45,
            max_skips: 0,
            ..SharingSettings::default()
        };
        let form = form_of(&settings);
        assert_eq!(form.csrf, "token");
        assert_eq!(parse_settings(&form), Ok(settings));
        assert_eq!(
            parse_settings(&form_of(&SharingSettings::default())),
            Ok(SharingSettings::default())
        );
    }

    #[test]
    fn every_field_out_of_range_or_not_a_whole_number_is_named_with_what_was_typed() {
        let mut form = form_of(&SharingSettings::default());
        form.values.insert("hold_min".into(), "0".into());
        form.values.insert("max_skips".into(), "11".into());
        form.values.insert("done_idle_min".into(), "7.5".into());
        form.values.remove("max_done_reminders");
        let errors = parse_settings(&form).unwrap_err();
        let fields: Vec<&str> = errors.errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "hold_min",
                "max_skips",
                "done_idle_min",
                "max_done_reminders"
            ]
        );
        assert_eq!(
            errors.at("hold_min"),
            Some("Enter a whole number of minutes from 1 to 120.")
        );
        assert_eq!(errors.typed["max_skips"], "11");
        assert!(errors.board_enabled);
    }
}
