//! Electrical circuits of a site as a tree, and the power caps that apply to them over time.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{MAX_NAME_CHARS, ValueError, trimmed_text};
use crate::ids::{CircuitId, SiteId};
use crate::units::Kilowatts;
pub use crate::window::{LocalWindow, WeekdaySet};

/// Longest accepted [`CapOverride`], from start to expiry.
pub const MAX_OVERRIDE_DAYS: i64 = 7;

/// Longest accepted reason of an override, in characters after trimming.
pub const MAX_OVERRIDE_REASON_CHARS: usize = 200;

/// A circuit (service, panel, breaker or feeder) with a static power rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Circuit {
    /// Stable identifier.
    pub id: CircuitId,
    /// The site this circuit belongs to.
    pub site_id: SiteId,
    /// Display name, 1 to 200 characters.
    pub name: String,
    /// The circuit this one is fed from; `None` for the site's root (the service).
    pub parent: Option<CircuitId>,
    /// Static rating: the power the circuit may carry at any time (> 0).
    pub cap: Kilowatts,
}

impl Circuit {
    /// Validates a circuit: name trimmed, 1 to 200 characters; `cap` greater than zero.
    pub fn new(
        id: CircuitId,
        site_id: SiteId,
        name: &str,
        parent: Option<CircuitId>,
        cap: Kilowatts,
    ) -> Result<Self, ValueError> {
        let name = trimmed_text("name", name, 1, MAX_NAME_CHARS)?;
        if cap.get() <= 0.0 {
            return Err(ValueError::invalid("cap_kw", "must be greater than 0 kW"));
        }
        Ok(Self {
            id,
            site_id,
            name,
            parent,
            cap,
        })
    }
}

/// The validated circuit tree of one site: exactly one root, unique ids, every parent
/// known, no cycles, all circuits on the same site.
///
/// Serialized as the plain list of circuits; deserializing re-validates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Circuit>", into = "Vec<Circuit>")]
pub struct CircuitTree {
    /// The circuits in the order given; `circuits[root]` is the root.
    circuits: Vec<Circuit>,
    /// Position of each circuit in `circuits`, for lookups by id.
    index: HashMap<CircuitId, usize>,
    /// Position of the root in `circuits`.
    root: usize,
}

impl CircuitTree {
    /// Validates `circuits` as one site's tree.
    pub fn new(circuits: Vec<Circuit>) -> Result<Self, ValueError> {
        let Some(first) = circuits.first() else {
            return Err(ValueError::invalid(
                "circuits",
                "a site needs at least one circuit",
            ));
        };
        if let Some(c) = circuits.iter().find(|c| c.site_id != first.site_id) {
            return Err(ValueError::invalid(
                "site_id",
                format!(
                    "circuit '{}' belongs to site '{}', not '{}'",
                    c.id, c.site_id, first.site_id
                ),
            ));
        }
        let mut index = HashMap::with_capacity(circuits.len());
        for (i, c) in circuits.iter().enumerate() {
            if index.insert(c.id.clone(), i).is_some() {
                return Err(ValueError::invalid(
                    "circuit_id",
                    format!("circuit '{}' is listed twice", c.id),
                ));
            }
        }
        for c in &circuits {
            if let Some(p) = &c.parent
                && !index.contains_key(p)
            {
                return Err(ValueError::invalid(
                    "parent",
                    format!("unknown circuit '{p}'"),
                ));
            }
        }
        Self::check_acyclic(&circuits, &index)?;
        let roots: Vec<usize> = (0..circuits.len())
            .filter(|&i| circuits[i].parent.is_none())
            .collect();
        let root = match roots.as_slice() {
            [r] => *r,
            [] => {
                return Err(ValueError::invalid(
                    "parent",
                    "no root circuit: exactly one circuit (the site's service) must have no parent",
                ));
            }
            [a, b, ..] => {
                return Err(ValueError::invalid(
                    "parent",
                    format!(
                        "circuits '{}' and '{}' both have no parent; exactly one root circuit is allowed",
                        circuits[*a].id, circuits[*b].id
                    ),
                ));
            }
        };
        Ok(Self {
            circuits,
            index,
            root,
        })
    }

    /// Follows parent links from every circuit; revisiting a circuit means a cycle.
    fn check_acyclic(
        circuits: &[Circuit],
        index: &HashMap<CircuitId, usize>,
    ) -> Result<(), ValueError> {
        // Circuits already proven to lead to a root.
        let mut grounded: HashSet<usize> = HashSet::new();
        for start in 0..circuits.len() {
            let mut path: Vec<usize> = Vec::new();
            let mut on_path: HashSet<usize> = HashSet::new();
            let mut at = Some(start);
            while let Some(i) = at {
                if grounded.contains(&i) {
                    break;
                }
                if !on_path.insert(i) {
                    return Err(ValueError::invalid(
                        "parent",
                        format!("circuit '{}' is its own ancestor", circuits[i].id),
                    ));
                }
                path.push(i);
                at = circuits[i].parent.as_ref().map(|p| index[p]);
            }
            grounded.extend(path);
        }
        Ok(())
    }

