//! Charging sites, and converting a site's local wall-clock time to UTC across DST changes.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{MAX_NAME_CHARS, ValueError, trimmed_text};
use crate::ids::SiteId;
use crate::time_format::ClockFormat;
use crate::typed_phone::Country;
use crate::units::SlotMinutes;

/// A charging site: a place with ports, circuits and one time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Stable identifier.
    pub id: SiteId,
    /// Display name for operators and drivers, 1 to 200 characters.
    pub name: String,
    /// IANA time zone, used for display, weekly cap windows and tariffs. All stored times
    /// are UTC.
    pub time_zone: Tz,
    /// Length of one optimization slot.
    pub slot_minutes: SlotMinutes,
    /// How times are written for the site's drivers, on their page and in their texts.
    #[serde(default)]
    pub clock: ClockFormat,
    /// The site's country, the default region of phone numbers typed for it (a number
    /// without its country code is read as this country's). The United States unless set.
    #[serde(default)]
    pub country: Country,
}

impl Site {
    /// Validates a site definition: the name is trimmed and must have 1 to 200 characters,
    /// `time_zone` must be an IANA name and `slot_minutes` must divide an hour.
    pub fn new(
        id: SiteId,
        name: &str,
        time_zone: &str,
        slot_minutes: u32,
    ) -> Result<Self, ValueError> {
        Ok(Self {
            id,
            name: trimmed_text("name", name, 1, MAX_NAME_CHARS)?,
            time_zone: parse_time_zone(time_zone)?,
            slot_minutes: SlotMinutes::new(slot_minutes)?,
            clock: ClockFormat::default(),
            country: Country::default(),
        })
    }

    /// The site with its drivers' clock format and its country.
    pub fn with_locale(self, clock: ClockFormat, country: Country) -> Self {
        Self {
            clock,
            country,
            ..self
        }
    }
}

/// Parses an IANA time zone name such as `America/Los_Angeles` (surrounding whitespace is
/// ignored).
pub fn parse_time_zone(s: &str) -> Result<Tz, ValueError> {
    let t = s.trim();
    t.parse::<Tz>().map_err(|_| {
        ValueError::invalid(
            "time_zone",
            format!("unknown time zone '{t}', use an IANA name such as America/Los_Angeles"),
        )
    })
}

/// Converts a wall-clock time at a site to the UTC instant.
///
/// * A time that does not exist because the clocks jump forward (the spring DST gap, e.g.
///   02:30 on 2026-03-08 in Los Angeles) is an error that says so.
/// * A time that happens twice because the clocks fall back (e.g. 01:30 on 2026-11-01 in
///   Los Angeles) resolves to the EARLIER instant, the first time the clock shows it.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> Result<DateTime<Utc>, ValueError> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, later) => Ok(earlier.min(later).with_timezone(&Utc)),
        LocalResult::None => Err(ValueError::invalid(
            "local_time",
            format!(
                "{} does not exist in {}: the clocks move forward then (daylight saving time starts); choose a later time",
                local.format("%Y-%m-%d %H:%M"),
                tz.name()
            ),
        )),
    }
}

/// The UTC instant at which the local calendar day `date` begins at a site.
///
/// Usually local midnight; in the few zones whose DST change skips midnight, the first
/// instant of the day is the moment the clocks jump, which this returns.
pub fn start_of_local_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    // No real zone has a gap longer than a day; step a minute at a time past it.
    (0..=24 * 60)
        .find_map(|m| local_to_utc(tz, midnight + Duration::minutes(m)).ok())
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

#[cfg(test)]
mod tests {
    use chrono_tz::{America, Europe};

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn site_id() -> SiteId {
        SiteId::parse("lot-b").unwrap()
    }

    #[test]
    fn a_site_is_built_with_a_trimmed_name_and_an_iana_zone() {
        let site = Site::new(site_id(), "  Lot B  ", " America/Los_Angeles ", 15).unwrap();
        assert_eq!(site.name, "Lot B");
        assert_eq!(site.time_zone, America::Los_Angeles);
        assert_eq!(site.slot_minutes.get(), 15);
    }

    #[test]
    fn an_unknown_time_zone_is_rejected_with_an_example() {
        assert_eq!(
            Site::new(site_id(), "Lot B", "Pacific Time", 5)
                .unwrap_err()
                .to_string(),
            "time_zone: unknown time zone 'Pacific Time', use an IANA name such as America/Los_Angeles"
        );
    }

