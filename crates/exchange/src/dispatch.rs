//! From a plan to charging profiles at the vendor: one profile per session covering the
//! plan's horizon, decreases sent and acknowledged before any increase, `TOO_OFTEN` respected,
//! and a session whose profile is refused or lost recorded as such so the next plan counts it
//! at its maximum. Every profile and its outcome is stored as a setpoint for audit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chargeplan_core::{
    Clock, LimitPeriod, Plan, PlanId, Port, PortId, Session, SessionId, Setpoint, SetpointState,
    SiteId,
};
use chargeplan_store::Store;
use chrono::{DateTime, Utc};

use crate::outcome::Reason;
use crate::results::{AsyncResult, PendingResults};
use crate::{ProfileAnswer, ProfileRequest, RateUnit, VendorCloud};

/// How profiles are expressed and how long we wait for the vendor.
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchConfig {
    /// Watts (total) or amperes (per phase), as the vendor prefers.
    pub unit: RateUnit,
    /// The lowest current a car accepts (J1772: 6 A), sent as `min_charging_rate`.
    pub min_amps: Option<f64>,
    /// The longest wait for an asynchronous result, whatever timeout the vendor names.
    pub max_result_wait: Duration,
    /// How long a session is left alone after `TOO_OFTEN`.
    pub too_often_backoff: chrono::Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            unit: RateUnit::Watts,
            min_amps: Some(6.0),
            max_result_wait: Duration::from_secs(30),
            too_often_backoff: chrono::Duration::seconds(60),
        }
    }
}

/// One session's new limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub port: Port,
    pub session: Session,
    pub starts_at: DateTime<Utc>,
    pub periods: Vec<LimitPeriod>,
    /// The limit in force now, if we set one; `None` means the port may draw its maximum.
    pub current_limit_kw: Option<f64>,
}

impl Order {
    /// Whether this order lowers what the port may draw right now.
    pub fn is_decrease(&self) -> bool {
        let new = self.periods.first().map_or(0.0, |period| period.limit_kw);
        new < self.current_limit_kw.unwrap_or(self.port.max_power.get())
    }
}

/// What happened to one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// Refused by the vendor: the session counts at its port's maximum and is not sent
    /// anything until the refusal retry has passed.
    Rejected(Reason),
    /// Lost on the way (5xx, timeout, reset, unreadable answer, no result in time): the vendor
    /// may or may not have applied it. The session counts at its port's maximum until its
    /// state is known, and the profile is sent again within seconds.
    Unknown(Reason),
    /// Rate limited: sent again after the backoff.
    TooOften,
    /// The vendor no longer knows the session (it has probably ended).
    UnknownSession,
    /// Held back: a decrease before it did not go through, or the session is in backoff.
    NotSent,
}

