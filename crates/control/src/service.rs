//! The control service: one worker per site (`worker`) that coalesces triggers, re-plans, and
//! runs the driver conversations; a supervisor that starts a worker for every site this instance owns
//! (every site, or with leases the sites whose lease it holds — see `supervisor`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chargeplan_core::{Clock, Plan, SiteId};
use chargeplan_store::SiteSignals;
use chargeplan_store::prelude::*;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::dispatch::Dispatchers;
use crate::feedback::TaperMemory;
use crate::health::NotPlannable;
use crate::lease::Fence;
use crate::metrics::ControlMetrics;
use crate::worker::SiteWorker;
use crate::{ControlConfig, ControlError};

/// How often the supervisor looks for new sites.
const SITE_RESCAN: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) type Waiter = oneshot::Sender<Result<Plan, Refusal>>;

/// Why a waiter got no plan.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The site cannot be planned yet.
    NotPlannable(NotPlannable),
    /// The pass failed, for this reason.
    Failed(String),
}

/// Something a site's worker should do now.
#[derive(Debug)]
pub(crate) enum Trigger {
    /// Re-plan soon; answer the waiter (if any) with the plan.
    Replan(Option<Waiter>),
}

/// Reaches the site workers: ask for a re-plan, or wait for one.
#[derive(Debug, Clone)]
pub struct ControlHandle {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: ControlConfig,
    pub(crate) workers: Mutex<HashMap<SiteId, WorkerEntry>>,
    pub(crate) tracker: TaskTracker,
    pub(crate) cancel: CancellationToken,
    /// Re-plans done since start, for metrics and the coalescing test.
    pub(crate) replans: AtomicU64,
    /// Sends plans to the vendors, when configured.
    pub(crate) dispatchers: Option<Dispatchers>,
    /// Carries triggers to the instance that owns a site (with leases).
    pub(crate) signals: Arc<dyn SiteSignals>,
    /// Solve times, re-plan outcomes and setpoint results, for `/metrics`.
    pub(crate) metrics: ControlMetrics,
    /// Sites that cannot be planned yet, with the id of the worker that found it (so a
    /// stopping worker clears only its own entry).
    pub(crate) not_plannable: Mutex<HashMap<SiteId, (NotPlannable, u64)>>,
    /// Source of worker ids.
    pub(crate) next_worker: AtomicU64,
}

/// A running site worker, as the handle and the supervisor see it.
#[derive(Debug)]
pub(crate) struct WorkerEntry {
    sender: mpsc::UnboundedSender<Trigger>,
    /// Stops this worker alone (its lease was lost or given up).
    pub(crate) stop: CancellationToken,
    /// Cancelled by the worker when it has ended.
    pub(crate) done: CancellationToken,
    /// The lease token it works under (`None` without leases).
    pub(crate) token: Option<i64>,
}

impl WorkerEntry {
    pub(crate) fn running(&self) -> bool {
        !self.done.is_cancelled() && !self.sender.is_closed()
    }
}

/// Starts the supervisor (which starts a worker for every site this instance owns) and
/// returns the handle.
pub fn start(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: ControlConfig,
    tracker: &TaskTracker,
    cancel: CancellationToken,
) -> ControlHandle {
    let metrics = ControlMetrics::new();
    let handle = ControlHandle {
        inner: Arc::new(Inner {
            signals: store.site_signals(),
            store,
            clock,
            workers: Mutex::new(HashMap::new()),
            tracker: tracker.clone(),
            cancel,
            replans: AtomicU64::new(0),
            dispatchers: config
                .dispatch
                .clone()
                .map(|setup| Dispatchers::new(setup, metrics.clone())),
            config,
            metrics,
            not_plannable: Mutex::new(HashMap::new()),
            next_worker: AtomicU64::new(0),
        }),
    };
    let supervisor = handle.clone();
    if handle.inner.config.leases {
        tracker.spawn(async move { supervisor.supervise_leases().await });
        let listener = handle.clone();
        tracker.spawn(async move { listener.listen_for_triggers().await });
    } else {
        tracker.spawn(async move { supervisor.supervise().await });
    }
    handle
}

impl ControlHandle {
    /// How many re-plans the workers have made since start.
    pub fn replans(&self) -> u64 {
        self.inner.replans.load(Ordering::Relaxed)
    }

    /// The loop's Prometheus metrics (solve times, re-plans, setpoint results).
    pub fn metrics(&self) -> &ControlMetrics {
        &self.inner.metrics
    }

    /// Why the site cannot be planned yet, when its worker (on this instance) found so at its
    /// last re-plan; `None` when it can, or is not run here.
    pub fn not_plannable(&self, site: &SiteId) -> Option<NotPlannable> {
        self.inner.not_plannable(site)
    }

    /// The relay between waiting drivers and owners, on this loop's store, clock and metrics.
    pub fn relay(&self) -> crate::relay::Relay {
        crate::relay::Relay::new(
            self.inner.store.clone(),
            self.inner.clock.clone(),
            self.inner.metrics.clone(),
        )
    }

