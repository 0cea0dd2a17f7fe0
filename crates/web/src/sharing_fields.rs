//! How each numeric sharing setting is named for people: a label, a unit and a sentence,
//! used by the API's schema (with the ranges of `chargeplan_core::SHARING_LIMITS`) and by the
//! dashboard's form, so the two say the same thing.

use chargeplan_core::{SHARING_LIMITS, SharingSettings};

/// A numeric setting as operators read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SettingField {
    /// The field's name in the JSON and the form (`hold_min`).
    pub(crate) name: &'static str,
    /// The form's label.
    pub(crate) label: &'static str,
    /// The unit after the number ("minutes"); plural.
    pub(crate) unit: &'static str,
    /// What it does, as one sentence.
    pub(crate) hint: &'static str,
    pub(crate) min: u32,
    pub(crate) max: u32,
    pub(crate) default: u32,
}

/// Label, unit and sentence of each numeric setting, by name.
const WORDS: [(&str, &str, &str, &str); 10] = [
    (
        "thread_lifetime_min",
        "Relay thread lifetime",
        "minutes",
        "A conversation closes this long after its last message.",
    ),
    (
        "new_threads_per_hour",
        "New threads per hour",
        "threads",
        "How many conversations one sender may start, and one member may be reached by, in an hour.",
    ),
    (
        "max_open_threads_per_sender",
        "Open threads per sender",
        "threads",
        "How many conversations one sender may have open at once.",
    ),
    (
        "relay_body_retention_days",
        "Keep relayed texts for",
        "days",
        "Texts are kept this long for abuse review, then deleted; who, when and which thread stay.",
    ),
    (
        "offer_response_min",
        "Time to answer a waitlist offer",
        "minutes",
        "No TAKE within this time counts as a skip.",
    ),
    (
        "hold_min",
        "Hold a taken charger for",
        "minutes",
        "How long a charger is kept for the driver who replied TAKE.",
    ),
    (
        "max_skips",
        "Skips before leaving the waitlist",
        "skips",
        "After this many skips (answered or timed out) a driver leaves the list; 0 means the first skip.",
    ),
    (
        "done_idle_min",
        "Done after not drawing power for",
        "minutes",
        "A car that has drawn no power this long counts as done.",
    ),
    (
        "done_reminder_interval_min",
        "Time between \"please move\" reminders",
        "minutes",
        "The wait between reminders after the first \"done\" text.",
    ),
    (
        "max_done_reminders",
        "\"Please move\" reminders",
        "reminders",
        "How many reminders follow the first \"done\" text.",
    ),
];

/// Every numeric setting in the order of `SHARING_LIMITS`, with its range and default.
pub(crate) fn setting_fields() -> Vec<SettingField> {
    let defaults = SharingSettings::default().numbers();
    SHARING_LIMITS
        .iter()
        .zip(defaults)
        .map(|(&(name, min, max), (_, default))| {
            let (label, unit, hint) = WORDS
                .iter()
                .find(|(n, ..)| *n == name)
                .map_or((name, "", ""), |&(_, label, unit, hint)| {
                    (label, unit, hint)
                });
            SettingField {
                name,
                label,
                unit,
                hint,
                min,
                max,
                default,
            }
        })
        .collect()
}

/// The sentence for the board switch.
pub(crate) const BOARD_HINT: &str =
    "Whether the public board of the site's chargers (/sites/{site}/board) is served.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limited_setting_has_words_and_a_default_within_its_range() {
        let fields = setting_fields();
        assert_eq!(fields.len(), SHARING_LIMITS.len());
        for field in fields {
            assert!(!field.unit.is_empty(), "{} has no words", field.name);
            assert!(
                (field.min..=field.max).contains(&field.default),
                "{field:?}"
            );
        }
    }
}
