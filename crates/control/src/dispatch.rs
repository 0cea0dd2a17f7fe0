//! Carrying a stored plan out at the vendors: the plan's sessions become charging-profile
//! orders, grouped by vendor account and sent through one long-lived dispatcher per account
//! (which sends decreases and waits for them before any increase, and remembers `TOO_OFTEN`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chargeplan_core::{
    CapOverride, Circuit, CircuitTree, Clock, LimitPeriod, Plan, Port, ScheduledCap, Session,
    SessionId, Setpoint, SetpointState, SiteId, VendorAccountId, effective_cap,
};
use chargeplan_exchange::accounts::{cloud_for, parse_rate_unit};
use chargeplan_exchange::dispatch::{
    DispatchConfig, DispatchReport, Dispatcher, Order, Outcome, orders_from_plan,
};
use chargeplan_exchange::results::PendingResults;
use chargeplan_store::prelude::*;
use chrono::Duration;

use crate::ControlError;
use crate::metrics::ControlMetrics;
use crate::safety::{Violation, Worst, first_violation};
use crate::snapshot::SiteSnapshot;

/// What dispatching needs from the running exchange.
#[derive(Debug, Clone)]
pub struct DispatchSetup {
    /// Results of asynchronous profile answers, filled by the OCPI receiver.
    pub results: PendingResults,
    /// Where vendors post those results (our receiver's `cp-results` URL).
    pub results_url: String,
    pub http: reqwest::Client,
}

/// The dispatchers of every vendor account, kept so their backoff memory survives re-plans.
#[derive(Debug)]
pub(crate) struct Dispatchers {
    setup: DispatchSetup,
    by_account: Mutex<HashMap<VendorAccountId, Arc<Dispatcher>>>,
    /// The schedule each session's vendor accepted from this process. A new plan that gives a
    /// session the same limits from now on sends it nothing; after a restart this is empty,
    /// so every profile is sent again once (reconciliation with the vendor).
    in_force: Mutex<HashMap<SessionId, (SiteId, Schedule)>>,
    /// Counts each profile's outcome (`chargeplan_setpoint_results_total`).
    metrics: ControlMetrics,
}

/// A profile's start and periods.
type Schedule = (chrono::DateTime<chrono::Utc>, Vec<LimitPeriod>);

