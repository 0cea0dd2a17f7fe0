//! The loop of one site's worker: wait for a trigger, an event poll or the tick; read the new
//! events (welcomes); re-plan when needed, unless the site cannot be planned yet; run the
//! conversations; dispatch; and only then move the event cursor. Failed passes back off.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chargeplan_core::{Plan, SiteId};
use chargeplan_store::{Event, EventKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::ControlError;
use crate::feedback::TaperMemory;
use crate::health::{self, Backoff, NotPlannable};
use crate::lease::Fence;
use crate::planner::{self, Replanned};
use crate::service::{Inner, Refusal, Trigger, Waiter};
use crate::triggers::{drift_matters, session_of, settles_a_setpoint, triggers_replan};
use crate::{conversation, waitlist};

/// The name under which site workers keep their place in the event log.
const CURSOR: &str = "control";
/// Most events read per pass.
const EVENT_BATCH: u32 = 500;
/// The waitlist step runs at least this often (done cars, reminders) besides after events
/// and at its deadlines (offers' answer times, holds' ends), in seconds.
const SHARING_EVERY_S: i64 = 60;
/// Relayed bodies past the site's retention are deleted this often, in minutes.
const PURGE_EVERY_MIN: i64 = 60;

impl Inner {
    pub(crate) fn not_plannable(&self, site: &SiteId) -> Option<NotPlannable> {
        let states = self.not_plannable.lock().unwrap_or_else(|e| e.into_inner());
        states.get(site).map(|(reason, _)| *reason)
    }

    /// Records the site's state as found by `worker` and updates the gauge.
    fn set_not_plannable(&self, site: &SiteId, worker: u64, state: Option<NotPlannable>) {
        let mut states = self.not_plannable.lock().unwrap_or_else(|e| e.into_inner());
        match state {
            Some(reason) => {
                states.insert(site.clone(), (reason, worker));
            }
            None => {
                if states.get(site).is_some_and(|(_, by)| *by == worker) {
                    states.remove(site);
                }
            }
        }
        self.metrics.set_sites_not_plannable(states.len());
    }
}

/// What a pass did.
enum Passed {
    /// Nothing called for a re-plan.
    Idle,
    Replanned(Box<Replanned>),
    /// A re-plan was called for, but the site cannot be planned yet.
    NotPlannable(NotPlannable),
}

/// The loop of one site.
pub(crate) struct SiteWorker {
    /// Tells this worker's entries in `Inner::not_plannable` from a successor's.
    pub(crate) id: u64,
    pub(crate) inner: Arc<Inner>,
    pub(crate) site: SiteId,
    pub(crate) triggers: mpsc::UnboundedReceiver<Trigger>,
    /// Set when the last pass needs an immediate follow-up re-plan.
    pub(crate) again: AtomicBool,
    /// Lowered maxima of cars drawing under their limits.
    pub(crate) taper: TaperMemory,
    /// The plan in force, to tell when measured power drifts from it.
    pub(crate) plan: Mutex<Option<Plan>>,
    /// When the waitlist step is due next without an event (`None`: at the first pass).
    pub(crate) next_sharing: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// When relayed bodies are purged next (`None`: at the first waitlist step).
    pub(crate) next_purge: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// When a session the last plan left out (refused or unknown limit) is to be planned
    /// again: the worker re-plans then, without waiting for the tick.
    pub(crate) retry_at: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// Stops this worker (shutdown, or the site's lease lost or given up).
    pub(crate) stop: CancellationToken,
    /// The site's lease, checked before every plan is stored and every dispatch (leases only).
    pub(crate) fence: Option<Fence>,
}

impl SiteWorker {
    pub(crate) async fn run(mut self) {
        let poll = self.inner.config.event_poll.to_std().unwrap_or_default();
        let config = &self.inner.config;
        let mut backoff = Backoff::new(config.failure_backoff, config.failure_backoff_max);
        // After failed passes: no automatic pass before this instant (triggers still run).
        let mut resume_at: Option<tokio::time::Instant> = None;
        let mut state: Option<NotPlannable> = None;
        let mut last_plan: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut waiters: Vec<Waiter> = Vec::new();
        loop {
            let mut dirty = self.again.swap(false, Ordering::Relaxed);
            let wait = resume_at.map_or(poll, |at| {
                at.saturating_duration_since(tokio::time::Instant::now())
                    .max(poll)
            });
            tokio::select! {
                () = self.stop.cancelled() => return,
                trigger = self.triggers.recv() => match trigger {
                    Some(trigger) => { dirty = true; self.take(trigger, &mut waiters); }
                    None => return,
                },
                () = tokio::time::sleep(wait) => {}
            }
            // Coalesce: every trigger queued meanwhile is served by the same re-plan.
            while let Ok(trigger) = self.triggers.try_recv() {
                dirty = true;
                self.take(trigger, &mut waiters);
            }
            let now = self.inner.clock.now();
            // Due at the tick, and when a session left out of the plan is to be tried again.
            let retry_due = self
                .retry_at
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some_and(|at| now >= at);
            let due = retry_due || last_plan.is_none_or(|at| now - at >= self.inner.config.tick);
            match self.pass(dirty || due).await {
                Ok(Passed::Replanned(replanned)) => {
                    (last_plan, resume_at) = (Some(now), None);
                    backoff.reset();
                    self.enter(&mut state, None);
                    for waiter in waiters.drain(..) {
                        let _ = waiter.send(Ok(replanned.plan.clone()));
                    }
                }
                Ok(Passed::NotPlannable(reason)) => {
                    // Looked at again at the next tick, event or trigger; not every poll.
                    (last_plan, resume_at) = (Some(now), None);
                    backoff.reset();
                    self.enter(&mut state, Some(reason));
                    for waiter in waiters.drain(..) {
                        let _ = waiter.send(Err(Refusal::NotPlannable(reason)));
                    }
                }
                Ok(Passed::Idle) => {}
                Err(ControlError::LeaseLost) => {
                    tracing::info!(site.id = %self.site, "lease lost; the site's worker stops");
                    for waiter in waiters.drain(..) {
                        let _ =
                            waiter.send(Err(Refusal::Failed(ControlError::LeaseLost.to_string())));
                    }
                    return;
                }
                Err(error) => {
                    let delay = backoff.failed();
                    resume_at = Some(tokio::time::Instant::now() + delay);
                    tracing::error!(
                        site.id = %self.site,
                        error = %error,
                        retry.delay_s = delay.as_secs_f64(),
                        "control pass failed"
                    );
                    for waiter in waiters.drain(..) {
                        let _ = waiter.send(Err(Refusal::Failed(error.to_string())));
                    }
                }
            }
        }
    }

    /// Moves the site into `next` (`None`: plannable), with one log line per change.
    fn enter(&self, state: &mut Option<NotPlannable>, next: Option<NotPlannable>) {
        if *state == next {
            return;
        }
        match next {
            Some(reason) => tracing::info!(
                site.id = %self.site,
                site.not_plannable = reason.as_str(),
                "site cannot be planned yet"
            ),
            None => tracing::info!(site.id = %self.site, "site can be planned"),
        }
        *state = next;
        self.inner.set_not_plannable(&self.site, self.id, next);
    }

    fn take(&self, trigger: Trigger, waiters: &mut Vec<Waiter>) {
        match trigger {
            Trigger::Replan(Some(waiter)) => waiters.push(waiter),
            Trigger::Replan(None) => {}
        }
    }

    /// Handles new events (welcomes), re-plans when needed, runs the conversations, and only
    /// then moves the cursor: after a crash the same events are handled again, harmlessly.
    async fn pass(&self, mut replan: bool) -> Result<Passed, ControlError> {
        let store = self.inner.store.as_ref();
        let cursor = store.event_cursor(CURSOR, &self.site).await?;
        let events = store.events_after(&self.site, cursor, EVENT_BATCH).await?;
        let now = self.inner.clock.now();
        let sharing_due = self.sharing_due(now);
        if events.is_empty() && !replan && !sharing_due {
            return Ok(Passed::Idle);
        }
        let site = store.get_site(&self.site).await?;
        for event in &events {
            replan |=
                triggers_replan(event.kind) || self.drifted(event) || settles_a_setpoint(event);
            if event.kind == EventKind::SessionStarted
                && let Some(id) = session_of(event)
            {
                let session = store.get_session(&id).await?;
                conversation::welcome(store, &site, &session, &self.inner.config, now).await?;
            }
        }
        let passed = if !replan {
            Passed::Idle
        } else if let Some(reason) = health::not_plannable(store, &self.site).await? {
            Passed::NotPlannable(reason)
        } else {
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
            let snapshot = &replanned.snapshot;
            self.inner.metrics.sites().set_uncontrolled(
                &self.site,
                snapshot.excluded.len() + snapshot.uncontrollable_sessions,
                snapshot.reserved_kw,
            );
            let problem = &snapshot.problem;
            let service_headroom_kw = problem
                .circuits
                .iter()
                .filter(|c| c.parent.is_none())
                .filter_map(|c| snapshot.arrival_headroom_kw.get(&c.id))
                .sum();
            let billed_kw = problem.tariff.as_ref().map_or(0.0, |t| t.billed_peak_kw);
            self.inner.metrics.sites().set_plan_reserves(
                &self.site,
                service_headroom_kw,
                billed_kw,
            );
            *self.retry_at.lock().unwrap_or_else(|e| e.into_inner()) = snapshot.next_retry();
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
            Passed::Replanned(Box::new(replanned))
        };
        if !events.is_empty() || matches!(passed, Passed::Replanned(_)) || sharing_due {
            let next = waitlist::pass::run(
                store,
                &self.site,
                &self.inner.config,
                self.fence.as_ref(),
                now,
            )
            .await?;
            self.schedule_sharing(now, next);
            if self.purge_due(now) {
                // Relayed bodies are kept for abuse review only as long as the site says.
                let retention = store
                    .get_sharing_settings(&self.site)
                    .await?
                    .relay_body_retention_days;
                store
                    .purge_relay_bodies(
                        &self.site,
                        now - chrono::Duration::days(i64::from(retention)),
                    )
                    .await?;
            }
        }
        if let Some(last) = events.last() {
            store.set_event_cursor(CURSOR, &self.site, last.id).await?;
        }
        Ok(passed)
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

    /// Whether relayed bodies are due for purging at `now`; if so, the next purge is set
    /// `PURGE_EVERY_MIN` later.
    fn purge_due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let mut next = self.next_purge.lock().unwrap_or_else(|e| e.into_inner());
        if next.is_some_and(|at| now < at) {
            return false;
        }
        *next = Some(now + chrono::Duration::minutes(PURGE_EVERY_MIN));
        true
    }
}

impl Drop for SiteWorker {
    /// A stopped worker no longer vouches for its site's state.
    fn drop(&mut self) {
        self.inner.set_not_plannable(&self.site, self.id, None);
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
