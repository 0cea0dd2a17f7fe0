//! `GET /metrics`: Prometheus metrics for operators, admins only, in the OpenMetrics text
//! format. The control loop's own metrics (solve times, re-plans, setpoint results) come from
//! its `ControlMetrics`; the gauges below are computed at each scrape in a registry of their
//! own, and both are written as one exposition ending in a single `# EOF`:
//!
//! - `chargeplan_outbox_depth`: texts waiting in the outbox;
//! - `chargeplan_vendor_poll_lag_seconds{vendor}`: seconds since the vendor account's last
//!   successful poll (absent until it has one), `chargeplan_vendor_poll_consecutive_errors`
//!   and `chargeplan_vendor_poll_errors_total` (so an account never polled successfully shows);
//! - `chargeplan_circuit_cap_kw{site,circuit}`: the circuit's effective cap now (static,
//!   scheduled windows and overrides), and `chargeplan_circuit_headroom_kw{site,circuit}`: that
//!   cap less the power last measured on the open sessions under the circuit (its own ports and
//!   those of every circuit below it);
//! - `chargeplan_waitlist_length{site}`: drivers on the site's waitlist now (waiting or
//!   holding a port).

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chargeplan_core::{CapOverride, CircuitId, CircuitTree, Port, ScheduledCap, Session};
use chargeplan_core::{VendorAccountId, effective_cap};
use chargeplan_exchange::poller::PollStatus;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::AppState;
use crate::access::ApiCaller;
use crate::api::ApiError;

/// The content type of an OpenMetrics text exposition.
pub(crate) const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of a family, e.g. `[("site", "s1"), ("circuit", "main")]`.
type Labels = Vec<(&'static str, String)>;
/// A gauge holding kilowatts.
type KwGauge = Gauge<f64, AtomicU64>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// `GET /metrics`: the control metrics and the scrape-time gauges, for admins.
async fn metrics(caller: ApiCaller, State(state): State<AppState>) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let scrape = scrape_registry(&state).await?;
    let mut body = String::new();
    state
        .control
        .metrics()
        .encode_with(&scrape, &mut body)
        .map_err(|error| ApiError::Internal(format!("cannot encode metrics: {error}")))?;
    Ok(([(header::CONTENT_TYPE, OPENMETRICS)], body).into_response())
}

/// The gauges computed now: outbox, vendor polls, waitlists, circuit caps and headroom.
async fn scrape_registry(state: &AppState) -> Result<Registry, ApiError> {
    let now = state.clock.now();
    let mut registry = Registry::default();

    let depth = Gauge::<i64>::default();
    depth.set(i64::try_from(state.store.outbox_depth().await?).unwrap_or(i64::MAX));
    registry.register(
        "chargeplan_outbox_depth",
        "Text messages waiting in the outbox to be sent",
        depth,
    );

    register_vendor_polls(&mut registry, state, now);

    let caps = Family::<Labels, KwGauge>::default();
    let headroom = Family::<Labels, KwGauge>::default();
    let waitlist = Family::<Labels, Gauge>::default();
    for site in state.store.list_sites().await? {
        let line = state.store.list_waitlist(&site.id).await?;
        waitlist
            .get_or_create(&vec![("site", site.id.to_string())])
            .set(i64::try_from(line.len()).unwrap_or(i64::MAX));
        let circuits = state.store.list_circuits(&site.id).await?;
        // A site whose circuits are not set up yet has nothing to report.
        let Ok(tree) = CircuitTree::new(circuits) else {
            continue;
        };
        let scheduled = state.store.list_scheduled_caps(&site.id).await?;
        let overrides = state.store.list_cap_overrides(&site.id, now).await?;
        let ports = state.store.list_ports(&site.id).await?;
        let sessions = state.store.list_open_sessions(&site.id).await?;
        let caps_now = CapsNow {
            scheduled: &scheduled,
            overrides: &overrides,
            time_zone: site.time_zone,
            at: now,
        };
        for load in circuit_loads(&tree, &caps_now, &ports, &sessions) {
            let labels = vec![
                ("site", site.id.to_string()),
                ("circuit", load.circuit.to_string()),
            ];
            caps.get_or_create(&labels).set(load.cap_kw);
            headroom.get_or_create(&labels).set(load.headroom_kw());
        }
    }
    registry.register(
        "chargeplan_circuit_cap_kw",
        "Effective power cap of a circuit now, in kW (static rating, scheduled windows and \
         overrides, the lowest applies)",
        caps,
    );
    registry.register(
        "chargeplan_circuit_headroom_kw",
        "Effective cap of a circuit now less the power last measured on the open sessions on \
         its ports and the ports of the circuits below it, in kW",
        headroom,
    );
    registry.register(
        "chargeplan_waitlist_length",
        "Drivers on the site's waitlist now, waiting or holding a port",
        waitlist,
    );
    Ok(registry)
}

