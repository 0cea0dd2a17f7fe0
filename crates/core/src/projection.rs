//! What a site's plan promises one driver, and the sentence we show on their page and text
//! them: "You'll have ~18 kWh (~60 mi) by 17:00."

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::plan::{Plan, SessionPlan};
use crate::request::{ChargingRequest, RequestedEnergy};

/// Smallest shortfall that counts as "not met", in kWh; below it the difference is noise.
const MIN_SHORTFALL_KWH: f64 = 0.05;

/// Largest shortfall that still counts as "met", as a fraction of the request.
const MET_FRACTION: f64 = 0.01;

/// Why the plan cannot deliver everything a driver asked for, in the driver's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortfallCause {
    /// A circuit or the site's peak limit leaves no more power for this car.
    SiteAtCapacity,
    /// Even at the charger's full power the car leaves before the energy is delivered.
    NotEnoughTime,
    /// The charger's minimum current or power steps leave the remaining headroom unusable.
    PowerSteps,
}

impl ShortfallCause {
    /// Maps the optimizer's shortfall reason (`SessionPlan::shortfall_reason`) to a cause.
    ///
    /// The optimizer writes "window too short for max power …", "circuit <id> full from …",
    /// "minimum current or power steps …" or "site peak kept …". Anything else (a reason
    /// written by a later optimizer version) is reported as the site being at capacity, the
    /// cause a driver can do the least about and the one we least risk misleading them with.
    pub fn from_optimizer_reason(reason: &str) -> ShortfallCause {
        let r = reason.trim_start();
        if r.starts_with("window too short") {
            Self::NotEnoughTime
        } else if r.starts_with("minimum current") || r.contains("power steps") {
            Self::PowerSteps
        } else {
            Self::SiteAtCapacity
        }
    }

    /// The "because …" clause of the shortfall sentence.
    fn because(self) -> &'static str {
        match self {
            Self::SiteAtCapacity => "because the site is at capacity",
            Self::NotEnoughTime => {
                "because that is more than this charger can deliver before you leave"
            }
            Self::PowerSteps => "because of this charger's minimum power steps",
        }
    }
}

/// What the current plan promises a driver by their departure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// Energy the car will have received by departure: delivered so far plus planned, kWh.
    pub delivered_kwh: f64,
    /// Energy the driver asked for, kWh; `None` for "as much as possible".
    pub requested_kwh: Option<f64>,
    /// When the driver leaves.
    pub departure: DateTime<Utc>,
    /// When the requested energy will have been delivered, if it will be.
    pub completion: Option<DateTime<Utc>>,
    /// Energy asked for that the plan cannot deliver before departure, kWh.
    pub shortfall_kwh: f64,
    /// Why there is a shortfall, if there is one and the optimizer said why.
    pub cause: Option<ShortfallCause>,
}

impl Projection {
    /// What `plan` promises at `now` for `request`: the energy the car has received so far
    /// plus what the plan still gives it from `now` on (the current slot prorated), so a plan
    /// made a while ago never counts time that has already passed.
    pub fn from_plan(
        plan: &Plan,
        planned: &SessionPlan,
        energy_so_far_kwh: f64,
        request: &ChargingRequest,
        now: DateTime<Utc>,
    ) -> Projection {
        let delivered_kwh = non_negative(energy_so_far_kwh) + plan.remaining_kwh(planned, now);
        let shortfall_kwh = match request.energy {
            RequestedEnergy::Kwh(kwh) => non_negative(kwh.get() - delivered_kwh),
            RequestedEnergy::AsMuchAsPossible => 0.0,
        };
        Projection {
            delivered_kwh,
            requested_kwh: request.energy.kwh(),
            departure: request.departure,
            completion: planned.completion,
            shortfall_kwh,
            cause: planned
                .shortfall_reason
                .as_deref()
                .map(ShortfallCause::from_optimizer_reason),
        }
    }

