//! When a site's worker should not plan: a site that cannot be planned yet (no circuits, or
//! no ports) is a state, shown once in the log, in `/metrics` and on the handle; a pass that
//! keeps failing for any other reason is retried with exponential backoff.

use std::time::Duration;

use chargeplan_core::SiteId;
use chargeplan_store::StoreError;
use chargeplan_store::prelude::*;

/// Why a site cannot be planned yet. Not an error: the operator has not finished setting the
/// site up, and the worker waits for it quietly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPlannable {
    /// The site has no circuit, so there is no cap to plan under.
    NoCircuits,
    /// The site has circuits but no charging port, so there is nothing to plan.
    NoPorts,
}

impl NotPlannable {
    /// The value of the `site.not_plannable` log field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoCircuits => "no_circuits",
            Self::NoPorts => "no_ports",
        }
    }
}

impl std::fmt::Display for NotPlannable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NoCircuits => "the site has no circuits yet",
            Self::NoPorts => "the site has no charging ports yet",
        })
    }
}

/// Why the site cannot be planned now, or `None` when it can.
pub(crate) async fn not_plannable(
    store: &dyn Store,
    site: &SiteId,
) -> Result<Option<NotPlannable>, StoreError> {
    if store.list_circuits(site).await?.is_empty() {
        return Ok(Some(NotPlannable::NoCircuits));
    }
    if store.list_ports(site).await?.is_empty() {
        return Ok(Some(NotPlannable::NoPorts));
    }
    Ok(None)
}

/// Waits between failed passes: `base`, doubling with each failure in a row, at most `max`.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    base: Duration,
    max: Duration,
    /// Failed passes in a row.
    failures: u32,
}

impl Backoff {
    pub(crate) fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            failures: 0,
        }
    }

    /// Counts one more failure and returns how long to wait before the next automatic pass.
    pub(crate) fn failed(&mut self) -> Duration {
        let exponent = self.failures.min(31);
        self.failures = self.failures.saturating_add(1);
        self.base
            .checked_mul(1 << exponent)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// A pass succeeded: the next failure waits `base` again.
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_one_second_to_the_cap_and_a_success_resets_it() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));

        let waits: Vec<u64> = (0..11).map(|_| backoff.failed().as_secs()).collect();
        backoff.reset();

        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff.failed().as_secs(), 1);
        for _ in 0..100 {
            backoff.failed();
        }
        assert_eq!(backoff.failed().as_secs(), 300);
    }

    #[test]
    fn each_state_has_a_log_value_and_a_sentence() {
        assert_eq!(NotPlannable::NoCircuits.as_str(), "no_circuits");
        assert_eq!(NotPlannable::NoPorts.as_str(), "no_ports");
        assert_eq!(
            NotPlannable::NoCircuits.to_string(),
            "the site has no circuits yet"
        );
    }
}