impl Dispatchers {
    pub(crate) fn new(setup: DispatchSetup, metrics: ControlMetrics) -> Self {
        Self {
            setup,
            by_account: Mutex::new(HashMap::new()),
            in_force: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    /// Sends `plan` to the vendors of its sessions, after checking that the worst case of the
    /// resulting limits stays within every cap at every instant (if not, only decreases go
    /// out). Returns whether the site needs a new plan at once: a port became uncontrolled, or
    /// limits were held back.
    pub(crate) async fn dispatch(
        &self,
        store: &Arc<dyn Store>,
        clock: &Arc<dyn Clock>,
        plan: &Plan,
        snapshot: &SiteSnapshot,
    ) -> Result<bool, ControlError> {
        let now = clock.now();
        let ports = store.list_ports(&plan.site_id).await?;
        let sessions: Vec<_> = snapshot
            .sessions
            .iter()
            .map(|s| s.session.clone())
            .collect();
        let setpoints = latest_setpoints(store.as_ref(), &sessions).await?;
        let site = &snapshot.site;
        let caps = CapRules {
            tree: CircuitTree::new(store.list_circuits(&site.id).await?)?,
            scheduled: store.list_scheduled_caps(&site.id).await?,
            overrides: store.list_cap_overrides(&site.id, plan.start).await?,
        };
        let decided = decide_orders(plan, snapshot, &ports, &setpoints, &caps, now);
        let mut orders = decided.orders;
        let unsafe_plan = decided.held_back.is_some();
        let started = self.metrics.sites().set_worst_case(
            &plan.site_id,
            decided.held_back.as_ref().map(ToString::to_string),
        );
        if let Some(violation) = decided.held_back {
            // One ERROR per episode; the metric and the dashboard show it while it lasts.
            if started {
                tracing::error!(site.id = %plan.site_id, violation = %violation, "limits held back: worst case over a cap");
            } else {
                tracing::debug!(site.id = %plan.site_id, violation = %violation, "limits still held back: worst case over a cap");
            }
        }
        self.forget_ended(&plan.site_id, &sessions);
        orders.retain(|order| !self.unchanged(order, now));
        let sent: HashMap<SessionId, Schedule> = orders
            .iter()
            .map(|o| (o.session.id.clone(), (o.starts_at, o.periods.clone())))
            .collect();
        let mut by_account: HashMap<VendorAccountId, Vec<_>> = HashMap::new();
        for order in orders {
            by_account
                .entry(order.session.vendor_account.clone())
                .or_default()
                .push(order);
        }
        let mut lost_control = unsafe_plan;
        for (account, orders) in by_account {
            let Some(dispatcher) = self.dispatcher(store, clock, &account).await? else {
                continue;
            };
            let report: DispatchReport = dispatcher
                .dispatch(&plan.site_id, Some(&plan.id), orders)
                .await;
            lost_control |= !report.uncontrolled.is_empty();
            for (session, outcome) in &report.outcomes {
                self.metrics.setpoint_result(*outcome);
                if let Some(reason) = outcome.reason() {
                    tracing::info!(site.id = %plan.site_id, session.id = %session, dispatch.outcome = outcome.label(), dispatch.reason = %reason, "limit not in force");
                }
            }
            self.remember(&plan.site_id, &report, &sent);
            tracing::info!(
                site.id = %plan.site_id,
                vendor.id = %account,
                dispatch.orders = report.outcomes.len(),
                dispatch.uncontrolled = report.uncontrolled.len(),
                "limits dispatched"
            );
        }
        Ok(lost_control)
    }

    /// Whether the vendor already has, from this process, the same limits as `order` from
    /// `now` on.
    fn unchanged(&self, order: &Order, now: chrono::DateTime<chrono::Utc>) -> bool {
        let in_force = self
            .in_force
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        in_force
            .get(&order.session.id)
            .is_some_and(|(_, old)| same_from(old, &(order.starts_at, order.periods.clone()), now))
    }

    /// Drops the schedules of this site's sessions that are no longer open.
    fn forget_ended(&self, site: &SiteId, open: &[Session]) {
        let mut in_force = self
            .in_force
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        in_force.retain(|id, (of, _)| of != site || open.iter().any(|s| &s.id == id));
    }

    /// Records what the vendors accepted in this round; anything else must be sent again.
    fn remember(
        &self,
        site: &SiteId,
        report: &DispatchReport,
        sent: &HashMap<SessionId, Schedule>,
    ) {
        let mut in_force = self
            .in_force
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (session, outcome) in &report.outcomes {
            match (outcome, sent.get(session)) {
                (Outcome::Accepted, Some(schedule)) => {
                    in_force.insert(session.clone(), (site.clone(), schedule.clone()));
                }
                _ => {
                    in_force.remove(session);
                }
            }
        }
    }

    async fn dispatcher(
        &self,
        store: &Arc<dyn Store>,
        clock: &Arc<dyn Clock>,
        account_id: &VendorAccountId,
    ) -> Result<Option<Arc<Dispatcher>>, ControlError> {
        if let Some(found) = self.lock().get(account_id) {
            return Ok(Some(found.clone()));
        }
        let account = store.get_vendor_account(account_id).await?;
        if !account.enabled {
            return Ok(None);
        }
        let unit = match parse_rate_unit(&account.rate_unit) {
            Ok(unit) => unit,
            Err(reason) => {
                tracing::error!(vendor.id = %account_id, error = %reason, "cannot dispatch");
                return Ok(None);
            }
        };
        let cloud = match cloud_for(&account, self.setup.http.clone(), &self.setup.results_url) {
            Ok(cloud) => cloud,
            Err(reason) => {
                tracing::error!(vendor.id = %account_id, error = %reason, "cannot dispatch");
                return Ok(None);
            }
        };
        let dispatcher = Arc::new(Dispatcher::new(
            Arc::new(cloud),
            store.clone(),
            clock.clone(),
            self.setup.results.clone(),
            DispatchConfig {
                unit,
                ..DispatchConfig::default()
            },
        ));
        self.lock().insert(account_id.clone(), dispatcher.clone());
        Ok(Some(dispatcher))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<VendorAccountId, Arc<Dispatcher>>> {
        self.by_account
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The newest setpoint of each open session, whatever its state.
async fn latest_setpoints(
    store: &dyn Store,
    sessions: &[Session],
) -> Result<HashMap<SessionId, Setpoint>, ControlError> {
    let mut latest = HashMap::new();
    for session in sessions {
        if let Some(setpoint) = store.latest_setpoint(&session.id).await? {
            latest.insert(session.id.clone(), setpoint);
        }
    }
    Ok(latest)
}

/// Whether two schedules give the same limit at every instant from `now` on.
fn same_from(a: &Schedule, b: &Schedule, now: chrono::DateTime<chrono::Utc>) -> bool {
    let limit = |(start, periods): &Schedule, at: chrono::DateTime<chrono::Utc>| {
        let offset = (at - *start).num_seconds();
        periods
            .iter()
            .take_while(|p| i64::from(p.start_offset_s) <= offset)
            .last()
            .map(|p| p.limit_kw)
    };
    let boundaries = |(start, periods): &Schedule| {
        periods
            .iter()
            .map(|p| *start + Duration::seconds(i64::from(p.start_offset_s)))
            .collect::<Vec<_>>()
    };
    std::iter::once(now)
        .chain(boundaries(a))
        .chain(boundaries(b))
        .filter(|at| *at >= now)
        .all(|at| match (limit(a, at), limit(b, at)) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-6,
            _ => false,
        })
}

/// The limit each session is under now, when its newest setpoint was accepted.
fn current_limits(
    setpoints: &HashMap<SessionId, Setpoint>,
    now: chrono::DateTime<chrono::Utc>,
) -> HashMap<SessionId, f64> {
    setpoints
        .iter()
        .filter(|(_, setpoint)| setpoint.state == SetpointState::Accepted)
        .filter_map(|(id, setpoint)| Some((id.clone(), setpoint.limit_at(now)?)))
        .collect()
}

/// The caps a site's circuits are under: the tree and its scheduled windows and overrides.
#[derive(Debug, Clone)]
pub struct CapRules {
    pub tree: CircuitTree,
    pub scheduled: Vec<ScheduledCap>,
    /// Overrides that have not ended by the plan's start.
    pub overrides: Vec<CapOverride>,
}

/// The orders a plan makes, as the dispatcher is to send them.
#[derive(Debug, Clone)]
pub struct Decided {
    pub orders: Vec<Order>,
    /// When the worst case of the full set exceeds a cap: only the decreases are left in
    /// `orders`, and the site must be planned again at once.
    pub held_back: Option<Violation>,
}

/// Turns a plan into charging-profile orders, without I/O: the profile rules of
/// `orders_from_plan`, then the worst-case check (never send a set of limits that could
/// overload a circuit: keep only what lowers limits now, and plan again — the next plan counts
/// the doubtful ports at maximum). `setpoints` holds each open session's newest setpoint. The
/// server's dispatch and the replay share this step.
pub fn decide_orders(
    plan: &Plan,
    snapshot: &SiteSnapshot,
    ports: &[Port],
    setpoints: &HashMap<SessionId, Setpoint>,
    caps: &CapRules,
    now: chrono::DateTime<chrono::Utc>,
) -> Decided {
    let sessions: Vec<_> = snapshot
        .sessions
        .iter()
        .map(|s| s.session.clone())
        .collect();
    let current = current_limits(setpoints, now);
    let mut orders = orders_from_plan(plan, ports, &sessions, &current);
    let held_back = worst_case(plan, snapshot, ports, &orders, setpoints, caps);
    if held_back.is_some() {
        orders.retain(Order::is_decrease);
    }
    Decided { orders, held_back }
}

/// The first circuit and instant of the plan where the orders, plus every port we cannot
/// vouch for at its maximum, would exceed the cap.
fn worst_case(
    plan: &Plan,
    snapshot: &SiteSnapshot,
    ports: &[Port],
    orders: &[Order],
    setpoints: &HashMap<SessionId, Setpoint>,
    caps: &CapRules,
) -> Option<Violation> {
    let site = &snapshot.site;
    let worst: Vec<(Port, Worst)> = ports
        .iter()
        .map(|port| (port.clone(), port_worst(port, snapshot, orders, setpoints)))
        .collect();
    let instants = (0..plan.horizon_slots).flat_map(|i| {
        [
            plan.slot_start(i),
            plan.slot_start(i + 1) - Duration::seconds(1),
        ]
    });
    let cap = |circuit: &Circuit, at| {
        effective_cap(
            circuit,
            &caps.scheduled,
            &caps.overrides,
            site.time_zone,
            at,
        )
        .get()
    };
    first_violation(&caps.tree, cap, &worst, instants)
}

/// What a port may draw once the orders are carried out.
fn port_worst(
    port: &Port,
    snapshot: &SiteSnapshot,
    orders: &[Order],
    setpoints: &HashMap<SessionId, Setpoint>,
) -> Worst {
    if !port.controllable {
        return Worst::AtMax;
    }
    // A session left out of the plan (its limit refused or its outcome unknown) may draw the
    // most of what may be in force for it, whatever else is planned.
    if let Some(excluded) = snapshot
        .excluded
        .iter()
        .find(|e| e.session.port_id.as_ref() == Some(&port.id))
    {
        return Worst::UpTo(excluded.worst_kw);
    }
    if let Some(order) = orders.iter().find(|order| order.port.id == port.id) {
        return Worst::Schedule {
            starts_at: order.starts_at,
            periods: order.periods.clone(),
        };
    }
    let session = snapshot
        .sessions
        .iter()
        .find(|s| s.session.port_id.as_ref() == Some(&port.id));
    match session.and_then(|s| setpoints.get(&s.session.id)) {
        Some(setpoint) if setpoint.state == SetpointState::Accepted => Worst::Schedule {
            starts_at: setpoint.starts_at,
            periods: setpoint.periods.clone(),
        },
        // Plugged in with a limit that is pending, refused, failed or unknown.
        _ if session.is_some() => Worst::AtMax,
        // Nobody plugged in: nothing draws until the next plan takes the new car in.
        _ => Worst::Idle,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn schedule(start_min: i64, limits: &[(u32, f64)]) -> Schedule {
        let t0 = Utc
            .with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
            .single()
            .expect("time");
        (
            t0 + Duration::minutes(start_min),
            limits
                .iter()
                .map(|&(offset_min, limit_kw)| LimitPeriod {
                    start_offset_s: offset_min * 60,
                    limit_kw,
                })
                .collect(),
        )
    }

    #[test]
    fn a_later_profile_with_the_same_limits_from_now_on_is_unchanged() {
        let now = schedule(10, &[]).0;
        let old = schedule(0, &[(0, 6.0), (30, 3.0), (60, 0.0)]);
        let same = schedule(8, &[(0, 6.0), (22, 3.0), (52, 0.0)]);
        let lower_later = schedule(8, &[(0, 6.0), (22, 2.0), (52, 0.0)]);
        let starts_later = schedule(12, &[(0, 6.0), (18, 3.0), (48, 0.0)]);

        assert!(same_from(&old, &same, now));
        assert!(!same_from(&old, &lower_later, now));
        assert!(
            !same_from(&old, &starts_later, now),
            "no limit at all before it starts"
        );
    }

    fn snapshot_with_excluded(port: &Port, now: chrono::DateTime<Utc>) -> SiteSnapshot {
        let session = Session {
            id: SessionId::parse("refused").expect("id"),
            site_id: port.site_id.clone(),
            vendor_account: port.vendor.vendor_account.clone(),
            vendor_session_id: "refused".into(),
            port_id: Some(port.id.clone()),
            token_uid: None,
            started_at: now,
            ended_at: None,
            energy: chargeplan_core::KilowattHours::new(0.0).expect("kWh"),
            power: chargeplan_core::Kilowatts::new(11.0).expect("kW"),
            status: chargeplan_core::SessionStatus::Active,
            vendor_updated_at: now,
        };
        SiteSnapshot {
            site: chargeplan_core::Site::new(port.site_id.clone(), "Site", "UTC", 5).expect("site"),
            problem: chargeplan_optimizer::Problem {
                start: now,
                slot_minutes: 5,
                horizon_slots: Some(1),
                circuits: Vec::new(),
                sessions: Vec::new(),
                tariff: None,
            },
            sessions: Vec::new(),
            excluded: vec![crate::snapshot::ExcludedSession {
                session,
                state: crate::control_state::ControlState::Refused {
                    reason: Some("rejected".into()),
                    retry_at: now + Duration::minutes(5),
                },
                worst_kw: 11.0,
            }],
            uncontrollable_sessions: 0,
            reserved_kw: 11.0,
            arrival_headroom_kw: HashMap::new(),
        }
    }

    #[test]
    fn a_session_left_out_of_the_plan_counts_at_what_may_be_in_force_in_the_worst_case() {
        let now = schedule(0, &[]).0;
        let port = Port::new(
            chargeplan_core::PortId::parse("p1").expect("id"),
            SiteId::parse("s").expect("id"),
            chargeplan_core::CircuitId::parse("main").expect("id"),
            chargeplan_core::VendorRef::new(
                VendorAccountId::parse("v").expect("id"),
                "L",
                "p1",
                "1",
            )
            .expect("ref"),
            chargeplan_core::Kilowatts::new(11.0).expect("kW"),
            chargeplan_core::Phases::Three,
            230.0,
            true,
        )
        .expect("port");
        let snapshot = snapshot_with_excluded(&port, now);

        let worst = port_worst(&port, &snapshot, &[], &HashMap::new());

        assert_eq!(
            worst,
            Worst::UpTo(11.0),
            "not idle: a car is plugged in, with no limit known to be in force"
        );
        assert_eq!(worst.kw_at(11.0, now), 11.0);
    }
}