/// Poll lag and errors of every vendor account the exchange polls.
fn register_vendor_polls(registry: &mut Registry, state: &AppState, now: DateTime<Utc>) {
    let lag = Family::<Labels, Gauge>::default();
    let consecutive = Family::<Labels, Gauge>::default();
    let errors = Family::<Labels, Counter>::default();
    for (vendor, status) in poll_statuses(state) {
        let labels = vec![("vendor", vendor.to_string())];
        if let Some(seconds) = status.lag_s(now) {
            lag.get_or_create(&labels).set(seconds);
        }
        consecutive
            .get_or_create(&labels)
            .set(i64::from(status.consecutive_errors));
        errors.get_or_create(&labels).inc_by(status.total_errors);
    }
    registry.register_with_unit(
        "chargeplan_vendor_poll_lag",
        "Seconds since the vendor account's last successful session poll (absent before the \
         first one)",
        Unit::Seconds,
        lag,
    );
    registry.register(
        "chargeplan_vendor_poll_consecutive_errors",
        "Failed session polls of the vendor account since its last successful one",
        consecutive,
    );
    registry.register(
        "chargeplan_vendor_poll_errors",
        "Failed session polls of the vendor account since the server started",
        errors,
    );
}

/// A copy of each vendor account's poll status (none where no exchange runs).
pub(crate) fn poll_statuses(state: &AppState) -> Vec<(VendorAccountId, PollStatus)> {
    let Some(statuses) = &state.vendor_polls else {
        return Vec::new();
    };
    let statuses = statuses.lock().unwrap_or_else(PoisonError::into_inner);
    statuses
        .iter()
        .map(|(vendor, status)| (vendor.clone(), copy(status)))
        .collect()
}

fn copy(status: &Mutex<PollStatus>) -> PollStatus {
    status
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// What sets a site's caps at one instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CapsNow<'a> {
    pub(crate) scheduled: &'a [ScheduledCap],
    pub(crate) overrides: &'a [CapOverride],
    pub(crate) time_zone: Tz,
    pub(crate) at: DateTime<Utc>,
}

/// One circuit's effective cap and the power measured under it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CircuitLoad {
    pub(crate) circuit: CircuitId,
    pub(crate) cap_kw: f64,
    /// Last measured power of the open sessions on the ports of this circuit and every
    /// circuit below it.
    pub(crate) measured_kw: f64,
}

impl CircuitLoad {
    /// What the circuit can still carry now (negative when it is over its cap).
    pub(crate) fn headroom_kw(&self) -> f64 {
        self.cap_kw - self.measured_kw
    }
}

