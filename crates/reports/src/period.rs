//! Report periods: one local calendar day, or the seven local days of a week from Monday.

use std::fmt;
use std::str::FromStr;

use chargeplan_core::{ValueError, start_of_local_day};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

/// Whether a period is a day or a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One local calendar day.
    Day,
    /// Seven local calendar days, Monday to Sunday.
    Week,
}

/// A span of local calendar days at a site. The instants it covers depend on the site's
/// time zone: see [`Period::bounds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    kind: PeriodKind,
    first_day: NaiveDate,
}

/// The UTC instants a period covers at a site: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeriodBounds {
    /// The first instant of the period's first local day.
    pub from: DateTime<Utc>,
    /// The first instant of the local day after the period (excluded).
    pub to: DateTime<Utc>,
}

impl Period {
    /// The local calendar day `date`.
    pub fn day(date: NaiveDate) -> Self {
        Self {
            kind: PeriodKind::Day,
            first_day: date,
        }
    }

    /// The week, Monday to Sunday, that contains `date`.
    pub fn week_containing(date: NaiveDate) -> Self {
        let since_monday = u64::from(date.weekday().num_days_from_monday());
        Self {
            kind: PeriodKind::Week,
            first_day: date
                .checked_sub_days(Days::new(since_monday))
                .unwrap_or(NaiveDate::MIN),
        }
    }

    /// Day or week.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The first local day of the period.
    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// The number of local days in the period: 1 or 7.
    pub fn day_count(&self) -> u64 {
        match self.kind {
            PeriodKind::Day => 1,
            PeriodKind::Week => 7,
        }
    }

    /// The last local day of the period (included).
    pub fn last_day(&self) -> NaiveDate {
        self.first_day
            .checked_add_days(Days::new(self.day_count() - 1))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The UTC instants the period covers in time zone `tz`, from the start of its first
    /// local day to the start of the day after its last one. Follows daylight saving time:
    /// a spring-forward day lasts 23 hours, a fall-back day 25.
    pub fn bounds(&self, tz: Tz) -> PeriodBounds {
        let after_last = self.last_day().succ_opt().unwrap_or(NaiveDate::MAX);
        PeriodBounds {
            from: start_of_local_day(tz, self.first_day),
            to: start_of_local_day(tz, after_last),
        }
    }

    /// The period's name: `2026-03-08` for a day, the ISO week `2026-W10` for a week.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Day => write!(f, "{}", self.first_day.format("%Y-%m-%d")),
            PeriodKind::Week => {
                let week = self.first_day.iso_week();
                write!(f, "{}-W{:02}", week.year(), week.week())
            }
        }
    }
}

impl FromStr for Period {
    type Err = ValueError;

    /// Parses a label: `2026-03-08` (a day) or `2026-W10` (an ISO week, Monday to Sunday).
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        if let Some((year, week)) = t.split_once("-W").or_else(|| t.split_once("-w")) {
            let parsed = year
                .parse::<i32>()
                .ok()
                .zip(week.parse::<u32>().ok())
                .and_then(|(y, w)| NaiveDate::from_isoywd_opt(y, w, Weekday::Mon));
            return parsed.map(Self::week_containing).ok_or_else(|| {
                ValueError::invalid(
                    "period",
                    format!("'{t}' is not an ISO week; use e.g. 2026-W10"),
                )
            });
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Self::day)
            .map_err(|_| {
                ValueError::invalid(
                    "period",
                    format!("'{t}' is neither a day (2026-03-08) nor an ISO week (2026-W10)"),
                )
            })
    }
}

/// What a report says about its period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodSummary {
    /// Day or week.
    pub kind: PeriodKind,
    /// `2026-03-08` or `2026-W10`.
    pub label: String,
    /// First local day.
    pub first_day: NaiveDate,
    /// Last local day (included).
    pub last_day: NaiveDate,
    /// First instant of the period.
    pub from: DateTime<Utc>,
    /// First instant after the period.
    pub to: DateTime<Utc>,
    /// The period's length in hours: 24 for most days, 23 or 25 on DST change days.
    pub hours: f64,
}

impl PeriodSummary {
    /// Describes `period` in time zone `tz`.
    pub fn new(period: Period, tz: Tz) -> Self {
        let bounds = period.bounds(tz);
        Self {
            kind: period.kind(),
            label: period.label(),
            first_day: period.first_day(),
            last_day: period.last_day(),
            from: bounds.from,
            to: bounds.to,
            hours: (bounds.to - bounds.from).num_seconds() as f64 / 3600.0,
        }
    }
}

#[cfg(test)]
#[path = "period_tests.rs"]
mod tests;
