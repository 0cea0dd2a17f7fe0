//! A site's clock format, 24-hour ("17:30", the default) or 12-hour ("5:30 pm"): how every
//! time is shown to its drivers and read back from what they type.

use std::fmt;

use chrono::{DateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// How a site writes clock times for its drivers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClockFormat {
    /// "17:30", "09:05".
    #[default]
    #[serde(rename = "24h")]
    TwentyFourHour,
    /// "5:30 pm", "9:05 am".
    #[serde(rename = "12h")]
    TwelveHour,
}

impl ClockFormat {
    /// Reads the setting as written in config, the API and the CLI: `24h` or `12h`.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "24h" | "24" => Ok(Self::TwentyFourHour),
            "12h" | "12" => Ok(Self::TwelveHour),
            other => Err(ValueError::invalid(
                "clock",
                format!("unknown clock format '{other}', use 24h or 12h"),
            )),
        }
    }

    /// `24h` or `12h`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TwentyFourHour => "24h",
            Self::TwelveHour => "12h",
        }
    }

    /// A wall-clock time: "17:30" or "5:30 pm".
    pub fn time(self, t: NaiveTime) -> String {
        match self {
            Self::TwentyFourHour => t.format("%H:%M").to_string(),
            Self::TwelveHour => {
                let half = if t.hour() < 12 { "am" } else { "pm" };
                let hour = match t.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                format!("{hour}:{:02} {half}", t.minute())
            }
        }
    }

    /// `at` at the site: "17:30", or "Sat 17:30" when it is not on the same local day as
    /// `now`.
    pub fn local_time(self, at: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
        let local = at.with_timezone(&tz);
        if local.date_naive() == now.with_timezone(&tz).date_naive() {
            self.time(local.time())
        } else {
            self.with_weekday(at, tz)
        }
    }

    /// `at` at the site with its weekday: "Sat 17:30".
    pub fn with_weekday(self, at: DateTime<Utc>, tz: Tz) -> String {
        let local = at.with_timezone(&tz);
        format!("{} {}", local.format("%a"), self.time(local.time()))
    }

    /// A departure to show as an example in hints: "17:30" or "5:30 pm".
    pub fn example(self) -> &'static str {
        match self {
            Self::TwentyFourHour => "17:30",
            Self::TwelveHour => "5:30 pm",
        }
    }

    /// Reads a clock time as a driver types it: "17:30", "17.30", "1730", "5:30 pm",
    /// "5:30pm", "5pm", "12 am". Either format is understood at any site; a time without
    /// am or pm whose hour could be either ("5:30") is read as 24-hour at a 24-hour site and
    /// is [`TypedTime::NeedsHalfDay`] at a 12-hour one, where "5:30" would be a guess.
    pub fn read(self, typed: &str) -> TypedTime {
        let compact: String = typed
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        let (digits, half) = if let Some(d) = strip_half(&compact, "am") {
            (d, Some(false))
        } else if let Some(d) = strip_half(&compact, "pm") {
            (d, Some(true))
        } else {
            (compact.as_str(), None)
        };
        // "17:30", "17:30:00" (what some browsers send), "1730", "5".
        let parts: Vec<&str> = digits.split(':').collect();
        let (hour, minute) = match parts.as_slice() {
            [h, m] | [h, m, "00"] if m.len() == 2 => (h.parse::<u32>(), m.parse::<u32>()),
            [hm] if hm.len() == 4 || (hm.len() == 3 && half.is_some()) => {
                let (h, m) = hm.split_at(hm.len() - 2);
                (h.parse::<u32>(), m.parse::<u32>())
            }
            [h] if (1..=2).contains(&h.len()) => (h.parse::<u32>(), Ok(0)),
            _ => return TypedTime::NotATime,
        };
        let (Ok(hour), Ok(minute)) = (hour, minute) else {
            return TypedTime::NotATime;
        };
        if minute > 59 || digits.chars().any(|c| !c.is_ascii_digit() && c != ':') {
            return TypedTime::NotATime;
        }
        let hour = match half {
            Some(_) if !(1..=12).contains(&hour) => return TypedTime::NotATime,
            Some(pm) => hour % 12 + if pm { 12 } else { 0 },
            None if hour > 23 => return TypedTime::NotATime,
            None if self == Self::TwelveHour && (1..=12).contains(&hour) => {
                return TypedTime::NeedsHalfDay;
            }
            None => hour,
        };
        NaiveTime::from_hms_opt(hour, minute, 0).map_or(TypedTime::NotATime, TypedTime::At)
    }
}

