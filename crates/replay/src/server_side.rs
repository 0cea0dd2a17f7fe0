//! The server's side of a replay: what its store would hold (each session as last polled,
//! the driver's request, the accepted setpoints, recent meter readings) kept in memory, and a
//! re-plan through the control loop's own steps — `snapshot::from_facts`, the planner (the
//! optimizer, or a baseline in its place), `planner::to_plan`, then `decide_orders` (profile
//! rules and the worst-case check). Only the store and the vendor are swapped.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chargeplan_control::feedback::{FeedbackConfig, TaperMemory};
use chargeplan_control::snapshot::{self, SessionFacts, SiteFacts};
use chargeplan_control::triggers::drift_matters;
use chargeplan_control::{CapRules, ControlConfig, decide_orders, planner};
use chargeplan_core::{
    BilledPeak, ChargingRequest, CircuitTree, KilowattHours, Kilowatts, LimitPeriod, MeterSample,
    Plan, Session, SessionId, Setpoint, SetpointId, SetpointState,
};
use chargeplan_optimizer as opt;
use chrono::{DateTime, Duration, Utc};

use crate::baselines::{self, Baseline};
use crate::churn;
use crate::site::SiteModel;

/// What plans the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Planner {
    Optimizer,
    Baseline(Baseline),
}

/// A profile to install on a car.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Index of the car (as given to [`Server::session_started`]).
    pub car: usize,
    pub starts_at: DateTime<Utc>,
    pub periods: Vec<LimitPeriod>,
}

/// What one re-plan decided.
#[derive(Debug, Clone, Default)]
pub struct Replanned {
    pub profiles: Vec<Profile>,
    /// The worst case was over a cap: only decreases went out; plan again at once.
    pub held_back: bool,
    /// Wall time of the planner alone, ms (`None` when nothing was planned).
    pub solve_ms: Option<f64>,
    /// How the plan changed what the previous one promised (`None` without one).
    pub change: Option<churn::Change>,
}

/// A session the server knows of.
#[derive(Debug, Clone)]
struct Known {
    session: Session,
    request: Option<ChargingRequest>,
    setpoints: Vec<Setpoint>,
    samples: Vec<MeterSample>,
}

/// The server's memory.
#[derive(Debug)]
pub struct Server {
    config: ControlConfig,
    taper: TaperMemory,
    caps: CapRules,
    feedback: FeedbackConfig,
    known: BTreeMap<usize, Known>,
    by_session: HashMap<SessionId, usize>,
    plan: Option<Plan>,
    /// The billing period's peak as the server measured it (the store's `billed_peaks`).
    billed_peak: Option<BilledPeak>,
}

