//! Per-site gauges of control: sessions not under our control and the power held for them,
//! and whether the dispatch-time worst case exceeds a cap (with the violation, for the
//! dashboard's alert). Set by the site's worker at each plan and dispatch.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use chargeplan_core::SiteId;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Label of the per-site gauges.
type SiteLabel = [(&'static str, String); 1];

/// The per-site control gauges. Cheap to clone: clones share the series.
#[derive(Debug, Clone, Default)]
pub struct SiteGauges {
    /// Open sessions left out of the plan (refused or unknown limit) or on ports that take
    /// no profiles.
    not_under_control: Family<SiteLabel, Gauge>,
    /// kW held for every port we do not control.
    reserved_kw: Family<SiteLabel, Gauge<f64, AtomicU64>>,
    /// 1 while the dispatch-time worst case exceeds a cap.
    over_cap: Family<SiteLabel, Gauge>,
    /// Episodes of a worst case over a cap.
    over_cap_episodes: Family<SiteLabel, Counter>,
    /// The violation of each site whose worst case is over a cap now.
    violations: Arc<Mutex<HashMap<SiteId, String>>>,
    /// kW the latest plan keeps free at the service for cars arriving before their first limit.
    arrival_headroom_kw: Family<SiteLabel, Gauge<f64, AtomicU64>>,
    /// The billing period's peak so far, as the latest plan priced it.
    billed_peak_kw: Family<SiteLabel, Gauge<f64, AtomicU64>>,
}

impl SiteGauges {
    /// Registers the series in `registry`.
    pub(crate) fn register(&self, registry: &mut Registry) {
        registry.register(
            "chargeplan_sessions_not_under_control",
            "Open sessions per site not under our control: their limit was refused or its \
             outcome is unknown, or their port takes no profiles; each counts at its port's \
             maximum",
            self.not_under_control.clone(),
        );
        registry.register(
            "chargeplan_reserved_for_uncontrolled_kw",
            "kW per site held for ports not under our control (plugged in or not, for ports \
             that take no profiles), in the latest plan",
            self.reserved_kw.clone(),
        );
        registry.register(
            "chargeplan_arrival_headroom_kw",
            "kW per site the latest plan keeps free at the service (its root circuits) for cars \
             that arrive before their first limit (driver.arrival_headroom)",
            self.arrival_headroom_kw.clone(),
        );
        registry.register(
            "chargeplan_billed_peak_kw",
            "The highest 5-minute average load measured at each site in its current billing \
             period, which the latest plan's demand charge is priced above",
            self.billed_peak_kw.clone(),
        );
        registry.register(
            "chargeplan_worst_case_over_cap",
            "1 while a site's dispatch-time worst case (new limits plus every port not under \
             control at its maximum) exceeds a circuit's cap, so only decreases go out",
            self.over_cap.clone(),
        );
        registry.register(
            "chargeplan_worst_case_over_cap_episodes",
            "Times a site's dispatch-time worst case went over a cap",
            self.over_cap_episodes.clone(),
        );
    }

    /// Records the latest plan's view of what is not under control at `site`.
    pub fn set_uncontrolled(&self, site: &SiteId, sessions: usize, reserved_kw: f64) {
        let label = label(site);
        self.not_under_control
            .get_or_create(&label)
            .set(i64::try_from(sessions).unwrap_or(i64::MAX));
        self.reserved_kw.get_or_create(&label).set(reserved_kw);
    }

    /// Records what the latest plan of `site` kept free for arrivals and the billed peak it
    /// priced the demand charge above.
    pub fn set_plan_reserves(&self, site: &SiteId, arrival_headroom_kw: f64, billed_peak_kw: f64) {
        let label = label(site);
        self.arrival_headroom_kw
            .get_or_create(&label)
            .set(arrival_headroom_kw);
        self.billed_peak_kw
            .get_or_create(&label)
            .set(billed_peak_kw);
    }

    /// Records the dispatch-time worst case of `site`: `Some(violation)` when it exceeds a
    /// cap. Returns true when this starts an episode (the caller logs it once).
    pub fn set_worst_case(&self, site: &SiteId, violation: Option<String>) -> bool {
        let label = label(site);
        let mut violations = self
            .violations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match violation {
            Some(violation) => {
                let started = violations.insert(site.clone(), violation).is_none();
                self.over_cap.get_or_create(&label).set(1);
                if started {
                    self.over_cap_episodes.get_or_create(&label).inc();
                }
                started
            }
            None => {
                self.over_cap.get_or_create(&label).set(0);
                violations.remove(site);
                false
            }
        }
    }

    /// The violation of `site`'s worst case, while it exceeds a cap.
    pub fn worst_case_over_cap(&self, site: &SiteId) -> Option<String> {
        self.violations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(site)
            .cloned()
    }

    /// Sessions not under control at `site`, as last set.
    pub fn not_under_control(&self, site: &SiteId) -> i64 {
        self.not_under_control.get_or_create(&label(site)).get()
    }

    /// kW the latest plan of `site` kept free at the service for arrivals, as last set.
    pub fn arrival_headroom_kw(&self, site: &SiteId) -> f64 {
        self.arrival_headroom_kw.get_or_create(&label(site)).get()
    }

    /// The billed peak the latest plan of `site` priced the demand charge above, as last set.
    pub fn billed_peak_kw(&self, site: &SiteId) -> f64 {
        self.billed_peak_kw.get_or_create(&label(site)).get()
    }

    /// kW reserved at `site`, as last set.
    pub fn reserved_kw(&self, site: &SiteId) -> f64 {
        self.reserved_kw.get_or_create(&label(site)).get()
    }
}

fn label(site: &SiteId) -> SiteLabel {
    [("site", site.as_str().to_owned())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_episode_over_the_cap_starts_once_and_ends_when_the_worst_case_fits() {
        let gauges = SiteGauges::default();
        let site = SiteId::parse("s1").expect("id");

        let first = gauges.set_worst_case(&site, Some("main at 16:00: 40 kW > 32 kW".into()));
        let again = gauges.set_worst_case(&site, Some("main at 16:05: 41 kW > 32 kW".into()));
        let shown = gauges.worst_case_over_cap(&site);
        let ended = gauges.set_worst_case(&site, None);

        assert!(first && !again && !ended);
        assert_eq!(shown.as_deref(), Some("main at 16:05: 41 kW > 32 kW"));
        assert_eq!(gauges.worst_case_over_cap(&site), None);
        assert_eq!(
            gauges.over_cap_episodes.get_or_create(&label(&site)).get(),
            1
        );
    }

    #[test]
    fn the_plans_reserves_are_exported_per_site() {
        let gauges = SiteGauges::default();
        let mut registry = Registry::default();
        gauges.register(&mut registry);
        let site = SiteId::parse("s1").expect("id");

        gauges.set_plan_reserves(&site, 6.656, 28.5);

        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).expect("encoded");
        assert!(
            text.contains("chargeplan_arrival_headroom_kw{site=\"s1\"} 6.656"),
            "{text}"
        );
        assert!(
            text.contains("chargeplan_billed_peak_kw{site=\"s1\"} 28.5"),
            "{text}"
        );
    }
}
