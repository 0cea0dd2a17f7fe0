//! The site as the optimizer sees it right now: circuits with their effective caps per slot,
//! uncontrolled ports as fixed load, and every controlled session with what its driver asked.

use std::collections::{HashMap, HashSet};

use chargeplan_core::{
    BilledPeak, CapOverride, ChargingRequest, Circuit, MeterSample, Port, PortId, RequestedEnergy,
    ScheduledCap, Session, Setpoint, Site, Tariff, effective_cap,
};
use chargeplan_optimizer as opt;
use chargeplan_store::StoreError;
use chargeplan_store::prelude::*;
use chrono::{DateTime, Duration, Utc};

use crate::ControlConfig;
use crate::billed_peak;
use crate::control_state::ControlState;
use crate::feedback::{FeedbackConfig, TaperMemory};
use crate::in_force::worst_in_force_kw;

/// J1772 pilot signal minimum: a port is off or at least 6 A.
const J1772_MIN_AMPS: f64 = 6.0;

/// A problem for the optimizer and how its entries map back to the site.
#[derive(Debug, Clone)]
pub struct SiteSnapshot {
    pub site: Site,
    pub problem: opt::Problem,
    /// The store session behind each problem session, in the same order.
    pub sessions: Vec<SnapshotSession>,
    /// Open sessions left out of the plan because their limit is refused or unknown; each
    /// counts at the most that may be in force for it (its port's maximum when no limit was
    /// ever accepted).
    pub excluded: Vec<ExcludedSession>,
    /// Open sessions on ports that take no profiles (also counted at their maximum).
    pub uncontrollable_sessions: usize,
    /// Power held for every port we do not control, plugged in or not, in kW.
    pub reserved_kw: f64,
    /// Power each circuit keeps free for cars arriving before their first limit
    /// (`ControlConfig::arrival_headroom`), by circuit id, kW; only circuits keeping some.
    pub arrival_headroom_kw: HashMap<String, f64>,
}

/// An open session on a controllable port that is not under control right now.
#[derive(Debug, Clone)]
pub struct ExcludedSession {
    pub session: Session,
    pub state: ControlState,
    /// The most its port may draw meanwhile, kW (`in_force::worst_in_force_kw`).
    pub worst_kw: f64,
}

impl SiteSnapshot {
    /// The earliest moment an excluded session is due to be planned again.
    pub fn next_retry(&self) -> Option<DateTime<Utc>> {
        self.excluded
            .iter()
            .filter_map(|e| e.state.retry_at())
            .min()
    }
}

/// A controlled session as it was planned.
#[derive(Debug, Clone)]
pub struct SnapshotSession {
    pub session: Session,
    pub request: Option<ChargingRequest>,
    /// The departure planned for (the driver's, or the default when they gave none).
    pub departure: DateTime<Utc>,
}

/// Everything [`from_facts`] needs about a site, as read from the store at one instant: the
/// replay builds the same facts from its own simulated state.
#[derive(Debug, Clone, Default)]
pub struct SiteFacts {
    pub circuits: Vec<Circuit>,
    pub scheduled: Vec<ScheduledCap>,
    /// Overrides that have not ended by the plan's start.
    pub overrides: Vec<CapOverride>,
    pub ports: Vec<Port>,
    pub tariff: Option<Tariff>,
    /// Every open session on a controllable port, with what planning it needs.
    pub sessions: Vec<SessionFacts>,
    /// How many open sessions are on ports that take no profiles.
    pub uncontrollable_sessions: usize,
    /// The peak already set in the current billing period (see [`crate::billed_peak`]); the
    /// optimizer prices only load above it. `None` before any is measured.
    pub billed_peak: Option<BilledPeak>,
}

/// One open session on a controllable port, as the store knows it.
#[derive(Debug, Clone)]
pub struct SessionFacts {
    pub session: Session,
    /// Its newest setpoint, whatever its state.
    pub latest_setpoint: Option<Setpoint>,
    /// The driver's latest request.
    pub request: Option<ChargingRequest>,
    /// Meter samples within the feedback window, oldest first.
    pub samples: Vec<MeterSample>,
    /// Its setpoints made from a few hours before the feedback window on.
    pub setpoints: Vec<Setpoint>,
}