    /// The root circuit (the site's service).
    pub fn root(&self) -> &Circuit {
        &self.circuits[self.root]
    }

    /// The circuit with this id, if it is in the tree.
    pub fn get(&self, id: &CircuitId) -> Option<&Circuit> {
        self.index.get(id).map(|&i| &self.circuits[i])
    }

    /// The circuits fed directly from `id`, in the order given.
    pub fn children(&self, id: &CircuitId) -> Vec<&Circuit> {
        self.circuits
            .iter()
            .filter(|c| c.parent.as_ref() == Some(id))
            .collect()
    }

    /// `id` itself, then its parent, and so on up to the root. Empty if `id` is unknown.
    pub fn ancestors_inclusive(&self, id: &CircuitId) -> Vec<&CircuitId> {
        let mut out = Vec::new();
        let mut at = self.get(id);
        while let Some(c) = at {
            out.push(&c.id);
            at = c.parent.as_ref().and_then(|p| self.get(p));
        }
        out
    }

    /// All circuits, in the order given.
    pub fn circuits(&self) -> &[Circuit] {
        &self.circuits
    }
}

impl TryFrom<Vec<Circuit>> for CircuitTree {
    type Error = ValueError;

    fn try_from(circuits: Vec<Circuit>) -> Result<Self, ValueError> {
        Self::new(circuits)
    }
}

impl From<CircuitTree> for Vec<Circuit> {
    fn from(tree: CircuitTree) -> Self {
        tree.circuits
    }
}

/// A weekly recurring cap on a circuit, e.g. 50 kW on weekdays 17:00–21:00 (peak hours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledCap {
    /// The circuit it limits.
    pub circuit_id: CircuitId,
    /// When it applies, in site local time.
    pub window: LocalWindow,
    /// The cap while the window is active.
    pub cap: Kilowatts,
}

/// An immediate, temporary cap set by an operator (e.g. a utility demand-response event),
/// active on `[starts_at, expires_at)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapOverride {
    /// The circuit it limits.
    pub circuit_id: CircuitId,
    /// The cap while active.
    pub cap: Kilowatts,
    /// First instant it applies.
    pub starts_at: DateTime<Utc>,
    /// First instant it no longer applies.
    pub expires_at: DateTime<Utc>,
    /// Why, for the operator log (at most 200 characters, may be empty).
    pub reason: String,
}

impl CapOverride {
    /// Validates an override: it must end after it starts, last at most 7 days, and its
    /// reason (trimmed) must have at most 200 characters.
    pub fn new(
        circuit_id: CircuitId,
        cap: Kilowatts,
        starts_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        reason: &str,
    ) -> Result<Self, ValueError> {
        if expires_at <= starts_at {
            return Err(ValueError::invalid("expires_at", "must be after starts_at"));
        }
        if expires_at - starts_at > Duration::days(MAX_OVERRIDE_DAYS) {
            return Err(ValueError::invalid(
                "expires_at",
                format!("an override can last at most {MAX_OVERRIDE_DAYS} days"),
            ));
        }
        let reason = trimmed_text("reason", reason, 0, MAX_OVERRIDE_REASON_CHARS)?;
        Ok(Self {
            circuit_id,
            cap,
            starts_at,
            expires_at,
            reason,
        })
    }

    /// Whether the override applies at `at`.
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.expires_at
    }
}

/// The cap of `circuit` at the instant `at`: the minimum of its static rating and every
/// scheduled cap and override OF THAT CIRCUIT active at `at` (entries for other circuits
/// are ignored, so callers may pass a whole site's lists).
///
/// A scheduled cap or an override can only lower the circuit's limit, never raise it above
/// the static rating: the rating protects the hardware.
pub fn effective_cap(
    circuit: &Circuit,
    scheduled: &[ScheduledCap],
    overrides: &[CapOverride],
    tz: Tz,
    at: DateTime<Utc>,
) -> Kilowatts {
    let from_schedule = scheduled
        .iter()
        .filter(|s| s.circuit_id == circuit.id && s.window.contains(tz, at))
        .map(|s| s.cap);
    let from_overrides = overrides
        .iter()
        .filter(|o| o.circuit_id == circuit.id && o.is_active(at))
        .map(|o| o.cap);
    from_schedule
        .chain(from_overrides)
        .fold(circuit.cap, |min, cap| if cap < min { cap } else { min })
}

#[cfg(test)]
mod tests;
