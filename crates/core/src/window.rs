//! Weekly recurring windows in a site's local time (for scheduled caps and tariff prices).

use std::fmt;

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The day names a window shows, in week order (it also reads them in any case, and full
/// names such as `Monday`).
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A set of weekdays, as a bitmask (bit 0 = Monday).
///
/// Serialized as a list of day names in week order, e.g. `["mon", "tue"]`; deserialization
/// accepts the names in any order and case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// No day.
    pub const EMPTY: Self = Self(0);
    /// Every day of the week.
    pub const ALL: Self = Self(0b111_1111);
    /// Monday to Friday.
    pub const WEEKDAYS: Self = Self(0b001_1111);
    /// Saturday and Sunday.
    pub const WEEKEND: Self = Self(0b110_0000);

    /// The set holding exactly `days`.
    pub fn from_days(days: &[Weekday]) -> Self {
        days.iter().fold(Self::EMPTY, |set, &d| set.with(d))
    }

    /// This set plus `day`.
    #[must_use]
    pub const fn with(self, day: Weekday) -> Self {
        Self(self.0 | (1 << day.num_days_from_monday()))
    }

    /// Whether `day` is in the set.
    pub const fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// Whether the set has no day.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Parses a day name: `mon`..`sun` (any case; full English names also accepted).
    pub fn parse_day(s: &str) -> Result<Weekday, ValueError> {
        s.trim().parse::<Weekday>().map_err(|_| {
            ValueError::invalid(
                "days",
                format!("unknown day '{s}', use mon, tue, wed, thu, fri, sat or sun"),
            )
        })
    }

    fn names(self) -> Vec<String> {
        (0..7u8)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| DAY_NAMES[usize::from(i)].to_owned())
            .collect()
    }
}

impl fmt::Debug for WeekdaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

impl TryFrom<Vec<String>> for WeekdaySet {
    type Error = ValueError;

    fn try_from(names: Vec<String>) -> Result<Self, ValueError> {
        names
            .iter()
            .try_fold(Self::EMPTY, |set, n| Ok(set.with(Self::parse_day(n)?)))
    }
}

impl From<WeekdaySet> for Vec<String> {
    fn from(set: WeekdaySet) -> Self {
        set.names()
    }
}

/// A window that recurs every week on `days`, from `start` to `end` in the site's local
/// time.
///
/// The window covers `[start, end)`. When `end <= start` the window runs past midnight into
/// the next day (`22:00`–`06:00`), and `days` names the day on which it STARTS; `end ==
/// start` is a full 24 hours. Evaluation converts the instant to local wall-clock time, so a
/// 17:00–21:00 window is 17:00–21:00 on the clock on DST change days too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocalWindow {
    /// The days on which the window starts.
    pub days: WeekdaySet,
    /// Local start time (inclusive).
    pub start: NaiveTime,
    /// Local end time (exclusive); at or before `start` means the next day.
    pub end: NaiveTime,
}

impl LocalWindow {
    /// A window on `days` from `start` to `end`; at least one day is required.
    pub fn new(days: WeekdaySet, start: NaiveTime, end: NaiveTime) -> Result<Self, ValueError> {
        if days.is_empty() {
            return Err(ValueError::invalid(
                "days",
                "choose at least one day of the week",
            ));
        }
        Ok(Self { days, start, end })
    }