    /// Whether the plan delivers what was asked: the shortfall is at most 0.05 kWh or 1 % of
    /// the request, whichever is larger. A NaN shortfall is never "met".
    pub fn is_met(&self) -> bool {
        let requested = self.requested_kwh.filter(|r| r.is_finite()).unwrap_or(0.0);
        let tolerance = MIN_SHORTFALL_KWH.max(MET_FRACTION * requested);
        self.shortfall_kwh <= tolerance
    }

    /// The sentence for the driver, in the site's time zone `tz`.
    ///
    /// * met: "You'll have ~18 kWh (~60 mi) by 17:00."
    /// * not met: "We can deliver about 12 kWh by 17:00 because the site is at capacity —
    ///   leave later or ask for less."
    ///
    /// Miles are added when `wh_per_mile` is given (pass it only when the driver asked in
    /// miles). Amounts of 10 or more are rounded to whole numbers, smaller ones to one
    /// decimal. The time is the local 24-hour "HH:MM", with the weekday ("by Mon 07:30")
    /// when departure is not on the same local day as `now`.
    pub fn sentence(&self, tz: Tz, wh_per_mile: Option<f64>, now: DateTime<Utc>) -> String {
        let kwh = non_negative(self.delivered_kwh);
        let miles = wh_per_mile
            .filter(|wh| wh.is_finite() && *wh > 0.0)
            .map(|wh| format!(" (~{} mi)", format_amount(kwh * 1000.0 / wh)))
            .unwrap_or_default();
        let by = format_local_time(self.departure, tz, now);
        let amount = format_amount(kwh);
        if self.is_met() {
            return format!("You'll have ~{amount} kWh{miles} by {by}.");
        }
        let because = self
            .cause
            .map(|c| format!(" {}", c.because()))
            .unwrap_or_default();
        format!(
            "We can deliver about {amount} kWh{miles} by {by}{because} — leave later or ask for less."
        )
    }
}

/// A local 24-hour clock time for a driver: "17:00", or "Mon 07:30" when `at` is not on the
/// same local calendar day as `now` at the site in `tz`.
pub fn format_local_time(at: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    if local.date_naive() == now.with_timezone(&tz).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%a %H:%M").to_string()
    }
}

/// Whole numbers from 10 up, one decimal below ("18", "9.5", "0.4").
fn format_amount(v: f64) -> String {
    let v = non_negative(v);
    let tenths = (v * 10.0).round() / 10.0;
    if tenths >= 10.0 {
        format!("{:.0}", v.round())
    } else {
        format!("{tenths:.1}")
    }
}

