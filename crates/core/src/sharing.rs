//! A site's rules for charge-bay sharing: the anonymous relay between waiting drivers and
//! owners, "done charging" reminders, the public board and the waitlist.

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Per-site settings of charge-bay sharing, each with a documented default and range.
///
/// Durations are whole minutes (days for the retention), so an operator reads them as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharingSettings {
    /// Whether the public board `/sites/{site}/board` is served (default on).
    pub board_enabled: bool,
    /// A relay thread closes this long after its last message (default 240, 10–2880).
    pub thread_lifetime_min: u32,
    /// New threads one sender may open per hour, and one member may be reached by per hour
    /// (default 5, 1–100).
    pub new_threads_per_hour: u32,
    /// Threads one sender may have open at once (default 3, 1–20).
    pub max_open_threads_per_sender: u32,
    /// Days relayed message bodies are kept for abuse review, then deleted (default 30,
    /// 1–365). Who, when and which thread are kept for the audit.
    pub relay_body_retention_days: u32,
    /// Minutes a waitlist offer waits for TAKE before it counts as a skip (default 10, 1–60).
    pub offer_response_min: u32,
    /// Minutes a taken port is held for its taker (default 15, 1–120).
    pub hold_min: u32,
    /// Skips (answered or timed out) after which a driver leaves the waitlist (default 2,
    /// 0–10; 0 = the first skip).
    pub max_skips: u32,
    /// Minutes without drawing power after which a car counts as done (default 15, 5–240).
    pub done_idle_min: u32,
    /// Minutes between "please move" reminders after the first "done" text (default 30,
    /// 5–240).
    pub done_reminder_interval_min: u32,
    /// Reminders after the first "done" text (default 2, 0–10).
    pub max_done_reminders: u32,
}

impl Default for SharingSettings {
    fn default() -> Self {
        Self {
            board_enabled: true,
            thread_lifetime_min: 240,
            new_threads_per_hour: 5,
            max_open_threads_per_sender: 3,
            relay_body_retention_days: 30,
            offer_response_min: 10,
            hold_min: 15,
            max_skips: 2,
            done_idle_min: 15,
            done_reminder_interval_min: 30,
            max_done_reminders: 2,
        }
    }
}

/// The accepted range of each numeric setting, by field name: one table for validation, the
/// API's schema and the dashboard's form.
pub const SHARING_LIMITS: [(&str, u32, u32); 10] = [
    ("thread_lifetime_min", 10, 2880),
    ("new_threads_per_hour", 1, 100),
    ("max_open_threads_per_sender", 1, 20),
    ("relay_body_retention_days", 1, 365),
    ("offer_response_min", 1, 60),
    ("hold_min", 1, 120),
    ("max_skips", 0, 10),
    ("done_idle_min", 5, 240),
    ("done_reminder_interval_min", 5, 240),
    ("max_done_reminders", 0, 10),
];

impl SharingSettings {
    /// The numeric settings by field name, in the order of [`SHARING_LIMITS`].
    pub fn numbers(&self) -> [(&'static str, u32); 10] {
        [
            ("thread_lifetime_min", self.thread_lifetime_min),
            ("new_threads_per_hour", self.new_threads_per_hour),
            (
                "max_open_threads_per_sender",
                self.max_open_threads_per_sender,
            ),
            ("relay_body_retention_days", self.relay_body_retention_days),
            ("offer_response_min", self.offer_response_min),
            ("hold_min", self.hold_min),
            ("max_skips", self.max_skips),
            ("done_idle_min", self.done_idle_min),
            (
                "done_reminder_interval_min",
                self.done_reminder_interval_min,
            ),
            ("max_done_reminders", self.max_done_reminders),
        ]
    }

    /// Checks every value against its range; the error names the first field out of range.
    pub fn validate(&self) -> Result<(), ValueError> {
        for ((field, value), (_, min, max)) in self.numbers().into_iter().zip(SHARING_LIMITS) {
            if !(min..=max).contains(&value) {
                return Err(ValueError::invalid(
                    field,
                    format!("must be between {min} and {max}, got {value}"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(SharingSettings::default().validate(), Ok(()));
    }

    #[test]
    fn a_value_out_of_range_names_its_field() {
        let settings = SharingSettings {
            hold_min: 0,
            ..SharingSettings::default()
        };
        let error = settings.validate().unwrap_err();
        assert_eq!(error.field(), "hold_min");
        assert!(error.to_string().contains("between 1 and 120"), "{error}");
        let settings = SharingSettings {
            thread_lifetime_min: 2881,
            ..SharingSettings::default()
        };
        assert_eq!(
            settings.validate().unwrap_err().field(),
            "thread_lifetime_min"
        );
    }

    #[test]
    fn the_limits_table_and_the_fields_are_in_the_same_order() {
        let names: Vec<&str> = SharingSettings::default()
            .numbers()
            .iter()
            .map(|(name, _)| *name)
            .collect();
        let limit_names: Vec<&str> = SHARING_LIMITS.iter().map(|(name, ..)| *name).collect();
        assert_eq!(names, limit_names);
    }

    #[test]
    fn unknown_fields_are_refused_when_read_from_json() {
        let mut json = serde_json::to_value(SharingSettings::default()).unwrap();
        json["hold_minutes"] = 5.into();
        assert!(serde_json::from_value::<SharingSettings>(json).is_err());
    }
}