/// Why a re-plan failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    #[error("the optimizer refused the problem: {0}")]
    Problem(#[from] opt::ProblemError),
    #[error("the plan cannot be stored: {0}")]
    Plan(#[from] chargeplan_control::ControlError),
}

impl Server {
    /// A server for `site` with the control loop's default settings.
    ///
    /// # Errors
    /// When the site's circuits do not form a tree.
    pub fn new(site: &SiteModel) -> Result<Self, chargeplan_core::ValueError> {
        Ok(Self {
            config: ControlConfig {
                arrival_headroom: site.arrival_headroom,
                ..ControlConfig::default()
            },
            taper: TaperMemory::default(),
            caps: CapRules {
                tree: CircuitTree::new(site.circuits.clone())?,
                scheduled: Vec::new(),
                overrides: Vec::new(),
            },
            feedback: FeedbackConfig::default(),
            known: BTreeMap::new(),
            by_session: HashMap::new(),
            plan: None,
            billed_peak: None,
        })
    }

    /// The control loop's settings (the re-plan tick, the default stay).
    pub fn config(&self) -> &ControlConfig {
        &self.config
    }

    /// A poll found a new session (and its driver's request, if any).
    pub fn session_started(
        &mut self,
        car: usize,
        session: Session,
        request: Option<ChargingRequest>,
    ) {
        self.by_session.insert(session.id.clone(), car);
        self.known.insert(
            car,
            Known {
                session,
                request,
                setpoints: Vec::new(),
                samples: Vec::new(),
            },
        );
    }

    /// A poll found the session ended.
    pub fn session_ended(&mut self, car: usize) {
        if let Some(known) = self.known.remove(&car) {
            self.by_session.remove(&known.session.id);
        }
    }

    /// A poll's reading of a session; returns whether it calls for a new plan (the power
    /// changed and is far from the plan, as the worker's drift rule says).
    pub fn reading(
        &mut self,
        car: usize,
        at: DateTime<Utc>,
        energy_kwh: f64,
        power_kw: f64,
    ) -> bool {
        let Some(known) = self.known.get_mut(&car) else {
            return false;
        };
        let power = Kilowatts::new(power_kw.max(0.0)).unwrap_or(Kilowatts::ZERO);
        let changed = known.session.power != power;
        known.session.energy =
            KilowattHours::new(energy_kwh.max(0.0)).unwrap_or(known.session.energy);
        known.session.power = power;
        known.session.vendor_updated_at = at;
        known.samples.push(MeterSample {
            session_id: known.session.id.clone(),
            at,
            energy: known.session.energy,
            power,
            state_of_charge_pct: None,
        });
        let keep_from = at - self.feedback.window;
        known.samples.retain(|s| s.at >= keep_from);
        if !changed {
            return false;
        }
        let planned = self.plan.as_ref().and_then(|plan| {
            let slot = plan.slot_index(at)?;
            plan.session(&known.session.id)?
                .power_kw
                .get(usize::try_from(slot).ok()?)
                .copied()
        });
        planned.is_some_and(|planned| drift_matters(planned, power_kw))
    }

    /// Whether any session is known.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// One re-plan at `now`: the same steps as the site worker's pass; every profile decided
    /// is taken as accepted by the vendor at once.
    ///
    /// # Errors
    /// When the planner refuses the problem.
    pub fn replan(
        &mut self,
        site: &SiteModel,
        now: DateTime<Utc>,
        planner: Planner,
    ) -> Result<Replanned, ReplanError> {
        let mut facts = self.facts(site, now);
        let demand_charged = site
            .tariff
            .as_ref()
            .filter(|t| t.demand_charge_per_kw > 0.0);
        facts.billed_peak = demand_charged.and_then(|tariff| {
            snapshot::current_billed_peak(
                self.billed_peak.clone(),
                &facts.sessions,
                tariff,
                &site.site,
                now,
            )
        });
        self.billed_peak.clone_from(&facts.billed_peak);
        let snapshot = snapshot::from_facts(&facts, &site.site, now, &self.config, &self.taper);
        if snapshot.sessions.is_empty() {
            self.plan = None;
            return Ok(Replanned::default());
        }
        let solving = Instant::now();
        let summary = match planner {
            Planner::Optimizer => opt::optimize(&snapshot.problem)?,
            Planner::Baseline(baseline) => baselines::plan(&snapshot.problem, baseline),
        };
        let solve_ms = solving.elapsed().as_secs_f64() * 1e3;
        let plan = planner::to_plan(&site.site, &snapshot, &summary, now)?;
        let latest: HashMap<SessionId, Setpoint> = self
            .known
            .values()
            .filter_map(|k| Some((k.session.id.clone(), k.setpoints.last()?.clone())))
            .collect();
        let decided = decide_orders(&plan, &snapshot, &site.ports, &latest, &self.caps, now);
        let mut profiles = Vec::with_capacity(decided.orders.len());
        let keep_from = now - self.feedback.window - Duration::hours(6);
        for order in decided.orders {
            let Some(&car) = self.by_session.get(&order.session.id) else {
                continue;
            };
            if let Some(known) = self.known.get_mut(&car) {
                known.setpoints.push(Setpoint {
                    id: SetpointId::generate(),
                    site_id: site.site.id.clone(),
                    plan_id: Some(plan.id.clone()),
                    port_id: order.port.id.clone(),
                    session_id: order.session.id.clone(),
                    starts_at: order.starts_at,
                    periods: order.periods.clone(),
                    state: SetpointState::Accepted,
                    reason: None,
                    created_at: now,
                    updated_at: now,
                });
                // Oldest first: keep the recent ones, and always the newest.
                let newest = known.setpoints.len() - 1;
                let cut = known
                    .setpoints
                    .iter()
                    .position(|sp| sp.created_at >= keep_from)
                    .unwrap_or(newest);
                known.setpoints.drain(..cut);
            }
            profiles.push(Profile {
                car,
                starts_at: order.starts_at,
                periods: order.periods,
            });
        }
        let change = self
            .plan
            .as_ref()
            .map(|old| churn::between(old, &plan, now));
        self.plan = Some(plan);
        Ok(Replanned {
            profiles,
            held_back: decided.held_back.is_some(),
            solve_ms: Some(solve_ms),
            change,
        })
    }

    /// The store's view of the site at `now`.
    fn facts(&self, site: &SiteModel, now: DateTime<Utc>) -> SiteFacts {
        let since = now - self.feedback.window - Duration::hours(6);
        SiteFacts {
            circuits: site.circuits.clone(),
            scheduled: Vec::new(),
            overrides: Vec::new(),
            ports: site.ports.clone(),
            tariff: site.tariff.clone(),
            sessions: self
                .known
                .values()
                .map(|k| SessionFacts {
                    session: k.session.clone(),
                    latest_setpoint: k.setpoints.last().cloned(),
                    request: k.request.clone(),
                    samples: k.samples.clone(),
                    setpoints: k
                        .setpoints
                        .iter()
                        .filter(|sp| sp.created_at >= since)
                        .cloned()
                        .collect(),
                })
                .collect(),
            // The simulated site's ports all take profiles.
            uncontrollable_sessions: 0,
            billed_peak: self.billed_peak.clone(),
        }
    }
}
