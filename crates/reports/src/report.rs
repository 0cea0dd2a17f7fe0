//! The report's figures, as the operator JSON API returns them and the CSV exports list them.

use chargeplan_core::{PortId, SessionId, SiteId};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::fulfilment::RequestKind;
use crate::period::PeriodSummary;
use crate::relay::RelaySummary;
use crate::waitlist::WaitlistSummary;

/// A site's report for one period. Figures are rounded to 3 decimals (Wh, W, a thousandth
/// of the currency unit); per-session figures are as the vendor reported them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The site reported on.
    pub site_id: SiteId,
    /// Its time zone, which defines the period's days and the local times shown.
    pub time_zone: Tz,
    /// The period: label, local days and UTC bounds.
    pub period: PeriodSummary,
    /// Length of the intervals power is averaged over, in minutes (5).
    pub interval_minutes: i64,
    /// How short of its request a session may be and still count as met, in kWh (0.1).
    pub request_met_tolerance_kwh: f64,
    /// Counts, energy and peaks.
    pub summary: Summary,
    /// Cost figures under the site's tariff; `None` when the site has no tariff.
    pub cost: Option<CostSummary>,
    /// The anonymous relay between waiting drivers and owners: threads opened in the period.
    pub relay: RelaySummary,
    /// The waitlist: joins, offers and waits of the period, and how long cars stayed after
    /// they were done.
    pub waitlist: WaitlistSummary,
    /// One row per session that started in the period, by start time.
    pub sessions: Vec<SessionRow>,
}

/// Counts, energy and peaks of the sessions that started in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Sessions that started in the period (reservations excluded).
    pub sessions_count: u64,
    /// Sessions whose driver made no request.
    pub sessions_without_request: u64,
    /// Sessions whose latest request is "as much as possible".
    pub sessions_as_much_as_possible: u64,
    /// Sessions whose latest request names an amount of energy.
    pub sessions_with_kwh_request: u64,
    /// Energy asked for by the sessions with a kWh request.
    pub requested_kwh: f64,
    /// Energy delivered to the sessions with a kWh request.
    pub delivered_on_kwh_requests_kwh: f64,
    /// Energy delivered to every session.
    pub delivered_kwh: f64,
    /// kWh requests fully met (delivered ≥ requested − tolerance).
    pub requests_met: u64,
    /// kWh requests of cars still charging and not met yet: undecided, left out of the share.
    pub requests_still_charging: u64,
    /// Share of the decided kWh requests fully met, 0 to 100; `None` when none is decided.
    pub requests_met_pct: Option<f64>,
    /// Highest 5-minute average power of the sessions together, from meter readings.
    pub measured_peak_kw: f64,
    /// Start of the interval of the measured peak.
    pub measured_peak_at: Option<DateTime<Utc>>,
    /// The same peak had every car charged at its port's maximum from arrival.
    pub counterfactual_peak_kw: f64,
    /// Start of the interval of the counterfactual peak.
    pub counterfactual_peak_at: Option<DateTime<Utc>>,
    /// `counterfactual_peak_kw − measured_peak_kw`.
    pub peak_reduction_kw: f64,
}

/// Cost figures under the site's tariff, in its currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostSummary {
    /// ISO 4217 code of every amount below.
    pub currency: String,
    /// Each interval's energy at the price in force when it starts.
    pub energy_cost: f64,
    /// The tariff's demand charge rate, per kW.
    pub demand_charge_per_kw: f64,
    /// `measured_peak_kw × demand_charge_per_kw`: an indication of the period's share of
    /// the bill's demand charge, which is set by the billing period's peak.
    pub demand_charge: f64,
    /// `counterfactual_peak_kw × demand_charge_per_kw`.
    pub counterfactual_demand_charge: f64,
    /// `counterfactual_demand_charge − demand_charge`.
    pub demand_charge_saving: f64,
}

/// One session of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRow {
    /// Our id of the session.
    pub session_id: SessionId,
    /// Who charged, as the dashboard names them: "Driver 3F2A" or "Guest on p1"
    /// ([`driver_alias`](crate::driver_alias)).
    pub driver: String,
    /// The port it charged on, once matched.
    pub port_id: Option<PortId>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// The same in the site's local time, RFC 3339 with the offset.
    pub started_at_local: String,
    /// When it ended, once it has.
    pub ended_at: Option<DateTime<Utc>>,
    /// The same in the site's local time.
    pub ended_at_local: Option<String>,
    /// What the driver's latest request asked for.
    pub request: RequestKind,
    /// The kWh asked for (kWh requests only).
    pub requested_kwh: Option<f64>,
    /// Energy delivered, as the vendor last reported it.
    pub delivered_kwh: f64,
    /// Whether the kWh request was fully met (kWh requests only).
    pub met: Option<bool>,
    /// The departure time of the latest request.
    pub departure_requested: Option<DateTime<Utc>>,
    /// The same in the site's local time.
    pub departure_requested_local: Option<String>,
}
