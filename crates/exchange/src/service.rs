//! The exchange as a running service: the OCPI receiver routes, and one poller per enabled
//! vendor account — including accounts registered while the server runs, which a supervisor
//! picks up on its next look at the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use chargeplan_core::{Clock, VendorAccountId};
use chargeplan_store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::accounts::cloud_for;
use crate::ocpi::receiver::{RESULTS_PATH, ReceiverState, router};
use crate::poller::{PollStatus, Poller, PollerConfig};
use crate::results::PendingResults;

/// Settings of the exchange service.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeConfig {
    /// Our base URL as CPOs reach it.
    pub public_url: String,
    pub poller: PollerConfig,
    /// How often the supervisor looks for newly registered accounts.
    pub accounts_rescan: Duration,
    /// How long one request to a vendor cloud may take, connecting and reading included,
    /// before its outcome counts as unknown.
    pub request_timeout: Duration,
}

/// Poll status per vendor account, shared with health checks and metrics.
pub type PollStatuses = Arc<Mutex<HashMap<VendorAccountId, Arc<Mutex<PollStatus>>>>>;

/// A running exchange.
#[derive(Debug, Clone)]
pub struct ExchangeService {
    /// Results of charging profiles, shared by dispatchers and the receiver.
    pub results: PendingResults,
    pub statuses: PollStatuses,
}

impl ExchangeService {
    /// Starts the supervisor (which starts the pollers) on `tasks`, and returns the service
    /// with the receiver routes to serve. Everything stops when `cancel` fires.
    pub fn start(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: ExchangeConfig,
        tasks: &TaskTracker,
        cancel: CancellationToken,
    ) -> (Self, Router) {
        let service = Self {
            results: PendingResults::default(),
            statuses: PollStatuses::default(),
        };
        let routes = router(ReceiverState {
            store: store.clone(),
            clock: clock.clone(),
            results: service.results.clone(),
            public_url: config.public_url.clone(),
        });
        let supervisor = Supervisor {
            store,
            clock,
            config,
            statuses: service.statuses.clone(),
            tasks: tasks.clone(),
        };
        tasks.spawn(supervisor.run(cancel));
        (service, routes)
    }
}

/// Starts a poller for each enabled account it has not started yet.
struct Supervisor {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: ExchangeConfig,
    statuses: PollStatuses,
    tasks: TaskTracker,
}

impl Supervisor {
    async fn run(self, cancel: CancellationToken) {
        let http = reqwest::Client::builder()
            .timeout(self.config.request_timeout)
            .build()
            .unwrap_or_default();
        let results_url = format!(
            "{}{RESULTS_PATH}",
            self.config.public_url.trim_end_matches('/')
        );
        loop {
            match self.store.list_vendor_accounts().await {
                Ok(accounts) => {
                    for account in accounts.into_iter().filter(|account| account.enabled) {
                        let known = self
                            .statuses
                            .lock()
                            .map(|statuses| statuses.contains_key(&account.id))
                            .unwrap_or(true);
                        if known {
                            continue;
                        }
                        match cloud_for(&account, http.clone(), &results_url) {
                            Ok(cloud) => {
                                let status = Arc::new(Mutex::new(PollStatus::default()));
                                if let Ok(mut statuses) = self.statuses.lock() {
                                    statuses.insert(account.id.clone(), status.clone());
                                }
                                let poller = Poller {
                                    vendor: account.id.clone(),
                                    cloud: Arc::new(cloud),
                                    store: self.store.clone(),
                                    clock: self.clock.clone(),
                                    config: self.config.poller.clone(),
                                    status,
                                };
                                tracing::info!(vendor = %account.id, "polling vendor account");
                                self.tasks.spawn(poller.run(cancel.clone()));
                            }
                            Err(reason) => {
                                tracing::warn!(vendor = %account.id, reason = %reason, "vendor account not usable")
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(error = %error, "cannot list vendor accounts"),
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(self.config.accounts_rescan) => {}
            }
        }
    }
}