    #[test]
    fn a_site_needs_a_name_of_at_most_200_characters_and_a_valid_slot() {
        assert_eq!(
            Site::new(site_id(), "  ", "UTC", 5)
                .unwrap_err()
                .to_string(),
            "name: must not be empty"
        );
        assert!(Site::new(site_id(), &"x".repeat(200), "UTC", 5).is_ok());
        assert_eq!(
            Site::new(site_id(), &"x".repeat(201), "UTC", 5)
                .unwrap_err()
                .field(),
            "name"
        );
        assert_eq!(
            Site::new(site_id(), "Lot B", "UTC", 7).unwrap_err().field(),
            "slot_minutes"
        );
    }

    #[test]
    fn a_site_round_trips_through_json_with_the_zone_by_name() {
        let site = Site::new(site_id(), "Lot B", "Europe/Berlin", 5).unwrap();
        let json = serde_json::to_string(&site).unwrap();
        assert!(json.contains("\"Europe/Berlin\""), "{json}");
        assert_eq!(serde_json::from_str::<Site>(&json).unwrap(), site);
    }

    #[test]
    fn an_ordinary_local_time_converts_with_the_current_offset() {
        assert_eq!(
            local_to_utc(America::Los_Angeles, local("2026-01-15 17:00")).unwrap(),
            t("2026-01-16T01:00:00Z")
        );
        assert_eq!(
            local_to_utc(America::Los_Angeles, local("2026-07-15 17:00")).unwrap(),
            t("2026-07-16T00:00:00Z")
        );
    }

    #[test]
    fn a_local_time_in_the_los_angeles_spring_gap_is_rejected() {
        let e = local_to_utc(America::Los_Angeles, local("2026-03-08 02:30")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "local_time: 2026-03-08 02:30 does not exist in America/Los_Angeles: the clocks move \
             forward then (daylight saving time starts); choose a later time"
        );
        // Either side of the gap is fine.
        assert_eq!(
            local_to_utc(America::Los_Angeles, local("2026-03-08 01:59")).unwrap(),
            t("2026-03-08T09:59:00Z")
        );
        assert_eq!(
            local_to_utc(America::Los_Angeles, local("2026-03-08 03:00")).unwrap(),
            t("2026-03-08T10:00:00Z")
        );
    }

    #[test]
    fn a_local_time_in_the_berlin_spring_gap_is_rejected() {
        let e = local_to_utc(Europe::Berlin, local("2026-03-29 02:15")).unwrap_err();
        assert!(e.to_string().contains("clocks move forward"), "{e}");
        assert!(e.to_string().contains("Europe/Berlin"), "{e}");
    }

    #[test]
    fn an_ambiguous_los_angeles_fall_back_time_means_the_earlier_instant() {
        // 01:30 happens at 08:30Z (PDT) and again at 09:30Z (PST).
        assert_eq!(
            local_to_utc(America::Los_Angeles, local("2026-11-01 01:30")).unwrap(),
            t("2026-11-01T08:30:00Z")
        );
    }

    #[test]
    fn an_ambiguous_berlin_fall_back_time_means_the_earlier_instant() {
        // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
        assert_eq!(
            local_to_utc(Europe::Berlin, local("2026-10-25 02:30")).unwrap(),
            t("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn a_local_day_starts_at_midnight_even_on_dst_change_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            start_of_local_day(America::Los_Angeles, d("2026-03-08")),
            t("2026-03-08T08:00:00Z")
        );
        assert_eq!(
            start_of_local_day(America::Los_Angeles, d("2026-03-09")),
            t("2026-03-09T07:00:00Z")
        );
        assert_eq!(
            start_of_local_day(Europe::Berlin, d("2026-10-25")),
            t("2026-10-24T22:00:00Z")
        );
    }

    #[test]
    fn a_local_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() {
        // Chile springs forward at 00:00 local (04:00Z), straight to 01:00.
        let d = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert!(local_to_utc(America::Santiago, d.and_time(NaiveTime::MIN)).is_err());
        assert_eq!(
            start_of_local_day(America::Santiago, d),
            t("2026-09-06T04:00:00Z")
        );
    }
}
