//! The interchange types: the problem a caller sends and the plan it gets back (JSON via serde).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A site snapshot to plan for. Field names are the documented interchange format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Start of slot 0 (UTC).
    pub start: DateTime<Utc>,
    /// Length of one slot in minutes.
    #[serde(default = "default_slot_minutes")]
    pub slot_minutes: u32,
    /// Number of slots; default: up to the latest departure, at most 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_slots: Option<usize>,
    /// The circuit tree (each circuit names its parent; roots have `parent: null`).
    pub circuits: Vec<Circuit>,
    /// Controlled charging sessions.
    pub sessions: Vec<Session>,
    /// Prices; no tariff means cost is not optimized (all prices zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tariff: Option<Tariff>,
}

/// The default slot length, 5 minutes.
fn default_slot_minutes() -> u32 {
    5
}

/// One node of the circuit tree: a breaker, transformer, pod or feeder with a power cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circuit {
    /// Unique circuit id.
    pub id: String,
    /// Parent circuit id; `null` for a root.
    #[serde(default)]
    pub parent: Option<String>,
    /// Cap in kW, used for every slot not covered by `cap_kw_by_slot`.
    pub cap_kw: f64,
    /// Per-slot caps in kW; slots after the array's end use `cap_kw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_kw_by_slot: Option<Vec<f64>>,
    /// Uncontrolled load on this circuit itself in kW (added field; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_load_kw: Option<f64>,
    /// Per-slot uncontrolled load in kW; slots after the array's end use `fixed_load_kw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_load_kw_by_slot: Option<Vec<f64>>,
}

/// One plugged-in (or, for hindsight, expected) vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Unique session id.
    pub id: String,
    /// The circuit the port hangs on.
    pub circuit: String,
    /// Highest power the port and vehicle accept, kW.
    pub max_kw: f64,
    /// When set, each slot is either off or at least this power (J1772 minimum current), kW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_kw: Option<f64>,
    /// Allowed discrete power levels in kW besides 0 (added field); `None` means continuous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps_kw: Option<Vec<f64>>,
    /// Remaining energy need, kWh.
    pub energy_kwh: f64,
    /// Departure (UTC): no power in a slot that ends after it.
    pub departure: DateTime<Utc>,
    /// Arrival (UTC): no power in a slot that starts before it; `null` = already plugged in.
    #[serde(default)]
    pub arrival: Option<DateTime<Utc>>,
}

/// Time-of-use energy prices and the demand charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// Energy price per kWh for each slot; slots after its end use `energy_price_per_kwh`.
    #[serde(default)]
    pub energy_price_per_kwh_by_slot: Vec<f64>,
    /// Energy price per kWh after the by-slot array (added field; default: the array's last
    /// value, or 0 when it is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy_price_per_kwh: Option<f64>,
    /// Charge per kW of site peak above `billed_peak_kw`.
    #[serde(default)]
    pub demand_charge_per_kw: f64,
    /// Peak already billed this period, kW.
    #[serde(default)]
    pub billed_peak_kw: f64,
}

/// The answer: power per session per slot and what it achieves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `optimal`, or `repaired` when the min-current / step repair changed the LP plan.
    pub status: String,
    /// Start of slot 0 (UTC), copied from the problem.
    pub start: DateTime<Utc>,
    /// Slot length in minutes.
    pub slot_minutes: u32,
    /// Number of slots in every `power_kw` / `load_kw` array.
    pub horizon_slots: usize,
    /// One entry per problem session, same order.
    pub sessions: Vec<SessionPlan>,
    /// One entry per problem circuit, same order.
    pub circuits: Vec<CircuitLoad>,
    /// Total planned energy, kWh.
    pub energy_kwh: f64,
    /// Total shortfall (need minus planned energy), kWh.
    pub shortfall_kwh: f64,
    /// Smallest fraction of (capped) need met over sessions with a positive need.
    pub min_fraction_met: f64,
    /// Σ price × energy over the horizon, currency units.
    pub energy_cost: f64,
    /// Demand charge on the site peak above the billed peak.
    pub demand_charge: f64,
    /// Highest site load (all root circuits, fixed load included), kW.
    pub peak_kw: f64,
    /// Solver statistics (`solve_ms` and `stage_ms` are the only non-deterministic fields).
    pub stats: Stats,
}

/// The plan for one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPlan {
    /// Session id.
    pub id: String,
    /// Power per slot, kW (`horizon_slots` entries).
    pub power_kw: Vec<f64>,
    /// Planned energy, kWh.
    pub energy_kwh: f64,
    /// Need minus planned energy, kWh.
    pub shortfall_kwh: f64,
    /// End of the last slot with power, or `null` when nothing is planned.
    pub completion: Option<DateTime<Utc>>,
    /// Why the need is not met, or `null`.
    pub shortfall_reason: Option<String>,
}

/// Planned load of one circuit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CircuitLoad {
    /// Circuit id.
    pub id: String,
    /// Load per slot including fixed load of the whole subtree, kW.
    pub load_kw: Vec<f64>,
}

/// How the solve went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Wall time of the whole optimization, ms.
    pub solve_ms: f64,
    /// LP columns.
    pub variables: usize,
    /// LP rows (final stage).
    pub constraints: usize,
    /// LP stages actually solved (stages proven trivial are skipped).
    pub stages_solved: usize,
    /// Wall time of each solved stage, ms (model build included in the first; not
    /// deterministic).
    pub stage_ms: Vec<f64>,
    /// Energy of the continuous LP plan before the min-current / step repair, kWh.
    pub continuous_energy_kwh: f64,
    /// Smallest fraction of capped need met by the continuous LP plan, before the repair.
    pub continuous_min_fraction_met: f64,
}
