//! What a site's plan promises one driver, and the sentence we show on their page and text
//! them: "You'll have ~18 kWh (~60 mi) by 17:00.", or a shortfall that says what limits it.

mod sentence;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::plan::{Plan, SessionPlan};
use crate::request::{ChargingRequest, RequestedEnergy};
use crate::time_format::ClockFormat;

/// Smallest shortfall that counts as "not met", in kWh; below it the difference is noise.
const MIN_SHORTFALL_KWH: f64 = 0.05;

/// Largest shortfall that still counts as "met", as a fraction of the request.
const MET_FRACTION: f64 = 0.01;

/// A car planned this far below its charger's maximum is limited by its own draw.
const CAR_LIMITED_BELOW_KW: f64 = 0.5;

/// Why the plan cannot deliver everything a driver asked for, in the driver's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortfallCause {
    /// A circuit or the site's peak limit leaves no more power for this car.
    SiteAtCapacity,
    /// Even at the most this car can draw the car leaves before the energy is delivered.
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
}

/// What holds a car's power down when its window is too short: the car itself, drawing less
/// than its charger could give, or the charger (or vehicle) maximum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum PowerLimit {
    /// The car draws `kw`, less than the charger gives (a full or tapering battery, a slow
    /// on-board charger).
    Car { kw: f64 },
    /// The charger gives at most `kw`.
    Charger { kw: f64 },
}

/// The charger a session is on, as its page knows it, to say what limits a shortfall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChargerNow {
    /// The port's maximum, kW.
    pub max_kw: f64,
    /// What the car draws at the last meter report, kW.
    pub drawing_kw: f64,
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
    /// For [`ShortfallCause::NotEnoughTime`], whether the car or the charger is the limit.
    #[serde(default)]
    pub limit: Option<PowerLimit>,
}

impl Projection {
    /// [`Projection::from_plan_at`] without knowing the charger.
    pub fn from_plan(
        plan: &Plan,
        planned: &SessionPlan,
        energy_so_far_kwh: f64,
        request: &ChargingRequest,
        now: DateTime<Utc>,
    ) -> Projection {
        Self::from_plan_at(plan, planned, energy_so_far_kwh, request, now, None)
    }

    /// What `plan` promises at `now` for `request`: the energy the car has received so far
    /// plus what the plan still gives it from `now` on (the current slot prorated), so a plan
    /// made a while ago never counts time that has already passed.
    ///
    /// A shortfall is one the optimizer found (it gave a reason), larger than rounding, and
    /// not made by the end of the planning horizon alone: when the driver leaves after the
    /// plan ends and the charger's maximum over the hours after it covers what is missing,
    /// the rest is planned as the horizon moves on. `charger` says what limits the power.
    pub fn from_plan_at(
        plan: &Plan,
        planned: &SessionPlan,
        energy_so_far_kwh: f64,
        request: &ChargingRequest,
        now: DateTime<Utc>,
        charger: Option<ChargerNow>,
    ) -> Projection {
        let delivered_kwh = non_negative(energy_so_far_kwh) + plan.remaining_kwh(planned, now);
        let cause = planned
            .shortfall_reason
            .as_deref()
            .map(ShortfallCause::from_optimizer_reason);
        let missing = match request.energy {
            RequestedEnergy::Kwh(kwh) => non_negative(kwh.get() - delivered_kwh),
            RequestedEnergy::AsMuchAsPossible => 0.0,
        };
        let after_horizon_h = (request.departure - plan.end().max(now))
            .num_seconds()
            .max(0) as f64
            / 3600.0;
        let planned_later =
            charger.is_some_and(|c| non_negative(c.max_kw) * after_horizon_h >= missing);
        let shortfall_kwh = if cause.is_none() || planned_later {
            0.0
        } else {
            missing
        };
        let limit = match (cause, charger) {
            (Some(ShortfallCause::NotEnoughTime), Some(c)) => {
                let planned_kw = planned
                    .shortfall_reason
                    .as_deref()
                    .and_then(planned_max_kw)
                    .unwrap_or(c.max_kw);
                Some(if planned_kw < c.max_kw - CAR_LIMITED_BELOW_KW {
                    let drawing = if c.drawing_kw > 0.0 {
                        c.drawing_kw
                    } else {
                        planned_kw
                    };
                    PowerLimit::Car { kw: drawing }
                } else {
                    PowerLimit::Charger { kw: c.max_kw }
                })
            }
            _ => None,
        };
        Projection {
            delivered_kwh,
            requested_kwh: request.energy.kwh(),
            departure: request.departure,
            completion: planned.completion,
            shortfall_kwh,
            cause: cause.filter(|_| shortfall_kwh > 0.0),
            limit: limit.filter(|_| shortfall_kwh > 0.0),
        }
    }

    /// Whether the plan delivers what was asked: the shortfall is at most 0.05 kWh or 1 % of
    /// the request, whichever is larger. A NaN shortfall is never "met".
    pub fn is_met(&self) -> bool {
        let requested = self.requested_kwh.filter(|r| r.is_finite()).unwrap_or(0.0);
        let tolerance = MIN_SHORTFALL_KWH.max(MET_FRACTION * requested);
        self.shortfall_kwh <= tolerance
    }

    /// The sentence for the driver, times in the site's zone `tz` and clock format; see
    /// [`sentence`] for the wording. Pass `wh_per_mile` only when the driver asked in miles.
    pub fn sentence(
        &self,
        tz: Tz,
        clock: ClockFormat,
        wh_per_mile: Option<f64>,
        now: DateTime<Utc>,
    ) -> String {
        sentence::sentence(self, tz, clock, wh_per_mile, now)
    }
}

/// The kW the optimizer planned the car at, from "… at most 4.000 kWh at 7.2 kW over …".
fn planned_max_kw(reason: &str) -> Option<f64> {
    let (_, after) = reason.split_once(" kWh at ")?;
    after.split_whitespace().next()?.parse().ok()
}

/// A local 24-hour clock time for a driver: "17:00", or "Mon 07:30" when `at` is not on the
/// same local calendar day as `now` at the site in `tz`.
pub fn format_local_time(at: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    ClockFormat::TwentyFourHour.local_time(at, tz, now)
}

/// `v` if it is a finite positive number, else 0 (so no "NaN" or "-0" reaches a driver).
fn non_negative(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

#[cfg(test)]
mod tests;
