//! Carrying a stored plan out at the vendors: the plan's sessions become charging-profile
//! orders, grouped by vendor account and sent through one long-lived dispatcher per account
//! (which sends decreases and waits for them before any increase, and remembers `TOO_OFTEN`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chargeplan_core::{Clock, Plan, SessionId, SetpointState, SiteId, VendorAccountId};
use chargeplan_exchange::accounts::{cloud_for, parse_rate_unit};
use chargeplan_exchange::dispatch::{DispatchConfig, DispatchReport, Dispatcher, orders_from_plan};
use chargeplan_exchange::results::PendingResults;
use chargeplan_store::prelude::*;
use chrono::Duration;

use crate::ControlError;
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

    /// Sends `plan` to the vendors of its sessions. Returns whether a port became
    /// uncontrolled (the site then needs a new plan that counts it at its maximum).
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
        let current = current_limits(store.as_ref(), &plan.site_id, now).await?;
        let orders = orders_from_plan(plan, &ports, &sessions, &current);
        let mut by_account: HashMap<VendorAccountId, Vec<_>> = HashMap::new();
        for order in orders {
            by_account
                .entry(order.session.vendor_account.clone())
                .or_default()
                .push(order);
        }
        let mut lost_control = false;
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

/// The limit each session is under now: its newest accepted setpoint's value at `now`.
async fn current_limits(
    store: &dyn Store,
    site: &SiteId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<HashMap<SessionId, f64>, ControlError> {
    let mut limits = HashMap::new();
    // Oldest first: later setpoints overwrite earlier ones.
    for setpoint in store.list_setpoints(site, now - Duration::days(1)).await? {
        if setpoint.state == SetpointState::Accepted
            && let Some(kw) = setpoint.limit_at(now)
        {
            limits.insert(setpoint.session_id.clone(), kw);
        }
    }
    Ok(limits)
}