impl Outcome {
    /// The outcome's name for metrics and logs: `accepted`, `rejected`, `unknown`, ...
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected(_) => "rejected",
            Self::Unknown(_) => "unknown",
            Self::TooOften => "too_often",
            Self::UnknownSession => "unknown_session",
            Self::NotSent => "not_sent",
        }
    }

    /// Why it was refused or is unknown.
    pub fn reason(self) -> Option<Reason> {
        match self {
            Self::Rejected(reason) | Self::Unknown(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether the session's limit is not in force (refused) or may not be (unknown).
    pub fn lost_control(self) -> bool {
        matches!(self, Self::Rejected(_) | Self::Unknown(_))
    }
}

/// The outcome of a dispatch round.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DispatchReport {
    pub outcomes: Vec<(SessionId, Outcome)>,
    /// Ports whose session's limit was refused or lost in this round; the site needs a new
    /// plan that counts them at their maximum.
    pub uncontrolled: Vec<PortId>,
}

impl DispatchReport {
    pub fn outcome(&self, session: &SessionId) -> Option<Outcome> {
        self.outcomes
            .iter()
            .find(|(id, _)| id == session)
            .map(|(_, outcome)| *outcome)
    }
}

/// How far before the plan's start each profile starts: the first slot's limit also covers
/// this margin, so a station whose clock is behind ours (or a profile that arrives late)
/// never sees a moment before the profile's start, when it would draw without a limit.
pub const CLOCK_SKEW_MARGIN_S: u32 = 120;

/// The orders that carry out `plan` for the controllable ports among `ports`. Each profile
/// starts [`CLOCK_SKEW_MARGIN_S`] before the plan, at the first slot's limit.
pub fn orders_from_plan(
    plan: &Plan,
    ports: &[Port],
    sessions: &[Session],
    current_kw: &HashMap<SessionId, f64>,
) -> Vec<Order> {
    let slot_s = plan.slot_minutes.get() * 60;
    plan.sessions
        .iter()
        .filter_map(|planned| {
            let session = sessions
                .iter()
                .find(|s| s.id == planned.session_id && !s.status.is_final())?;
            let port = ports
                .iter()
                .find(|p| Some(&p.id) == session.port_id.as_ref() && p.controllable)?;
            let mut periods: Vec<LimitPeriod> = Vec::new();
            for (slot, &kw) in (0_u32..).zip(&planned.power_kw) {
                let limit_kw = kw.clamp(0.0, port.max_power.get());
                if periods
                    .last()
                    .is_none_or(|last| (last.limit_kw - limit_kw).abs() > 1e-9)
                {
                    periods.push(LimitPeriod {
                        start_offset_s: if slot == 0 {
                            0
                        } else {
                            slot * slot_s + CLOCK_SKEW_MARGIN_S
                        },
                        limit_kw,
                    });
                }
            }
            (!periods.is_empty()).then(|| Order {
                port: port.clone(),
                session: session.clone(),
                starts_at: plan.start - chrono::Duration::seconds(i64::from(CLOCK_SKEW_MARGIN_S)),
                periods,
                current_limit_kw: current_kw.get(&session.id).copied(),
            })
        })
        .collect()
}

/// Sends orders to one vendor cloud.
#[derive(Debug)]
pub struct Dispatcher {
    pub cloud: Arc<dyn VendorCloud>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub results: PendingResults,
    pub config: DispatchConfig,
    /// Sessions the vendor asked us to leave alone, until when.
    too_often_until: Mutex<HashMap<SessionId, DateTime<Utc>>>,
}

impl Dispatcher {
    pub fn new(
        cloud: Arc<dyn VendorCloud>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        results: PendingResults,
        config: DispatchConfig,
    ) -> Self {
        Self {
            cloud,
            store,
            clock,
            results,
            config,
            too_often_until: Mutex::new(HashMap::new()),
        }
    }

    /// Sends the decreases, waits for them all to be acknowledged, then sends the increases —
    /// unless a decrease did not go through, in which case increases wait for a new plan.
    pub async fn dispatch(
        &self,
        site: &SiteId,
        plan: Option<&PlanId>,
        orders: Vec<Order>,
    ) -> DispatchReport {
        let (decreases, increases): (Vec<_>, Vec<_>) =
            orders.into_iter().partition(Order::is_decrease);
        let mut report = DispatchReport::default();
        let sent =
            futures::future::join_all(decreases.iter().map(|order| self.send(site, plan, order)))
                .await;
        let all_down = sent.iter().all(|outcome| *outcome == Outcome::Accepted);
        self.record(&mut report, &decreases, sent);
        let sent = if all_down {
            futures::future::join_all(increases.iter().map(|order| self.send(site, plan, order)))
                .await
        } else {
            vec![Outcome::NotSent; increases.len()]
        };
        self.record(&mut report, &increases, sent);
        report
    }

    fn record(&self, report: &mut DispatchReport, orders: &[Order], outcomes: Vec<Outcome>) {
        for (order, outcome) in orders.iter().zip(outcomes) {
            if outcome.lost_control() {
                report.uncontrolled.push(order.port.id.clone());
            }
            report.outcomes.push((order.session.id.clone(), outcome));
        }
    }

    /// The profile for an order, in the configured unit.
    pub fn profile(&self, order: &Order) -> ProfileRequest {
        let volts_phases = order.port.voltage_v * f64::from(order.port.phases.count());
        let (to_unit, min_rate): (Box<dyn Fn(f64) -> f64>, Option<f64>) = match self.config.unit {
            RateUnit::Watts => (
                Box::new(|kw| kw * 1000.0),
                self.config.min_amps.map(|amps| amps * volts_phases),
            ),
            RateUnit::Amperes => (
                Box::new(move |kw| kw * 1000.0 / volts_phases),
                self.config.min_amps,
            ),
        };
        ProfileRequest {
            starts_at: order.starts_at,
            unit: self.config.unit,
            min_rate,
            periods: order
                .periods
                .iter()
                .map(|p| (p.start_offset_s, to_unit(p.limit_kw)))
                .collect(),
            duration_s: None,
        }
    }

    async fn send(&self, site: &SiteId, plan: Option<&PlanId>, order: &Order) -> Outcome {
        let now = self.clock.now();
        let held = self
            .too_often_until
            .lock()
            .ok()
            .and_then(|held| held.get(&order.session.id).copied());
        if held.is_some_and(|until| until > now) {
            return Outcome::NotSent;
        }
        let Ok(setpoint) = Setpoint::new(
            site.clone(),
            plan.cloned(),
            order.port.id.clone(),
            order.session.id.clone(),
            order.starts_at,
            order.periods.clone(),
            now,
        ) else {
            return Outcome::NotSent;
        };
        if let Err(error) = self.store.insert_setpoint(&setpoint).await {
            tracing::error!(session.id = %order.session.id, error = %error, "cannot record setpoint; not sending it");
            return Outcome::NotSent;
        }
        // The setpoint's id names its asynchronous result, so a result that comes after we
        // stopped waiting still finds the setpoint (the receiver settles it in the store).
        let response_id = setpoint.id.as_str().to_owned();
        let receiver = self.results.register_as(&response_id);
        let answer = self
            .cloud
            .set_profile(
                &order.session.vendor_session_id,
                &self.profile(order),
                &response_id,
            )
            .await;
        let outcome = match answer {
            Ok(ProfileAnswer::Accepted { timeout_s }) => {
                let wait =
                    Duration::from_secs(u64::from(timeout_s)).min(self.config.max_result_wait);
                match self.results.wait(&response_id, receiver, wait).await {
                    Some(AsyncResult::Accepted) => Outcome::Accepted,
                    Some(AsyncResult::Rejected) => Outcome::Rejected(Reason::ResultRejected),
                    Some(AsyncResult::Unknown) => Outcome::Unknown(Reason::ResultUnknown),
                    None => Outcome::Unknown(Reason::NoResult),
                }
            }
            other => {
                self.results.forget(&response_id);
                match other {
                    Ok(ProfileAnswer::Rejected) => Outcome::Rejected(Reason::Rejected),
                    Ok(ProfileAnswer::NotSupported) => Outcome::Rejected(Reason::NotSupported),
                    Ok(ProfileAnswer::TooOften) => Outcome::TooOften,
                    Ok(ProfileAnswer::UnknownSession) => Outcome::UnknownSession,
                    Ok(ProfileAnswer::Accepted { .. }) => Outcome::Unknown(Reason::NoResult),
                    Err(error) => {
                        let reason = Reason::of_error(&error);
                        tracing::warn!(
                            session.id = %order.session.id,
                            dispatch.reason = %reason,
                            error = %error,
                            "charging profile request failed"
                        );
                        if reason.is_refusal() {
                            Outcome::Rejected(reason)
                        } else {
                            Outcome::Unknown(reason)
                        }
                    }
                }
            }
        };
        self.settle(&setpoint, order, outcome).await
    }

    /// Stores the outcome and its consequences, and returns it — or `Accepted` when the
    /// vendor's late result already settled the setpoint as accepted.
    async fn settle(&self, setpoint: &Setpoint, order: &Order, outcome: Outcome) -> Outcome {
        let now = self.clock.now();
        let state = match outcome {
            Outcome::Accepted => SetpointState::Accepted,
            Outcome::Rejected(_) => SetpointState::Rejected,
            _ => SetpointState::Failed,
        };
        if outcome == Outcome::TooOften
            && let Ok(mut held) = self.too_often_until.lock()
        {
            held.insert(
                order.session.id.clone(),
                now + self.config.too_often_backoff,
            );
        }
        let reason = outcome.reason().map(Reason::label).or_else(|| {
            matches!(outcome, Outcome::TooOften | Outcome::UnknownSession)
                .then(|| outcome.label().to_owned())
        });
        match self
            .store
            .settle_setpoint(&setpoint.id, state, reason.as_deref(), now)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                // Settled meanwhile by the vendor's result, which came before our bookkeeping.
                if let Ok(stored) = self.store.get_setpoint(&setpoint.id).await
                    && stored.state == SetpointState::Accepted
                {
                    return Outcome::Accepted;
                }
            }
            Err(error) => {
                tracing::error!(setpoint.id = %setpoint.id, error = %error, "cannot record setpoint outcome");
            }
        }
        match outcome {
            Outcome::Rejected(reason) => {
                // The port itself stays controllable, so the next car on it (or a retry after
                // the refusal retry) is limited again: a refusal often only means the session
                // ended a moment before the profile arrived.
                tracing::warn!(port.id = %order.port.id, session.id = %order.session.id, dispatch.reason = %reason, "limit refused; the session counts at its port's maximum until the refusal retry");
            }
            Outcome::Unknown(reason) => {
                tracing::warn!(port.id = %order.port.id, session.id = %order.session.id, dispatch.reason = %reason, "limit outcome unknown; the session counts at its port's maximum until it is known");
            }
            _ => {}
        }
        outcome
    }
}