    /// The settings the loop runs with.
    pub fn config(&self) -> &ControlConfig {
        &self.inner.config
    }

    /// The sites this instance runs a worker for, sorted.
    pub fn owned_sites(&self) -> Vec<SiteId> {
        let mut sites: Vec<SiteId> = self
            .workers()
            .iter()
            .filter(|(_, entry)| entry.running())
            .map(|(site, _)| site.clone())
            .collect();
        sites.sort();
        sites
    }

    /// Asks the site's worker to re-plan soon; many triggers in a burst make one re-plan.
    /// With leases, a site owned by another instance gets the trigger by a site signal.
    pub fn trigger(&self, site: &SiteId) {
        if let Some(sender) = self.worker(site) {
            // A closed channel means the worker stopped; nothing to re-plan here then.
            let _ = sender.send(Trigger::Replan(None));
        } else if self.inner.config.leases && !self.inner.cancel.is_cancelled() {
            let (handle, site) = (self.clone(), site.clone());
            self.inner
                .tracker
                .spawn(async move { handle.signal_owner(&site).await });
        }
    }

    /// Re-plans the site and returns the new plan (coalesced with any re-plan under way).
    /// With leases, a site owned by another instance is signalled, and the answer is the first
    /// plan the owner stores after the request (the caller bounds the wait).
    pub async fn replan_now(&self, site: &SiteId) -> Result<Plan, ControlError> {
        let Some(sender) = self.worker(site) else {
            if self.inner.config.leases && !self.inner.cancel.is_cancelled() {
                return self.replan_remote(site).await;
            }
            return Err(ControlError::Stopped);
        };
        let (tx, rx) = oneshot::channel();
        let _ = sender.send(Trigger::Replan(Some(tx)));
        match rx.await {
            Ok(Ok(plan)) => Ok(plan),
            Ok(Err(Refusal::NotPlannable(reason))) => Err(ControlError::NotPlannable(reason)),
            Ok(Err(Refusal::Failed(reason))) => Err(ControlError::Solver(reason)),
            Err(_) => Err(ControlError::Stopped),
        }
    }

    /// Triggers the site's worker when this instance runs it; `false` otherwise.
    pub(crate) fn trigger_local(&self, site: &SiteId) -> bool {
        let workers = self.workers();
        let Some(entry) = workers.get(site).filter(|entry| entry.running()) else {
            return false;
        };
        entry.sender.send(Trigger::Replan(None)).is_ok()
    }

    pub(crate) fn workers(&self) -> std::sync::MutexGuard<'_, HashMap<SiteId, WorkerEntry>> {
        self.inner.workers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The site's worker; without leases one is started when missing (not after shutdown
    /// began). With leases only the supervisor starts workers, for the sites it holds.
    fn worker(&self, site: &SiteId) -> Option<mpsc::UnboundedSender<Trigger>> {
        if self.inner.cancel.is_cancelled() {
            return None;
        }
        let mut workers = self.workers();
        if let Some(entry) = workers.get(site).filter(|entry| entry.running()) {
            return Some(entry.sender.clone());
        }
        if self.inner.config.leases {
            return None;
        }
        let entry = self.spawn_worker(site, None);
        let sender = entry.sender.clone();
        workers.insert(site.clone(), entry);
        Some(sender)
    }

    /// Starts a worker for the site, under the lease `token` when there is one.
    pub(crate) fn spawn_worker(&self, site: &SiteId, token: Option<i64>) -> WorkerEntry {
        let (tx, rx) = mpsc::unbounded_channel();
        let stop = self.inner.cancel.child_token();
        let done = CancellationToken::new();
        let fence = token.map(|token| {
            Fence::new(
                site.clone(),
                self.inner.config.instance_id.clone(),
                token,
                self.inner.clock.clone(),
            )
        });
        let worker = SiteWorker {
            id: self.inner.next_worker.fetch_add(1, Ordering::Relaxed),
            inner: Arc::clone(&self.inner),
            site: site.clone(),
            triggers: rx,
            again: AtomicBool::new(false),
            taper: TaperMemory::default(),
            plan: Mutex::new(None),
            next_sharing: Mutex::new(None),
            next_purge: Mutex::new(None),
            retry_at: Mutex::new(None),
            stop: stop.clone(),
            fence,
        };
        let finished = done.clone();
        self.inner.tracker.spawn(async move {
            let _finished = finished.drop_guard();
            worker.run().await;
        });
        WorkerEntry {
            sender: tx,
            stop,
            done,
            token,
        }
    }

    async fn supervise(self) {
        loop {
            match self.inner.store.list_sites().await {
                Ok(sites) => {
                    for site in sites {
                        self.worker(&site.id);
                    }
                }
                Err(error) => tracing::warn!(error = %error, "cannot list sites"),
            }
            tokio::select! {
                () = self.inner.cancel.cancelled() => return,
                () = tokio::time::sleep(SITE_RESCAN) => {}
            }
        }
    }
}
