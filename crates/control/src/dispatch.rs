//! Carrying a stored plan out at the vendors: the plan's sessions become charging-profile
//! orders, grouped by vendor account and sent through one long-lived dispatcher per account
//! (which sends decreases and waits for them before any increase, and remembers `TOO_OFTEN`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chargeplan_core::{
    Circuit, CircuitTree, Clock, Plan, Port, SessionId, Setpoint, SetpointState, SiteId,
    VendorAccountId, effective_cap,
};
use chargeplan_exchange::accounts::{cloud_for, parse_rate_unit};
use chargeplan_exchange::dispatch::{
    DispatchConfig, DispatchReport, Dispatcher, Order, orders_from_plan,
};
use chargeplan_exchange::results::PendingResults;
use chargeplan_store::prelude::*;
use chrono::Duration;

use crate::ControlError;
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
}

impl Dispatchers {
    pub(crate) fn new(setup: DispatchSetup) -> Self {
        Self {
            setup,
            by_account: Mutex::new(HashMap::new()),
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
        let setpoints = latest_setpoints(store.as_ref(), &plan.site_id, now).await?;
        let current = current_limits(&setpoints, now);
        let mut orders = orders_from_plan(plan, &ports, &sessions, &current);
        let mut unsafe_plan = false;
        if let Some(violation) =
            worst_case(store.as_ref(), plan, snapshot, &ports, &orders, &setpoints).await?
        {
            // Never send a set of limits that could overload a circuit: send only what lowers
            // limits now, and plan again (the next plan counts the doubtful ports at maximum).
            tracing::error!(site.id = %plan.site_id, violation = %violation, "limits held back: worst case over a cap");
            orders.retain(Order::is_decrease);
            unsafe_plan = true;
        }
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

/// The newest setpoint of each session of the site from the last day, whatever its state.
async fn latest_setpoints(
    store: &dyn Store,
    site: &SiteId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<SessionId, Setpoint>, ControlError> {
    // Oldest first: later setpoints overwrite earlier ones.
    Ok(store
        .list_setpoints(site, now - Duration::days(1))
        .await?
        .into_iter()
        .map(|setpoint| (setpoint.session_id.clone(), setpoint))
        .collect())
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

/// The first circuit and instant of the plan where the orders, plus every port we cannot
/// vouch for at its maximum, would exceed the cap.
async fn worst_case(
    store: &dyn Store,
    plan: &Plan,
    snapshot: &SiteSnapshot,
    ports: &[Port],
    orders: &[Order],
    setpoints: &HashMap<SessionId, Setpoint>,
) -> Result<Option<Violation>, ControlError> {
    let site = &snapshot.site;
    let tree = CircuitTree::new(store.list_circuits(&site.id).await?)?;
    let scheduled = store.list_scheduled_caps(&site.id).await?;
    let overrides = store.list_cap_overrides(&site.id, plan.start).await?;
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
        effective_cap(circuit, &scheduled, &overrides, site.time_zone, at).get()
    };
    Ok(first_violation(&tree, cap, &worst, instants))
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
