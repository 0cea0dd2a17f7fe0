//! The control service: one worker per site that coalesces triggers, re-plans, and runs the
//! driver conversations; a supervisor that starts a worker for every site this instance owns
//! (every site, or with leases the sites whose lease it holds — see `supervisor`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chargeplan_core::{Clock, Plan, SiteId};
use chargeplan_store::prelude::*;
use chargeplan_store::{Event, EventKind, SiteSignals};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::dispatch::Dispatchers;
use crate::feedback::TaperMemory;
use crate::lease::Fence;
use crate::metrics::ControlMetrics;
use crate::planner::{self, Replanned};
use crate::triggers::{drift_matters, session_of, triggers_replan};
use crate::{ControlConfig, ControlError, conversation, waitlist};

/// The name under which site workers keep their place in the event log.
const CURSOR: &str = "control";
/// Most events read per pass.
const EVENT_BATCH: u32 = 500;
/// How often the supervisor looks for new sites.
const SITE_RESCAN: std::time::Duration = std::time::Duration::from_secs(30);
/// The waitlist step runs at least this often (done cars, reminders) besides after events
/// and at its deadlines (offers' answer times, holds' ends), in seconds.
const SHARING_EVERY_S: i64 = 60;

type Waiter = oneshot::Sender<Result<Plan, String>>;

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
    replans: AtomicU64,
    /// Sends plans to the vendors, when configured.
    dispatchers: Option<Dispatchers>,
    /// Carries triggers to the instance that owns a site (with leases).
    pub(crate) signals: Arc<dyn SiteSignals>,
    /// Solve times, re-plan outcomes and setpoint results, for `/metrics`.
    metrics: ControlMetrics,
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
            Ok(Err(reason)) => Err(ControlError::Solver(reason)),
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
            inner: Arc::clone(&self.inner),
            site: site.clone(),
            triggers: rx,
            again: AtomicBool::new(false),
            taper: TaperMemory::default(),
            plan: Mutex::new(None),
            next_sharing: Mutex::new(None),
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

/// The loop of one site.
struct SiteWorker {
    inner: Arc<Inner>,
    site: SiteId,
    triggers: mpsc::UnboundedReceiver<Trigger>,
    /// Set when the last pass needs an immediate follow-up re-plan.
    again: AtomicBool,
    /// Lowered maxima of cars drawing under their limits.
    taper: TaperMemory,
    /// The plan in force, to tell when measured power drifts from it.
    plan: Mutex<Option<Plan>>,
    /// When the waitlist step is due next without an event (`None`: at the first pass).
    next_sharing: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// Stops this worker (shutdown, or the site's lease lost or given up).
    stop: CancellationToken,
    /// The site's lease, checked before every plan is stored and every dispatch (leases only).
    fence: Option<Fence>,
}

impl SiteWorker {
    async fn run(mut self) {
        let poll = self.inner.config.event_poll.to_std().unwrap_or_default();
        let mut last_plan: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut waiters: Vec<Waiter> = Vec::new();
        loop {
            let mut dirty = self.again.swap(false, Ordering::Relaxed);
            tokio::select! {
                () = self.stop.cancelled() => return,
                trigger = self.triggers.recv() => match trigger {
                    Some(trigger) => { dirty = true; self.take(trigger, &mut waiters); }
                    None => return,
                },
                () = tokio::time::sleep(poll) => {}
            }
            // Coalesce: every trigger queued meanwhile is served by the same re-plan.
            while let Ok(trigger) = self.triggers.try_recv() {
                dirty = true;
                self.take(trigger, &mut waiters);
            }
            let now = self.inner.clock.now();
            let due = last_plan.is_none_or(|at| now - at >= self.inner.config.tick);
            match self.pass(dirty || due).await {
                Ok(Some(replanned)) => {
                    last_plan = Some(now);
                    for waiter in waiters.drain(..) {
                        let _ = waiter.send(Ok(replanned.plan.clone()));
                    }
                }
                Ok(None) => {}
                Err(ControlError::LeaseLost) => {
                    tracing::info!(site.id = %self.site, "lease lost; the site's worker stops");
                    for waiter in waiters.drain(..) {
                        let _ = waiter.send(Err(ControlError::LeaseLost.to_string()));
                    }
                    return;
                }
                Err(error) => {
                    tracing::error!(site.id = %self.site, error = %error, "control pass failed");
                    for waiter in waiters.drain(..) {
                        let _ = waiter.send(Err(error.to_string()));
                    }
                }
            }
        }
    }