    /// Whether the window runs past local midnight.
    pub fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// Whether the instant `at` falls in the window, in the site's time zone `tz`.
    pub fn contains(&self, tz: Tz, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&tz).naive_local();
        let (day, time) = (local.date().weekday(), local.time());
        if self.crosses_midnight() {
            (self.days.contains(day) && time >= self.start)
                || (self.days.contains(day.pred()) && time < self.end)
        } else {
            self.days.contains(day) && self.start <= time && time < self.end
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::Los_Angeles;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn peak() -> LocalWindow {
        LocalWindow::new(WeekdaySet::ALL, hm(17, 0), hm(21, 0)).unwrap()
    }

    #[test]
    fn an_evening_window_follows_the_clock_on_the_spring_forward_day() {
        // 2026-03-08 in Los Angeles: PDT (UTC-7) from 02:00, so 17:00–21:00 is 00:00Z–04:00Z.
        let w = peak();
        assert!(!w.contains(Los_Angeles, t("2026-03-08T23:59:59Z")));
        assert!(w.contains(Los_Angeles, t("2026-03-09T00:00:00Z")));
        assert!(w.contains(Los_Angeles, t("2026-03-09T00:30:00Z")));
        assert!(w.contains(Los_Angeles, t("2026-03-09T03:59:59Z")));
        assert!(!w.contains(Los_Angeles, t("2026-03-09T04:00:00Z")));
        // The day before was still PST (UTC-8): 17:00 was 01:00Z.
        assert!(!w.contains(Los_Angeles, t("2026-03-08T00:30:00Z")));
        assert!(w.contains(Los_Angeles, t("2026-03-08T01:00:00Z")));
    }

    #[test]
    fn an_evening_window_follows_the_clock_on_the_fall_back_day() {
        // 2026-11-01 in Los Angeles: PST (UTC-8) from 02:00, so 17:00–21:00 is 01:00Z–05:00Z.
        let w = peak();
        assert!(!w.contains(Los_Angeles, t("2026-11-02T00:30:00Z")));
        assert!(w.contains(Los_Angeles, t("2026-11-02T01:00:00Z")));
        assert!(w.contains(Los_Angeles, t("2026-11-02T04:30:00Z")));
        assert!(!w.contains(Los_Angeles, t("2026-11-02T05:00:00Z")));
        // The day before was still PDT (UTC-7): 21:00 was 04:00Z.
        assert!(w.contains(Los_Angeles, t("2026-11-01T03:59:00Z")));
        assert!(!w.contains(Los_Angeles, t("2026-11-01T04:00:00Z")));
    }

    #[test]
    fn a_window_past_midnight_belongs_to_the_day_it_starts() {
        // Friday nights only, 22:00 to 06:00. 2026-01-09 is a Friday (PST, UTC-8).
        let w =
            LocalWindow::new(WeekdaySet::from_days(&[Weekday::Fri]), hm(22, 0), hm(6, 0)).unwrap();
        assert!(w.crosses_midnight());
        assert!(w.contains(Los_Angeles, t("2026-01-10T07:00:00Z"))); // Fri 23:00
        assert!(w.contains(Los_Angeles, t("2026-01-10T13:59:00Z"))); // Sat 05:59
        assert!(!w.contains(Los_Angeles, t("2026-01-10T14:00:00Z"))); // Sat 06:00
        assert!(!w.contains(Los_Angeles, t("2026-01-11T07:00:00Z"))); // Sat 23:00
        assert!(!w.contains(Los_Angeles, t("2026-01-09T13:00:00Z"))); // Fri 05:00: Thursday's night
    }

    #[test]
    fn a_window_ending_when_it_starts_lasts_a_full_day() {
        let w =
            LocalWindow::new(WeekdaySet::from_days(&[Weekday::Mon]), hm(8, 0), hm(8, 0)).unwrap();
        // 2026-01-12 is a Monday.
        assert!(w.contains(Los_Angeles, t("2026-01-12T16:00:00Z"))); // Mon 08:00
        assert!(w.contains(Los_Angeles, t("2026-01-13T15:59:00Z"))); // Tue 07:59
        assert!(!w.contains(Los_Angeles, t("2026-01-13T16:00:00Z"))); // Tue 08:00
        assert!(!w.contains(Los_Angeles, t("2026-01-12T15:59:00Z"))); // Mon 07:59
    }

    #[test]
    fn a_weekday_window_is_closed_at_the_weekend() {
        let w = LocalWindow::new(WeekdaySet::WEEKDAYS, hm(9, 0), hm(17, 0)).unwrap();
        assert!(w.contains(Los_Angeles, t("2026-01-09T20:00:00Z"))); // Fri 12:00
        assert!(!w.contains(Los_Angeles, t("2026-01-10T20:00:00Z"))); // Sat 12:00
    }

    #[test]
    fn a_window_needs_at_least_one_day() {
        assert_eq!(
            LocalWindow::new(WeekdaySet::EMPTY, hm(9, 0), hm(17, 0))
                .unwrap_err()
                .to_string(),
            "days: choose at least one day of the week"
        );
    }

    #[test]
    fn weekday_sets_contain_the_expected_days() {
        assert!(WeekdaySet::ALL.contains(Weekday::Sun));
        assert!(WeekdaySet::WEEKDAYS.contains(Weekday::Mon));
        assert!(WeekdaySet::WEEKDAYS.contains(Weekday::Fri));
        assert!(!WeekdaySet::WEEKDAYS.contains(Weekday::Sat));
        assert!(!WeekdaySet::WEEKDAYS.contains(Weekday::Sun));
        assert!(WeekdaySet::WEEKEND.contains(Weekday::Sat));
        assert!(WeekdaySet::EMPTY.is_empty());
        assert_eq!(format!("{:?}", WeekdaySet::WEEKEND), "{\"sat\", \"sun\"}");
    }

    #[test]
    fn weekday_sets_serialize_as_lists_of_day_names() {
        let set = WeekdaySet::from_days(&[Weekday::Fri, Weekday::Mon]);
        assert_eq!(serde_json::to_string(&set).unwrap(), "[\"mon\",\"fri\"]");
        let back: WeekdaySet = serde_json::from_str("[\"FRI\", \"mon\", \"mon\"]").unwrap();
        assert_eq!(back, set);
        let e = serde_json::from_str::<WeekdaySet>("[\"funday\"]").unwrap_err();
        assert!(e.to_string().contains("unknown day 'funday'"), "{e}");
    }

    #[test]
    fn a_window_round_trips_through_json() {
        let w = peak();
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(serde_json::from_str::<LocalWindow>(&json).unwrap(), w);
    }
}