/// `s` without its am/pm suffix ("5pm", "5 p.m." once compacted to "5pm").
fn strip_half<'a>(s: &'a str, half: &str) -> Option<&'a str> {
    s.strip_suffix(half)
        .or_else(|| s.strip_suffix(&half[..1]))
        .filter(|rest| !rest.is_empty())
}

/// What [`ClockFormat::read`] made of a typed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedTime {
    /// A wall-clock time.
    At(NaiveTime),
    /// An hour from 1 to 12 without am or pm, at a site that writes 12-hour times.
    NeedsHalfDay,
    /// Not a clock time.
    NotATime,
}

impl fmt::Display for ClockFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe;

    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn times_are_written_in_the_sites_format() {
        let (h24, h12) = (ClockFormat::TwentyFourHour, ClockFormat::TwelveHour);
        assert_eq!(h24.time(hm(17, 30)), "17:30");
        assert_eq!(h24.time(hm(9, 5)), "09:05");
        assert_eq!(h12.time(hm(17, 30)), "5:30 pm");
        assert_eq!(h12.time(hm(0, 15)), "12:15 am");
        assert_eq!(h12.time(hm(12, 0)), "12:00 pm");
        assert_eq!(h12.time(hm(9, 5)), "9:05 am");
    }

    #[test]
    fn another_day_is_named_by_its_weekday() {
        let now: DateTime<Utc> = "2026-06-05T09:34:00Z".parse().unwrap();
        let tomorrow: DateTime<Utc> = "2026-06-06T09:04:00Z".parse().unwrap();
        let h12 = ClockFormat::TwelveHour;
        assert_eq!(h12.local_time(now, Europe::London, now), "10:34 am");
        assert_eq!(
            h12.local_time(tomorrow, Europe::London, now),
            "Sat 10:04 am"
        );
        assert_eq!(
            ClockFormat::TwentyFourHour.with_weekday(now, Europe::London),
            "Fri 10:34"
        );
    }

    #[test]
    fn typed_times_are_read_in_either_format() {
        let h24 = ClockFormat::TwentyFourHour;
        for (typed, at) in [
            ("17:30", hm(17, 30)),
            ("17:30:00", hm(17, 30)),
            ("17.30", hm(17, 30)),
            ("1730", hm(17, 30)),
            ("5:30 pm", hm(17, 30)),
            ("5:30PM", hm(17, 30)),
            ("5 p.m.", hm(17, 0)),
            ("5pm", hm(17, 0)),
            ("530pm", hm(17, 30)),
            ("12 am", hm(0, 0)),
            ("12pm", hm(12, 0)),
            ("07:00", hm(7, 0)),
            ("7", hm(7, 0)),
            (" 09:05 ", hm(9, 5)),
        ] {
            assert_eq!(h24.read(typed), TypedTime::At(at), "{typed:?}");
        }
        for typed in [
            "", "soon", "25:00", "17:60", "13pm", "0am", "17:3", "12345", "5:30 xm",
        ] {
            assert_eq!(h24.read(typed), TypedTime::NotATime, "{typed:?}");
        }
    }

    #[test]
    fn a_12_hour_site_asks_for_am_or_pm_rather_than_guessing() {
        let h12 = ClockFormat::TwelveHour;
        assert_eq!(h12.read("5:30"), TypedTime::NeedsHalfDay);
        assert_eq!(h12.read("5:30 pm"), TypedTime::At(hm(17, 30)));
        // An hour only the 24-hour clock has is not a guess.
        assert_eq!(h12.read("17:30"), TypedTime::At(hm(17, 30)));
        assert_eq!(h12.read("00:30"), TypedTime::At(hm(0, 30)));
    }

    #[test]
    fn the_setting_is_read_and_written_as_24h_or_12h() {
        assert_eq!(ClockFormat::default(), ClockFormat::TwentyFourHour);
        assert_eq!(ClockFormat::parse(" 12H "), Ok(ClockFormat::TwelveHour));
        assert_eq!(ClockFormat::parse("24h"), Ok(ClockFormat::TwentyFourHour));
        assert!(ClockFormat::parse("am/pm").is_err());
        assert_eq!(
            serde_json::to_string(&ClockFormat::TwelveHour).unwrap(),
            "\"12h\""
        );
    }
}
