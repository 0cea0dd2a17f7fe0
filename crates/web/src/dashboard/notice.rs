//! The sentences the overview shows: after a cap change ("Cap of Main set to 40 kW; new plan
//! computed at 14:05."), and while the site cannot be planned yet (no circuits or no ports).
//! The redirect leaves a one-time cookie ([`super::flash`]) naming only which change, which
//! circuit and which plan; the sentence is rebuilt from the store, so a crafted cookie
//! cannot put words on the page.

use chargeplan_control::NotPlannable;
use chargeplan_core::PlanId;
use serde::{Deserialize, Serialize};

use super::format::{clock_time, kw_attr};
use super::load::SiteState;
use crate::AppState;

/// What the operator changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    StaticCap,
    Override,
    OverridesEnded,
    /// "End overrides" when there was none.
    NoOverride,
}

impl Change {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::StaticCap => "cap",
            Self::Override => "override",
            Self::OverridesEnded => "overrides-ended",
            Self::NoOverride => "no-override",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::StaticCap,
            Self::Override,
            Self::OverridesEnded,
            Self::NoOverride,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// The change just made, as the flash cookie carries it.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct ChangeQuery {
    pub(crate) changed: Option<String>,
    pub(crate) circuit: Option<String>,
    pub(crate) plan: Option<String>,
}

/// The sentence for `query`, if it names a change of a circuit of this site.
pub(crate) async fn describe(
    app: &AppState,
    state: &SiteState,
    query: &ChangeQuery,
) -> Option<String> {
    let change = Change::parse(query.changed.as_deref()?)?;
    let circuit = state.circuit(query.circuit.as_deref()?)?;
    let tz = state.site.time_zone;
    let plan_time = match query.plan.as_deref().and_then(|id| PlanId::parse(id).ok()) {
        Some(id) => app
            .store
            .get_plan(&id)
            .await
            .ok()
            .filter(|plan| plan.site_id == state.site.id)
            .map(|plan| clock_time(plan.created_at, tz)),
        None => None,
    };
    let planned = match plan_time {
        Some(at) => format!("new plan computed at {at}."),
        None => "the new plan is still being computed.".to_owned(),
    };
    let name = &circuit.name;
    Some(match change {
        Change::StaticCap => format!(
            "Cap of {name} set to {} kW; {planned}",
            kw_attr(circuit.cap.get())
        ),
        Change::Override => {
            let newest = state
                .overrides
                .iter()
                .filter(|o| o.circuit_id == circuit.id && o.expires_at > state.now)
                .max_by_key(|o| o.starts_at);
            match newest {
                Some(o) => format!(
                    "Override of {name} set to {} kW until {}; {planned}",
                    kw_attr(o.cap.get()),
                    clock_time(o.expires_at, tz)
                ),
                None => format!("Override of {name} added; {planned}"),
            }
        }
        Change::OverridesEnded => format!("Overrides of {name} ended; {planned}"),
        Change::NoOverride => format!("{name} had no override to end."),
    })
}

/// Why the control loop does not plan the site yet, by the same rule as its workers (no
/// circuits; or circuits but no ports), as a sentence for the operator.
pub(crate) fn not_plannable(state: &SiteState) -> Option<&'static str> {
    let reason = if state.circuits.is_empty() {
        NotPlannable::NoCircuits
    } else if state.ports.is_empty() {
        NotPlannable::NoPorts
    } else {
        return None;
    };
    Some(match reason {
        NotPlannable::NoCircuits => {
            "Not planned yet: this site has no circuits. Add its circuits and ports to have its \
             charging planned."
        }
        NotPlannable::NoPorts => {
            "Not planned yet: this site has no charging ports. Map the vendor's ports onto its \
             circuits to have its charging planned."
        }
    })
}