/// Reads the site from the store and builds the problem for a plan starting at `now` (to the
/// second): a plan starting at the current slot's boundary would promise energy in time that
/// has already passed.
pub async fn build(
    store: &dyn Store,
    site: &Site,
    now: DateTime<Utc>,
    config: &ControlConfig,
    taper: &TaperMemory,
) -> Result<SiteSnapshot, StoreError> {
    let facts = load(store, site, now).await?;
    Ok(from_facts(&facts, site, now, config, taper))
}

/// Reads what [`from_facts`] needs from the store, and records the billed peak when the
/// samples read show a higher one (or the first of a new billing period).
pub async fn load(
    store: &dyn Store,
    site: &Site,
    now: DateTime<Utc>,
) -> Result<SiteFacts, StoreError> {
    let start = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let circuits = store.list_circuits(&site.id).await?;
    let scheduled = store.list_scheduled_caps(&site.id).await?;
    let overrides = store.list_cap_overrides(&site.id, start).await?;
    let ports = store.list_ports(&site.id).await?;
    let controllable: HashMap<&PortId, &Port> = ports
        .iter()
        .filter(|port| port.controllable)
        .map(|port| (&port.id, port))
        .collect();
    let feedback = FeedbackConfig::default();
    let mut sessions = Vec::new();
    let mut uncontrollable_sessions = 0;
    for session in store.list_open_sessions(&site.id).await? {
        if !session
            .port_id
            .as_ref()
            .is_some_and(|id| controllable.contains_key(id))
        {
            if session
                .port_id
                .as_ref()
                .is_some_and(|id| ports.iter().any(|port| &port.id == id))
            {
                uncontrollable_sessions += 1;
            }
            continue;
        }
        let latest_setpoint = store.latest_setpoint(&session.id).await?;
        let request = store.latest_request(&session.id).await?;
        let samples = store
            .list_meter_samples_since(&session.id, now - feedback.window)
            .await?;
        // The limits in force during the feedback window (set at most a few hours before it).
        let setpoints = store
            .list_session_setpoints(&session.id, now - feedback.window - Duration::hours(6))
            .await?;
        sessions.push(SessionFacts {
            session,
            latest_setpoint,
            request,
            samples,
            setpoints,
        });
    }
    let tariff = store.get_tariff(&site.id).await?;
    let billed_peak = match tariff.as_ref().filter(|t| t.demand_charge_per_kw > 0.0) {
        Some(tariff) => {
            let stored = store.billed_peak(&site.id).await?;
            let peak = current_billed_peak(stored.clone(), &sessions, tariff, site, now);
            if let Some(peak) = peak.as_ref().filter(|peak| Some(*peak) != stored.as_ref()) {
                store.record_billed_peak(peak, now).await?;
            }
            peak
        }
        None => None,
    };
    Ok(SiteFacts {
        circuits,
        scheduled,
        overrides,
        ports,
        tariff,
        sessions,
        uncontrollable_sessions,
        billed_peak,
    })
}

/// The billed peak of the billing period containing `now`: the one `carried` (when of that
/// period), raised by what the sessions' samples show.
pub fn current_billed_peak(
    carried: Option<BilledPeak>,
    sessions: &[SessionFacts],
    tariff: &Tariff,
    site: &Site,
    now: DateTime<Utc>,
) -> Option<BilledPeak> {
    let period_start = tariff.billing_period_start(site.time_zone, now);
    let samples = sessions.iter().map(|s| s.samples.as_slice());
    let measured = billed_peak::measure(&site.id, samples, period_start, now);
    billed_peak::carry(carried, measured, period_start)
}