    fn take(&self, trigger: Trigger, waiters: &mut Vec<Waiter>) {
        match trigger {
            Trigger::Replan(Some(waiter)) => waiters.push(waiter),
            Trigger::Replan(None) => {}
        }
    }

    /// Handles new events (welcomes), re-plans when needed, runs the conversations, and only
    /// then moves the cursor: after a crash the same events are handled again, harmlessly.
    async fn pass(&self, mut replan: bool) -> Result<Option<Replanned>, ControlError> {
        let store = self.inner.store.as_ref();
        let cursor = store.event_cursor(CURSOR, &self.site).await?;
        let events = store.events_after(&self.site, cursor, EVENT_BATCH).await?;
        let now = self.inner.clock.now();
        let sharing_due = self.sharing_due(now);
        if events.is_empty() && !replan && !sharing_due {
            return Ok(None);
        }
        let site = store.get_site(&self.site).await?;
        for event in &events {
            replan |= triggers_replan(event.kind) || self.drifted(event);
            if event.kind == EventKind::SessionStarted
                && let Some(id) = session_of(event)
            {
                let session = store.get_session(&id).await?;
                conversation::welcome(store, &site, &session, &self.inner.config, now).await?;
            }
        }
        let replanned = if replan {
            let replanned = planner::replan_observed(
                store,
                &site,
                now,
                &self.inner.config,
                &self.taper,
                self.fence.as_ref(),
                Some(&self.inner.metrics),
            )
            .await;
            self.inner.metrics.replan_done(replanned.is_ok());
            let replanned = replanned?;
            self.inner.replans.fetch_add(1, Ordering::Relaxed);
            conversation::after_plan(store, &replanned, &self.inner.config, now).await?;
            *self.plan.lock().unwrap_or_else(|e| e.into_inner()) = Some(replanned.plan.clone());
            if let Some(dispatchers) = &self.inner.dispatchers {
                // The last look at the lease before sending: see the README for the window.
                if let Some(fence) = &self.fence {
                    fence.check(store).await?;
                }
                let lost = dispatchers
                    .dispatch(
                        &self.inner.store,
                        &self.inner.clock,
                        &replanned.plan,
                        &replanned.snapshot,
                    )
                    .await?;
                if lost {
                    // A port refused its limit: plan again at once, counting it at its maximum.
                    self.again.store(true, Ordering::Relaxed);
                }
            }
            Some(replanned)
        } else {
            None
        };
        if !events.is_empty() || replanned.is_some() || sharing_due {
            let next = waitlist::pass::run(
                store,
                &self.site,
                &self.inner.config,
                self.fence.as_ref(),
                now,
            )
            .await?;
            self.schedule_sharing(now, next);
        }
        if let Some(last) = events.last() {
            store.set_event_cursor(CURSOR, &self.site, last.id).await?;
        }
        Ok(replanned)
    }
}

impl SiteWorker {
    /// Whether the waitlist step is due at `now` without an event.
    fn sharing_due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let next = self.next_sharing.lock().unwrap_or_else(|e| e.into_inner());
        next.is_none_or(|at| now >= at)
    }

    /// Comes back at the step's next deadline, or after `SHARING_EVERY_S` at the latest.
    fn schedule_sharing(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        deadline: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        let every = now + chrono::Duration::seconds(SHARING_EVERY_S);
        let at = deadline.map_or(every, |deadline| deadline.min(every));
        *self.next_sharing.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }

    /// Whether a `PowerChanged` event shows a car drawing far from its planned power.
    fn drifted(&self, event: &Event) -> bool {
        if event.kind != EventKind::PowerChanged {
            return false;
        }
        let (Some(id), Some(measured)) = (
            session_of(event),
            event.payload.get("power_kw").and_then(|v| v.as_f64()),
        ) else {
            return false;
        };
        let plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        let planned = plan.as_ref().and_then(|plan| {
            let slot = plan.slot_index(event.at)?;
            plan.session(&id)?
                .power_kw
                .get(usize::try_from(slot).ok()?)
                .copied()
        });
        planned.is_some_and(|planned| drift_matters(planned, measured))
    }
}
