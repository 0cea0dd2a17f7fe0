//! TEMPORARY stand-in for the lead's "Sharing settings" commit (per-site settings of
//! charge-bay sharing), so the board branch builds before it lands; dropped on rebase.

use serde::{Deserialize, Serialize};

/// A site's charge-bay sharing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingSettings {
    pub board_enabled: bool,
    pub thread_lifetime_min: u32,
    pub new_threads_per_hour: u32,
    pub max_open_threads_per_sender: u32,
    pub relay_body_retention_days: u32,
    pub offer_response_min: u32,
    pub hold_min: u32,
    pub max_skips: u32,
    pub done_idle_min: u32,
    pub done_reminder_interval_min: u32,
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