/// Every circuit of `tree` with its effective cap at `caps.at` and the measured power of the
/// open `sessions` on `ports` under it. A session counts against its port's circuit and each
/// circuit above it; sessions without a known port, and ended ones, count nowhere.
pub(crate) fn circuit_loads(
    tree: &CircuitTree,
    caps: &CapsNow<'_>,
    ports: &[Port],
    sessions: &[Session],
) -> Vec<CircuitLoad> {
    let circuit_of: HashMap<_, _> = ports
        .iter()
        .map(|port| (&port.id, &port.circuit_id))
        .collect();
    let mut measured: HashMap<&CircuitId, f64> = HashMap::new();
    for session in sessions.iter().filter(|s| !s.status.is_final()) {
        let Some(circuit) = session.port_id.as_ref().and_then(|id| circuit_of.get(id)) else {
            continue;
        };
        for id in tree.ancestors_inclusive(circuit) {
            *measured.entry(id).or_default() += session.power.get();
        }
    }
    tree.circuits()
        .iter()
        .map(|circuit| CircuitLoad {
            circuit: circuit.id.clone(),
            cap_kw: effective_cap(
                circuit,
                caps.scheduled,
                caps.overrides,
                caps.time_zone,
                caps.at,
            )
            .get(),
            measured_kw: measured.get(&circuit.id).copied().unwrap_or(0.0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{
        Circuit, Kilowatts, Phases, PortId, SessionId, SessionStatus, SiteId, VendorRef,
    };
    use chrono::{Duration, TimeZone};

    use super::*;

    fn kw(v: f64) -> Kilowatts {
        Kilowatts::new(v).expect("kW")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
            .single()
            .expect("time")
    }

    fn site() -> SiteId {
        SiteId::parse("s1").expect("id")
    }

    fn cid(id: &str) -> CircuitId {
        CircuitId::parse(id).expect("id")
    }

    /// `main` (150 kW) feeding `panel` (40 kW).
    fn tree() -> CircuitTree {
        CircuitTree::new(vec![
            Circuit::new(cid("main"), site(), "Main", None, kw(150.0)).expect("circuit"),
            Circuit::new(cid("panel"), site(), "Panel", Some(cid("main")), kw(40.0))
                .expect("circuit"),
        ])
        .expect("tree")
    }

    fn port(id: &str, circuit: &str) -> Port {
        Port::new(
            PortId::parse(id).expect("id"),
            site(),
            cid(circuit),
            VendorRef::new(vendor(), "LOC1", id, "1").expect("ref"),
            kw(11.0),
            Phases::One,
            240.0,
            true,
        )
        .expect("port")
    }

    fn vendor() -> VendorAccountId {
        VendorAccountId::parse("cpo-1").expect("id")
    }

    fn session(port: Option<&str>, power_kw: f64, status: SessionStatus) -> Session {
        Session {
            id: SessionId::generate(),
            site_id: site(),
            vendor_account: vendor(),
            vendor_session_id: format!("v-{port:?}-{power_kw}"),
            port_id: port.map(|p| PortId::parse(p).expect("id")),
            token_uid: None,
            started_at: now() - Duration::hours(1),
            ended_at: None,
            energy: chargeplan_core::KilowattHours::new(1.0).expect("kWh"),
            power: kw(power_kw),
            status,
            vendor_updated_at: now(),
        }
    }

    fn loads(overrides: &[CapOverride], sessions: &[Session]) -> HashMap<String, CircuitLoad> {
        let ports = [port("p1", "main"), port("p2", "panel"), port("p3", "panel")];
        let caps = CapsNow {
            scheduled: &[],
            overrides,
            time_zone: chrono_tz::America::Los_Angeles,
            at: now(),
        };
        circuit_loads(&tree(), &caps, &ports, sessions)
            .into_iter()
            .map(|load| (load.circuit.to_string(), load))
            .collect()
    }

    #[test]
    fn a_sub_circuits_sessions_count_against_it_and_every_circuit_above() {
        let sessions = [
            session(Some("p1"), 10.0, SessionStatus::Active),
            session(Some("p2"), 7.0, SessionStatus::Active),
            session(Some("p3"), 5.5, SessionStatus::Active),
        ];

        let loads = loads(&[], &sessions);

        assert_eq!(loads.len(), 2);
        assert_eq!(loads["main"].cap_kw, 150.0);
        assert!((loads["main"].measured_kw - 22.5).abs() < 1e-9);
        assert!((loads["main"].headroom_kw() - 127.5).abs() < 1e-9);
        assert_eq!(loads["panel"].cap_kw, 40.0);
        assert!((loads["panel"].measured_kw - 12.5).abs() < 1e-9);
        assert!((loads["panel"].headroom_kw() - 27.5).abs() < 1e-9);
    }

    #[test]
    fn sessions_without_a_known_port_and_ended_ones_count_nowhere() {
        let sessions = [
            session(None, 9.0, SessionStatus::Active),
            session(Some("elsewhere"), 9.0, SessionStatus::Active),
            session(Some("p2"), 9.0, SessionStatus::Completed),
        ];

        let loads = loads(&[], &sessions);

        assert_eq!(loads["main"].measured_kw, 0.0);
        assert_eq!(loads["panel"].headroom_kw(), 40.0);
    }

    #[test]
    fn an_active_override_lowers_the_cap_and_the_headroom_and_others_do_not() {
        let sessions = [session(Some("p2"), 7.0, SessionStatus::Active)];
        let lowered = CapOverride::new(
            cid("panel"),
            kw(20.0),
            now() - Duration::minutes(5),
            now() + Duration::hours(1),
            "demand response",
        )
        .expect("override");
        let expired = CapOverride::new(
            cid("main"),
            kw(50.0),
            now() - Duration::hours(2),
            now() - Duration::hours(1),
            "",
        )
        .expect("override");
        let later = CapOverride::new(
            cid("main"),
            kw(60.0),
            now() + Duration::hours(1),
            now() + Duration::hours(2),
            "",
        )
        .expect("override");

        let loads = loads(&[lowered, expired, later], &sessions);

        assert_eq!(loads["panel"].cap_kw, 20.0);
        assert!((loads["panel"].headroom_kw() - 13.0).abs() < 1e-9);
        assert_eq!(loads["main"].cap_kw, 150.0);
        assert!((loads["main"].headroom_kw() - 143.0).abs() < 1e-9);
    }
}
