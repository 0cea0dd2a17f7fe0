//! Prometheus metrics of the control loop: how long the optimizer takes, how re-plans end,
//! what the vendors answered to the charging profiles we dispatched, and how many sites
//! cannot be planned yet.
//!
//! [`ControlMetrics`] owns a `prometheus_client` registry; the web crate's `/metrics` writes
//! it together with the gauges it computes at scrape time ([`ControlMetrics::encode_with`]),
//! so the exposition ends with exactly one `# EOF`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chargeplan_exchange::dispatch::Outcome;
use chargeplan_exchange::outcome::Reason;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::site_gauges::SiteGauges;

/// Upper bounds of the solve-time buckets, in seconds: 1 ms to 30 s.
pub const SOLVE_BUCKETS_S: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Label of `chargeplan_replans_total`: `ok` or `error`.
type OutcomeLabel = [(&'static str, &'static str); 1];
/// Labels of `chargeplan_setpoint_results_total`: the dispatch outcome and why (`none` for an
/// accepted or held-back profile; `http_503`, `timeout`, `reset`, `unreadable_body`,
/// `no_result`, `rejected`, `not_supported`, ... otherwise).
type ResultLabel = [(&'static str, String); 2];
/// Label of the relay counters: what the relay did, or why it refused.
type RelayLabel = [(&'static str, String); 1];

/// Every dispatch outcome with a typical reason, so each series exists (at 0) from the start.
const OUTCOMES: [Outcome; 7] = [
    Outcome::Accepted,
    Outcome::Rejected(Reason::Rejected),
    Outcome::Rejected(Reason::NotSupported),
    Outcome::Unknown(Reason::NoResult),
    Outcome::TooOften,
    Outcome::UnknownSession,
    Outcome::NotSent,
];

/// The control loop's metrics. Cheap to clone: every clone shares one registry.
#[derive(Debug, Clone)]
pub struct ControlMetrics {
    inner: Arc<Metrics>,
}

#[derive(Debug)]
struct Metrics {
    registry: Registry,
    solve_seconds: Histogram,
    /// Observations of `solve_seconds` (the histogram's own count is not public).
    solves: AtomicU64,
    replans: Family<OutcomeLabel, Counter>,
    setpoint_results: Family<ResultLabel, Counter>,
    /// Sites whose worker runs here and that cannot be planned yet (no circuits or ports).
    sites_not_plannable: Gauge,
    relay_messages: Family<RelayLabel, Counter>,
    relay_refusals: Family<RelayLabel, Counter>,
    /// Sessions not under control, kW reserved and worst case over a cap, per site.
    sites: SiteGauges,
}

impl Default for ControlMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ControlMetrics {
    /// A fresh registry with every control metric at zero.
    pub fn new() -> Self {
        let solve_seconds = Histogram::new(SOLVE_BUCKETS_S);
        let replans = Family::<OutcomeLabel, Counter>::default();
        let setpoint_results = Family::<ResultLabel, Counter>::default();
        for outcome in ["ok", "error"] {
            drop(replans.get_or_create(&[("outcome", outcome)]));
        }
        for outcome in OUTCOMES {
            drop(setpoint_results.get_or_create(&result_labels(outcome)));
        }
        let mut registry = Registry::default();
        registry.register_with_unit(
            "chargeplan_solve",
            "Time the optimizer took to solve one re-plan of a site",
            Unit::Seconds,
            solve_seconds.clone(),
        );
        registry.register(
            "chargeplan_replans",
            "Re-plans of a site, by outcome (ok: plan stored; error: the pass failed)",
            replans.clone(),
        );
        registry.register(
            "chargeplan_setpoint_results",
            "Charging profiles dispatched to the vendors, by the outcome known at the end of \
             the dispatch round (accepted, rejected: the vendor refused; unknown: lost on the \
             way) and its reason (HTTP status, timeout, reset, unreadable body, no result, ...)",
            setpoint_results.clone(),
        );
        let sites_not_plannable = Gauge::default();
        registry.register(
            "chargeplan_sites_not_plannable",
            "Sites run by this instance that cannot be planned yet (no circuits or no ports)",
            sites_not_plannable.clone(),
        );
        let relay_messages = Family::<RelayLabel, Counter>::default();
        let relay_refusals = Family::<RelayLabel, Counter>::default();
        registry.register(
            "chargeplan_relay_messages",
            "Texts the relay between waiting drivers and owners handled, by what it did \
             (opened, relayed, relayed:return_time, relayed:ok, shared, blocked, closed, ...)",
            relay_messages.clone(),
        );
        registry.register(
            "chargeplan_relay_refusals",
            "Texts the relay refused, by reason (rate_limited, too_many_open, unknown_code, \
             blocked, unknown_member, void, empty, own_id)",
            relay_refusals.clone(),
        );
        let sites = SiteGauges::default();
        sites.register(&mut registry);
        Self {
            inner: Arc::new(Metrics {
                registry,
                solve_seconds,
                solves: AtomicU64::new(0),
                replans,
                setpoint_results,
                sites_not_plannable,
                relay_messages,
                relay_refusals,
                sites,
            }),
        }
    }

    /// Records one optimizer solve that took `seconds` (whether or not it found a plan).
    pub fn observe_solve(&self, seconds: f64) {
        self.inner.solve_seconds.observe(seconds);
        self.inner.solves.fetch_add(1, Ordering::Relaxed);
    }

    /// How many solves have been observed.
    pub fn solves(&self) -> u64 {
        self.inner.solves.load(Ordering::Relaxed)
    }

    /// Records the end of one re-plan.
    pub fn replan_done(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "error" };
        self.inner
            .replans
            .get_or_create(&[("outcome", outcome)])
            .inc();
    }

    /// Sets how many sites cannot be planned yet.
    pub fn set_sites_not_plannable(&self, sites: usize) {
        self.inner
            .sites_not_plannable
            .set(i64::try_from(sites).unwrap_or(i64::MAX));
    }

    /// How many sites cannot be planned yet.
    pub fn sites_not_plannable(&self) -> i64 {
        self.inner.sites_not_plannable.get()
    }

    /// The per-site control gauges.
    pub fn sites(&self) -> &SiteGauges {
        &self.inner.sites
    }

    /// Records what became of one dispatched charging profile.
    pub fn setpoint_result(&self, outcome: Outcome) {
        self.inner
            .setpoint_results
            .get_or_create(&result_labels(outcome))
            .inc();
    }

    /// Counts one text the relay handled, by its log outcome (`refused:<reason>` counts as a
    /// refusal for that reason).
    pub fn count_relay(&self, outcome: &str) {
        match outcome.strip_prefix("refused:") {
            Some(reason) => self
                .inner
                .relay_refusals
                .get_or_create(&[("reason", reason.to_owned())])
                .inc(),
            None => self
                .inner
                .relay_messages
                .get_or_create(&[("outcome", outcome.to_owned())])
                .inc(),
        };
    }

    /// How many relay texts were counted with this outcome (or refusal reason).
    pub fn relay_count(&self, outcome: &str) -> u64 {
        match outcome.strip_prefix("refused:") {
            Some(reason) => self
                .inner
                .relay_refusals
                .get_or_create(&[("reason", reason.to_owned())])
                .get(),
            None => self
                .inner
                .relay_messages
                .get_or_create(&[("outcome", outcome.to_owned())])
                .get(),
        }
    }

    /// How many profiles ended with `outcome`.
    pub fn setpoint_results(&self, outcome: Outcome) -> u64 {
        self.inner
            .setpoint_results
            .get_or_create(&result_labels(outcome))
            .get()
    }

    /// Writes the control metrics as a complete OpenMetrics text exposition (ending `# EOF`).
    pub fn encode(&self, out: &mut String) -> fmt::Result {
        self.encode_with(&Registry::default(), out)
    }

    /// Writes the control metrics, then the metrics of `more` (e.g. gauges computed at scrape
    /// time), as one OpenMetrics text exposition with a single `# EOF` at the end.
    pub fn encode_with(&self, more: &Registry, out: &mut String) -> fmt::Result {
        encode_registry(out, &self.inner.registry)?;
        encode_registry(out, more)?;
        encode_eof(out)
    }
}

/// The `result` and `reason` label values of a dispatch outcome.
pub fn result_labels(outcome: Outcome) -> ResultLabel {
    let reason = outcome
        .reason()
        .map_or_else(|| "none".to_owned(), Reason::label);
    [("result", outcome.label().to_owned()), ("reason", reason)]
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chargeplan_core::{
        Circuit, CircuitId, Clock, Kilowatts, ManualClock, Phases, Port, PortId, Site, SiteId,
        VendorAccountId, VendorRef,
    };
    use chargeplan_store::StoreTarget;
    use chrono::{TimeZone, Utc};
    use tokio_util::sync::CancellationToken;
    use tokio_util::task::TaskTracker;

    use super::*;
    use crate::ControlConfig;

    #[test]
    fn every_series_exists_from_the_start_and_there_is_one_eof() {
        let metrics = ControlMetrics::new();
        let mut out = String::new();
        metrics.encode(&mut out).expect("encoded");

        assert!(
            out.contains("# TYPE chargeplan_solve_seconds histogram"),
            "{out}"
        );
        assert!(
            out.contains("# UNIT chargeplan_solve_seconds seconds"),
            "{out}"
        );
        assert!(
            out.contains("chargeplan_solve_seconds_bucket{le=\"0.001\"} 0"),
            "{out}"
        );
        assert!(
            out.contains("chargeplan_solve_seconds_bucket{le=\"30.0\"} 0"),
            "{out}"
        );
        assert!(
            out.contains("chargeplan_replans_total{outcome=\"ok\"} 0"),
            "{out}"
        );
        assert!(
            out.contains("# TYPE chargeplan_sites_not_plannable gauge"),
            "{out}"
        );
        assert!(
            out.contains("\nchargeplan_sites_not_plannable 0\n"),
            "{out}"
        );
        assert!(
            out.contains("chargeplan_replans_total{outcome=\"error\"} 0"),
            "{out}"
        );
        for outcome in OUTCOMES {
            let [(_, result), (_, reason)] = result_labels(outcome);
            let line = format!(
                "chargeplan_setpoint_results_total{{result=\"{result}\",reason=\"{reason}\"}} 0"
            );
            assert!(out.contains(&line), "{line} missing in {out}");
        }
        assert_eq!(out.matches("# EOF").count(), 1);
        assert!(out.ends_with("# EOF\n"));
    }

    #[test]
    fn clones_share_the_counts() {
        let metrics = ControlMetrics::new();
        let clone = metrics.clone();
        clone.observe_solve(0.02);
        clone.replan_done(true);
        clone.setpoint_result(Outcome::TooOften);

        assert_eq!(metrics.solves(), 1);
        assert_eq!(metrics.setpoint_results(Outcome::TooOften), 1);
        assert_eq!(metrics.setpoint_results(Outcome::Accepted), 0);
        let mut out = String::new();
        metrics.encode(&mut out).expect("encoded");
        assert!(
            out.contains("chargeplan_solve_seconds_bucket{le=\"0.025\"} 1"),
            "{out}"
        );
        assert!(
            out.contains("chargeplan_solve_seconds_bucket{le=\"0.01\"} 0"),
            "{out}"
        );
        assert!(
            out.contains("chargeplan_replans_total{outcome=\"ok\"} 1"),
            "{out}"
        );
        assert!(
            out.contains(
                "chargeplan_setpoint_results_total{result=\"too_often\",reason=\"none\"} 1"
            ),
            "{out}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replan_observes_one_solve() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrated");
        let t0 = Utc
            .with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
            .single()
            .expect("time");
        let site_id = SiteId::parse("s1").expect("id");
        let site = Site::new(site_id.clone(), "Test Site", "America/Los_Angeles", 5).expect("site");
        store.upsert_site(&site, t0).await.expect("site");
        let circuit = Circuit::new(
            CircuitId::parse("main").expect("id"),
            site_id.clone(),
            "Main",
            None,
            Kilowatts::new(150.0).expect("kW"),
        )
        .expect("circuit");
        store
            .replace_circuits(&site_id, &[circuit], t0)
            .await
            .expect("circuits");
        // A site needs a port to be planned at all.
        let port = Port::new(
            PortId::parse("p1").expect("id"),
            site_id.clone(),
            CircuitId::parse("main").expect("id"),
            VendorRef::new(VendorAccountId::parse("cpo-1").expect("id"), "L", "E", "1")
                .expect("ref"),
            Kilowatts::new(7.0).expect("kW"),
            Phases::One,
            240.0,
            true,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(t0));
        let cancel = CancellationToken::new();
        let control = crate::start(
            store,
            clock,
            ControlConfig::default(),
            &TaskTracker::new(),
            cancel.clone(),
        );
        assert_eq!(control.metrics().solves(), 0);

        control.replan_now(&site_id).await.expect("re-planned");
        cancel.cancel();

        assert_eq!(control.metrics().solves(), 1);
        assert_eq!(control.replans(), 1);
        let mut out = String::new();
        control.metrics().encode(&mut out).expect("encoded");
        assert!(out.contains("chargeplan_solve_seconds_count 1"), "{out}");
        assert!(
            out.contains("chargeplan_replans_total{outcome=\"ok\"} 1"),
            "{out}"
        );
    }
}