/// Builds the problem for a plan starting at `now` from the site's facts, without I/O (the
/// taper memory is updated). The server and the replay share this step.
pub fn from_facts(
    facts: &SiteFacts,
    site: &Site,
    now: DateTime<Utc>,
    config: &ControlConfig,
    taper: &TaperMemory,
) -> SiteSnapshot {
    let slot = site.slot_minutes.duration();
    let start = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let circuits = &facts.circuits;
    let scheduled = &facts.scheduled;
    let overrides = &facts.overrides;
    let ports: HashMap<PortId, Port> = facts
        .ports
        .iter()
        .map(|port| (port.id.clone(), port.clone()))
        .collect();

    // Every port we do not control counts at its maximum, plugged in or not: it may start
    // drawing at any moment and nothing we send can stop it.
    let mut fixed_load: HashMap<&str, f64> = HashMap::new();
    for port in ports.values().filter(|port| !port.controllable) {
        *fixed_load.entry(port.circuit_id.as_str()).or_default() += port.max_power.get();
    }
    let mut planned = Vec::new();
    let mut excluded = Vec::new();
    let uncontrollable_sessions = facts.uncontrollable_sessions;
    for facts in &facts.sessions {
        let session = &facts.session;
        let Some(port) = session.port_id.as_ref().and_then(|id| ports.get(id)) else {
            continue;
        };
        if !port.controllable {
            continue;
        }
        let since = now - config.retry.lookback();
        let recent: Vec<Setpoint> = facts
            .setpoints
            .iter()
            .filter(|sp| sp.updated_at >= since)
            .cloned()
            .collect();
        let state = ControlState::of(&recent, now, &config.retry);
        if state != ControlState::Controlled {
            // Its newest limit was refused, or its outcome is unknown: it may draw the most of
            // what may be in force (the port's maximum when no limit ever was). Planned (and so
            // limited) again at the state's retry, or as soon as a late answer settles it.
            let worst_kw = worst_in_force_kw(&facts.setpoints, now, port.max_power.get());
            *fixed_load.entry(port.circuit_id.as_str()).or_default() += worst_kw;
            excluded.push(ExcludedSession {
                session: session.clone(),
                state,
                worst_kw,
            });
            continue;
        }
        let request = facts.request.clone();
        let departure = planned_departure(session, request.as_ref(), start, slot, config);
        planned.push((facts, request, departure, port.clone()));
    }

    let horizon_end = planned
        .iter()
        .map(|(_, _, departure, _)| *departure)
        .max()
        .unwrap_or(start + slot)
        .min(start + config.max_horizon);
    let horizon_slots = usize::try_from(
        ((horizon_end - start).num_seconds() + slot.num_seconds() - 1) / slot.num_seconds(),
    )
    .unwrap_or(1)
    .max(1);

    let occupied: HashSet<&PortId> = facts
        .sessions
        .iter()
        .filter_map(|s| s.session.port_id.as_ref())
        .collect();
    let headroom = config
        .arrival_headroom
        .by_circuit(circuits, &facts.ports, &occupied);
    let problem_circuits = circuits
        .iter()
        .map(|circuit| {
            problem_circuit(
                circuit,
                scheduled,
                overrides,
                site,
                start,
                slot,
                horizon_slots,
                &fixed_load,
                headroom.get(circuit.id.as_str()).copied().unwrap_or(0.0),
            )
        })
        .collect();
    let tariff = facts.tariff.as_ref().map(|tariff| opt::Tariff {
        energy_price_per_kwh_by_slot: (0..horizon_slots)
            .map(|t| tariff.price_at(site.time_zone, slot_at(start, slot, t)))
            .collect(),
        energy_price_per_kwh: Some(tariff.default_price_per_kwh),
        demand_charge_per_kw: tariff.demand_charge_per_kw,
        billed_peak_kw: facts
            .billed_peak
            .as_ref()
            .filter(|peak| peak.period_start == tariff.billing_period_start(site.time_zone, now))
            .map_or(0.0, |peak| peak.kw),
    });

    taper.retain(
        &planned
            .iter()
            .map(|(s, ..)| s.session.id.clone())
            .collect::<Vec<_>>(),
    );
    let mut problem_sessions = Vec::with_capacity(planned.len());
    let mut sessions = Vec::with_capacity(planned.len());
    for (facts, request, departure, port) in planned {
        let session = &facts.session;
        let window_h = (departure.min(horizon_end) - start).num_seconds().max(0) as f64 / 3600.0;
        let feedback = FeedbackConfig::default();
        let max_kw = taper.max_kw(
            &session.id,
            port.max_power.get(),
            &facts.samples,
            &facts.setpoints,
            now,
            &feedback,
        );
        let need = match request.as_ref().map(|r| r.energy) {
            Some(RequestedEnergy::Kwh(kwh)) => (kwh.get() - session.energy.get()).max(0.0),
            // As much as possible (asked, or assumed for a driver who said nothing): what the
            // port could give over the window.
            Some(RequestedEnergy::AsMuchAsPossible) | None => max_kw * window_h,
        };
        problem_sessions.push(opt::Session {
            id: session.id.as_str().to_owned(),
            circuit: port.circuit_id.as_str().to_owned(),
            max_kw,
            min_kw: Some(min_power_kw(&port)).filter(|min| *min < max_kw),
            steps_kw: None,
            energy_kwh: need,
            departure,
            arrival: None,
        });
        sessions.push(SnapshotSession {
            session: session.clone(),
            request,
            departure,
        });
    }

    SiteSnapshot {
        site: site.clone(),
        problem: opt::Problem {
            start,
            slot_minutes: site.slot_minutes.get(),
            horizon_slots: Some(horizon_slots),
            circuits: problem_circuits,
            sessions: problem_sessions,
            tariff,
        },
        sessions,
        excluded,
        uncontrollable_sessions,
        reserved_kw: fixed_load.values().sum(),
        arrival_headroom_kw: headroom,
    }
}

