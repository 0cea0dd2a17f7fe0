//! The worst-case check before limits are sent: for every circuit and every instant of the
//! plan, our limits plus every port we cannot vouch for at its maximum (uncontrolled, or with
//! a limit that is pending, refused, failed or unknown) must stay within the circuit's cap.

use std::fmt;

use chargeplan_core::{Circuit, CircuitId, CircuitTree, LimitPeriod, Port};
use chrono::{DateTime, Utc};

/// Float noise and the vendors' rounding of limits to 0.1 W or 0.1 A, in kW.
const TOLERANCE_KW: f64 = 1e-3;

/// The most a port may draw, as far as we know.
#[derive(Debug, Clone, PartialEq)]
pub enum Worst {
    /// Nothing limits it that we know of: its rated maximum.
    AtMax,
    /// An accepted (or about to be sent) schedule of limits; its maximum before `starts_at`.
    Schedule {
        starts_at: DateTime<Utc>,
        periods: Vec<LimitPeriod>,
    },
    /// One of several limits may be in force (an outcome is unknown): the highest of them.
    UpTo(f64),
    /// No car is plugged in.
    Idle,
}

impl Worst {
    /// The most the port may draw at `at`, kW.
    pub fn kw_at(&self, port_max_kw: f64, at: DateTime<Utc>) -> f64 {
        match self {
            Self::AtMax => port_max_kw,
            Self::Idle => 0.0,
            Self::UpTo(kw) => kw.min(port_max_kw),
            Self::Schedule { starts_at, periods } => {
                if at < *starts_at {
                    return port_max_kw;
                }
                let offset = (at - *starts_at).num_seconds();
                periods
                    .iter()
                    .take_while(|p| i64::from(p.start_offset_s) <= offset)
                    .last()
                    .map_or(port_max_kw, |p| p.limit_kw.min(port_max_kw))
            }
        }
    }
}

/// A circuit whose worst case would exceed its cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub circuit: CircuitId,
    pub at: DateTime<Utc>,
    pub worst_kw: f64,
    pub cap_kw: f64,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "circuit {} could draw {:.2} kW at {} against a cap of {:.2} kW",
            self.circuit, self.worst_kw, self.at, self.cap_kw
        )
    }
}

/// The first (circuit, instant) where the worst case of `ports` exceeds the cap, checking
/// every instant in `instants`; `None` when the whole set is safe.
pub fn first_violation(
    tree: &CircuitTree,
    cap_kw: impl Fn(&Circuit, DateTime<Utc>) -> f64,
    ports: &[(Port, Worst)],
    instants: impl IntoIterator<Item = DateTime<Utc>>,
) -> Option<Violation> {
    // The ports under each circuit (at any depth), found once rather than per instant.
    let under: Vec<Vec<usize>> = tree
        .circuits()
        .iter()
        .map(|circuit| {
            (0..ports.len())
                .filter(|&p| {
                    tree.ancestors_inclusive(&ports[p].0.circuit_id)
                        .contains(&&circuit.id)
                })
                .collect()
        })
        .collect();
    for at in instants {
        for (circuit, members) in tree.circuits().iter().zip(&under) {
            let worst_kw: f64 = members
                .iter()
                .map(|&p| {
                    let (port, worst) = &ports[p];
                    worst.kw_at(port.max_power.get(), at)
                })
                .sum();
            let cap = cap_kw(circuit, at);
            if worst_kw > cap + TOLERANCE_KW {
                return Some(Violation {
                    circuit: circuit.id.clone(),
                    at,
                    worst_kw,
                    cap_kw: cap,
                });
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "safety_tests.rs"]
mod tests;