/// `v` if it is a finite positive number, else 0 (so no "NaN" or "-0" reaches a driver).
fn non_negative(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use chrono_tz::{America, Europe};

    use super::*;
    use crate::ids::SessionId;
    use crate::request::EnergyNeed;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// 09:00 in Los Angeles (PDT) on Monday 2026-06-01.
    fn now() -> DateTime<Utc> {
        t("2026-06-01T16:00:00Z")
    }

    /// 17:00 the same day in Los Angeles.
    fn five_pm() -> DateTime<Utc> {
        t("2026-06-02T00:00:00Z")
    }

    fn projection(delivered: f64, requested: Option<f64>, shortfall: f64) -> Projection {
        Projection {
            delivered_kwh: delivered,
            requested_kwh: requested,
            departure: five_pm(),
            completion: None,
            shortfall_kwh: shortfall,
            cause: None,
        }
    }

    fn la(p: &Projection, wh: Option<f64>) -> String {
        p.sentence(America::Los_Angeles, wh, now())
    }

    #[test]
    fn optimizer_reasons_map_to_causes_a_driver_understands() {
        let cases = [
            (
                "window too short for max power: at most 4.000 kWh at 7.2 kW over 6 slots",
                ShortfallCause::NotEnoughTime,
            ),
            (
                "circuit main full from 2026-06-01T16:00:00+00:00 to 2026-06-01T18:00:00+00:00 (24 of 30 slots in the window)",
                ShortfallCause::SiteAtCapacity,
            ),
            (
                "minimum current or power steps leave the remaining headroom unusable",
                ShortfallCause::PowerSteps,
            ),
            (
                "site peak kept at the plan's peak to avoid demand charges",
                ShortfallCause::SiteAtCapacity,
            ),
            ("something new", ShortfallCause::SiteAtCapacity),
        ];
        for (reason, cause) in cases {
            assert_eq!(
                ShortfallCause::from_optimizer_reason(reason),
                cause,
                "{reason}"
            );
        }
    }

    #[test]
    fn a_met_request_promises_the_energy_by_departure() {
        let p = projection(18.0, Some(18.0), 0.0);
        assert!(p.is_met());
        assert_eq!(la(&p, None), "You'll have ~18 kWh by 17:00.");
    }

    #[test]
    fn a_driver_who_asked_in_miles_also_sees_miles() {
        let p = projection(18.0, Some(18.0), 0.0);
        assert_eq!(
            la(&p, Some(300.0)),
            "You'll have ~18 kWh (~60 mi) by 17:00."
        );
    }

    #[test]
    fn amounts_from_ten_are_whole_and_smaller_ones_have_one_decimal() {
        let s = |kwh: f64| la(&projection(kwh, None, 0.0), None);
        assert_eq!(s(18.4), "You'll have ~18 kWh by 17:00.");
        assert_eq!(s(18.5), "You'll have ~19 kWh by 17:00.");
        assert_eq!(s(9.44), "You'll have ~9.4 kWh by 17:00.");
        assert_eq!(s(9.96), "You'll have ~10 kWh by 17:00.");
        assert_eq!(s(0.0), "You'll have ~0.0 kWh by 17:00.");
        assert_eq!(s(f64::NAN), "You'll have ~0.0 kWh by 17:00.");
        assert_eq!(s(-0.0), "You'll have ~0.0 kWh by 17:00.");
        // 2.5 kWh at 300 Wh/mi is 8.333 miles.
        assert_eq!(
            la(&projection(2.5, None, 0.0), Some(300.0)),
            "You'll have ~2.5 kWh (~8.3 mi) by 17:00."
        );
    }

    #[test]
    fn a_small_shortfall_still_counts_as_met() {
        assert!(projection(19.9, Some(20.0), 0.05).is_met());
        assert!(!projection(19.9, Some(20.0), 0.21).is_met());
        // 1 % of 100 kWh is 1 kWh.
        assert!(projection(99.0, Some(100.0), 1.0).is_met());
        assert!(!projection(98.9, Some(100.0), 1.1).is_met());
        assert!(projection(30.0, None, 0.0).is_met());
        assert!(!projection(30.0, None, f64::NAN).is_met());
    }

    #[test]
    fn a_shortfall_because_the_site_is_full_says_so() {
        let mut p = projection(12.0, Some(18.0), 6.0);
        p.cause = Some(ShortfallCause::SiteAtCapacity);
        assert_eq!(
            la(&p, None),
            "We can deliver about 12 kWh by 17:00 because the site is at capacity — leave later or ask for less."
        );
    }

    #[test]
    fn a_shortfall_for_lack_of_time_says_so() {
        let mut p = projection(12.0, Some(18.0), 6.0);
        p.cause = Some(ShortfallCause::NotEnoughTime);
        assert_eq!(
            la(&p, Some(300.0)),
            "We can deliver about 12 kWh (~40 mi) by 17:00 because that is more than this charger can deliver before you leave — leave later or ask for less."
        );
    }

    #[test]
    fn a_shortfall_from_power_steps_says_so() {
        let mut p = projection(7.25, Some(8.0), 0.75);
        p.cause = Some(ShortfallCause::PowerSteps);
        assert_eq!(
            la(&p, None),
            "We can deliver about 7.3 kWh by 17:00 because of this charger's minimum power steps — leave later or ask for less."
        );
    }

    #[test]
    fn a_shortfall_without_a_known_cause_still_suggests_what_to_do() {
        let p = projection(12.0, Some(18.0), 6.0);
        assert_eq!(
            la(&p, None),
            "We can deliver about 12 kWh by 17:00 — leave later or ask for less."
        );
    }

    #[test]
    fn a_departure_on_another_local_day_names_the_weekday() {
        let mut p = projection(18.0, Some(18.0), 0.0);
        // 07:30 PDT on Tuesday.
        p.departure = t("2026-06-02T14:30:00Z");
        assert_eq!(la(&p, None), "You'll have ~18 kWh by Tue 07:30.");
        // 23:00 PDT on Monday is already Tuesday in UTC but the same local day.
        p.departure = t("2026-06-02T06:00:00Z");
        assert_eq!(la(&p, None), "You'll have ~18 kWh by 23:00.");
    }

    #[test]
    fn the_time_follows_daylight_saving_changes() {
        let mut p = projection(18.0, Some(18.0), 0.0);
        // Sunday 2026-03-08: Los Angeles springs forward at 02:00. 00:30 PST is 08:30Z and
        // 17:00 PDT is 00:00Z next day (UTC-7, not UTC-8).
        p.departure = t("2026-03-09T00:00:00Z");
        assert_eq!(
            p.sentence(America::Los_Angeles, None, t("2026-03-08T08:30:00Z")),
            "You'll have ~18 kWh by 17:00."
        );
        // Sunday 2026-10-25: Berlin falls back at 03:00; 08:00 CET is 07:00Z.
        p.departure = t("2026-10-25T07:00:00Z");
        assert_eq!(
            p.sentence(Europe::Berlin, None, t("2026-10-24T20:00:00Z")),
            "You'll have ~18 kWh by Sun 08:00."
        );
    }

    #[test]
    fn local_times_are_24_hour_with_the_weekday_only_on_other_days() {
        let tz = America::Los_Angeles;
        assert_eq!(format_local_time(now(), tz, now()), "09:00");
        assert_eq!(
            format_local_time(now() + Duration::hours(14), tz, now()),
            "23:00"
        );
        assert_eq!(
            format_local_time(now() - Duration::hours(10), tz, now()),
            "Sun 23:00"
        );
    }

    #[test]
    fn a_projection_counts_energy_so_far_and_only_what_the_plan_gives_from_now_on() {
        let request = ChargingRequest::new(
            SessionId::parse("s1").unwrap(),
            1,
            five_pm(),
            EnergyNeed::Kwh(18.0),
            None,
            now(),
        )
        .unwrap();
        let planned = SessionPlan {
            session_id: SessionId::parse("s1").unwrap(),
            // 6 kW for two 30-minute slots: 6 kWh in all.
            power_kw: vec![6.0, 6.0],
            energy_kwh: 6.0,
            shortfall_kwh: 8.0,
            completion: None,
            shortfall_reason: Some("circuit main full from …".into()),
        };
        let plan = Plan {
            id: crate::PlanId::generate(),
            site_id: crate::SiteId::parse("site").unwrap(),
            created_at: now(),
            start: now(),
            slot_minutes: crate::SlotMinutes::new(30).unwrap(),
            horizon_slots: 2,
            sessions: vec![planned.clone()],
        };

        let fresh = Projection::from_plan(&plan, &planned, 4.0, &request, now());
        // A quarter of an hour later half of the first slot is gone.
        let later = Projection::from_plan(
            &plan,
            &planned,
            5.5,
            &request,
            now() + Duration::minutes(15),
        );

        assert_eq!(fresh.delivered_kwh, 10.0);
        assert_eq!(fresh.shortfall_kwh, 8.0);
        assert_eq!(fresh.cause, Some(ShortfallCause::SiteAtCapacity));
        assert!(!fresh.is_met());
        assert!(
            (later.delivered_kwh - 10.0).abs() < 1e-9,
            "{}",
            later.delivered_kwh
        );
        assert_eq!(fresh.departure, five_pm());
    }
}