/// The driver's departure; a session without one (or whose driver is late) is planned to
/// leave `default_stay` after it started, and always at least one slot from now.
fn planned_departure(
    session: &Session,
    request: Option<&ChargingRequest>,
    start: DateTime<Utc>,
    slot: Duration,
    config: &ControlConfig,
) -> DateTime<Utc> {
    let stated = request
        .map(|r| r.departure)
        .unwrap_or(session.started_at + config.default_stay);
    let earliest = start + slot.max(config.overstay_extension);
    if stated < start + slot {
        earliest
    } else {
        stated
    }
}

/// The port's lowest non-zero power: 6 A per phase (J1772).
fn min_power_kw(port: &Port) -> f64 {
    port.power_for_amps(J1772_MIN_AMPS).get()
}

#[expect(
    clippy::too_many_arguments,
    reason = "the slot grid and the site's cap inputs"
)]
fn problem_circuit(
    circuit: &Circuit,
    scheduled: &[ScheduledCap],
    overrides: &[CapOverride],
    site: &Site,
    start: DateTime<Utc>,
    slot: Duration,
    horizon_slots: usize,
    fixed_load: &HashMap<&str, f64>,
    headroom_kw: f64,
) -> opt::Circuit {
    let caps: Vec<f64> = (0..horizon_slots)
        .map(|t| {
            // The lowest cap anywhere inside the slot: caps change on slot boundaries only
            // when windows align, so check both ends.
            let begin = slot_at(start, slot, t);
            let end = begin + slot - Duration::seconds(1);
            let cap = effective_cap(circuit, scheduled, overrides, site.time_zone, begin)
                .get()
                .min(effective_cap(circuit, scheduled, overrides, site.time_zone, end).get());
            (cap - headroom_kw).max(0.0)
        })
        .collect();
    let cap_kw = (circuit.cap.get() - headroom_kw).max(0.0);
    let varies = caps.iter().any(|cap| (cap - cap_kw).abs() > 1e-9);
    opt::Circuit {
        id: circuit.id.as_str().to_owned(),
        parent: circuit.parent.as_ref().map(|p| p.as_str().to_owned()),
        cap_kw,
        cap_kw_by_slot: varies.then_some(caps),
        fixed_load_kw: fixed_load.get(circuit.id.as_str()).copied(),
        fixed_load_kw_by_slot: None,
    }
}

fn slot_at(start: DateTime<Utc>, slot: Duration, t: usize) -> DateTime<Utc> {
    start + slot * i32::try_from(t).unwrap_or(i32::MAX)
}
