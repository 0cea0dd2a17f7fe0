//! The control service: one worker per site that coalesces triggers, re-plans, and runs the
//! driver conversations; a supervisor that starts a worker for every site.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chargeplan_core::{Clock, Plan, SessionId, SiteId};
use chargeplan_store::prelude::*;
use chargeplan_store::{Event, EventKind};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::dispatch::Dispatchers;
use crate::feedback::TaperMemory;
use crate::planner::{self, Replanned};
use crate::{ControlConfig, ControlError, conversation};

/// The name under which site workers keep their place in the event log.
const CURSOR: &str = "control";
/// Most events read per pass.
const EVENT_BATCH: u32 = 500;
/// How often the supervisor looks for new sites.
const SITE_RESCAN: std::time::Duration = std::time::Duration::from_secs(30);

type Waiter = oneshot::Sender<Result<Plan, String>>;

/// Something a site's worker should do now.
#[derive(Debug)]
enum Trigger {
    /// Re-plan soon; answer the waiter (if any) with the plan.
    Replan(Option<Waiter>),
}

/// Reaches the site workers: ask for a re-plan, or wait for one.
#[derive(Debug, Clone)]
pub struct ControlHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: ControlConfig,
    workers: Mutex<HashMap<SiteId, mpsc::UnboundedSender<Trigger>>>,
    tracker: TaskTracker,
    cancel: CancellationToken,
    /// Re-plans done since start, for metrics and the coalescing test.
    replans: AtomicU64,
    /// Sends plans to the vendors, when configured.
    dispatchers: Option<Dispatchers>,
}

/// Starts the supervisor (which starts a worker for every site) and returns the handle.
pub fn start(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: ControlConfig,
    tracker: &TaskTracker,
    cancel: CancellationToken,
) -> ControlHandle {
    let handle = ControlHandle {
        inner: Arc::new(Inner {
            store,
            clock,
            workers: Mutex::new(HashMap::new()),
            tracker: tracker.clone(),
            cancel,
            replans: AtomicU64::new(0),
            dispatchers: config.dispatch.clone().map(Dispatchers::new),
            config,
        }),
    };
    let supervisor = handle.clone();
    tracker.spawn(async move { supervisor.supervise().await });
    handle
}

impl ControlHandle {
    /// How many re-plans the workers have made since start.
    pub fn replans(&self) -> u64 {
        self.inner.replans.load(Ordering::Relaxed)
    }

    /// The settings the loop runs with.
    pub fn config(&self) -> &ControlConfig {
        &self.inner.config
    }

    /// Asks the site's worker to re-plan soon; many triggers in a burst make one re-plan.
    pub fn trigger(&self, site: &SiteId) {
        self.send(site, Trigger::Replan(None));
    }

    /// Re-plans the site and returns the new plan (coalesced with any re-plan under way).
    pub async fn replan_now(&self, site: &SiteId) -> Result<Plan, ControlError> {
        let (tx, rx) = oneshot::channel();
        self.send(site, Trigger::Replan(Some(tx)));
        match rx.await {
            Ok(Ok(plan)) => Ok(plan),
            Ok(Err(reason)) => Err(ControlError::Solver(reason)),
            Err(_) => Err(ControlError::Stopped),
        }
    }

    fn send(&self, site: &SiteId, trigger: Trigger) {
        let sender = self.worker(site);
        if let Some(sender) = sender {
            // A closed channel means shutdown; the waiter then sees `Stopped`.
            let _ = sender.send(trigger);
        }
    }

    /// The site's worker, started when missing (not after shutdown began).
    fn worker(&self, site: &SiteId) -> Option<mpsc::UnboundedSender<Trigger>> {
        if self.inner.cancel.is_cancelled() {
            return None;
        }
        let mut workers = self.inner.workers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = workers.get(site).filter(|s| !s.is_closed()) {
            return Some(sender.clone());
        }
        let (tx, rx) = mpsc::unbounded_channel();
        workers.insert(site.clone(), tx.clone());
        let worker = SiteWorker {
            inner: Arc::clone(&self.inner),
            site: site.clone(),
            triggers: rx,
            again: AtomicBool::new(false),
            taper: TaperMemory::default(),
            plan: Mutex::new(None),
        };
        self.inner.tracker.spawn(worker.run());
        Some(tx)
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
}

impl SiteWorker {
    async fn run(mut self) {
        let poll = self.inner.config.event_poll.to_std().unwrap_or_default();
        let mut last_plan: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut waiters: Vec<Waiter> = Vec::new();
        loop {
            let mut dirty = self.again.swap(false, Ordering::Relaxed);
            tokio::select! {
                () = self.inner.cancel.cancelled() => return,
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
        if events.is_empty() && !replan {
            return Ok(None);
        }
        let site = store.get_site(&self.site).await?;
        let now = self.inner.clock.now();
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
            let replanned =
                planner::replan(store, &site, now, &self.inner.config, &self.taper).await?;
            self.inner.replans.fetch_add(1, Ordering::Relaxed);
            conversation::after_plan(store, &replanned, &self.inner.config, now).await?;
            *self.plan.lock().unwrap_or_else(|e| e.into_inner()) = Some(replanned.plan.clone());
            if let Some(dispatchers) = &self.inner.dispatchers {
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
        if let Some(last) = events.last() {
            store.set_event_cursor(CURSOR, &self.site, last.id).await?;
        }
        Ok(replanned)
    }
}

impl SiteWorker {
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

/// Measured power this far from the plan (more than 1 kW and 20 %) is worth a new plan.
fn drift_matters(planned_kw: f64, measured_kw: f64) -> bool {
    let gap = (planned_kw - measured_kw).abs();
    gap > 1.0 && gap > 0.2 * planned_kw.max(measured_kw)
}

/// Whether an event changes what the site should do.
fn triggers_replan(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::SessionStarted
            | EventKind::SessionEnded
            | EventKind::RequestSubmitted
            | EventKind::CapChanged
            | EventKind::TariffChanged
    )
}

fn session_of(event: &Event) -> Option<SessionId> {
    event
        .payload
        .get("session_id")
        .and_then(|v| v.as_str())
        .and_then(|id| SessionId::parse(id).ok())
}

#[cfg(test)]
mod tests {
    use super::drift_matters;

    #[test]
    fn only_a_large_gap_between_planned_and_measured_power_is_drift() {
        assert!(drift_matters(6.6, 2.0));
        assert!(drift_matters(0.0, 3.0));
        assert!(!drift_matters(6.6, 6.0));
        assert!(!drift_matters(0.5, 1.2));
    }
}
