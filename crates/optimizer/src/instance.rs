//! Validation of a [`Problem`] and its normalized form: slot windows, per-slot caps and loads.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::error::ProblemError;
use crate::problem::Problem;

/// Longest default horizon: 24 h.
const MAX_DEFAULT_HORIZON_MIN: i64 = 24 * 60;

/// A circuit with everything expanded to one value per slot.
#[derive(Debug, Clone)]
pub(crate) struct CircuitIx {
    /// Parent index, `None` for a root.
    pub parent: Option<usize>,
    /// Cap per slot, kW.
    pub cap: Vec<f64>,
    /// Fixed load of this circuit and all its descendants per slot, kW.
    pub fixed_subtree: Vec<f64>,
}

/// A session with its window in slots and its capped need.
#[derive(Debug, Clone)]
pub(crate) struct SessionIx {
    /// The circuit it hangs on and all ancestors, leaf first.
    pub path: Vec<usize>,
    /// Maximum power, kW.
    pub max_kw: f64,
    /// Minimum nonzero power, kW (0 = none).
    pub min_kw: f64,
    /// Allowed nonzero levels, ascending, all in `[min_kw, max_kw]`; empty = continuous.
    pub steps: Vec<f64>,
    /// Remaining need, kWh.
    pub need: f64,
    /// First slot of the window.
    pub lo: usize,
    /// One past the last slot of the window (`lo <= hi`).
    pub hi: usize,
}

impl SessionIx {
    /// What the session could take alone at full power over its window, kWh.
    pub fn alone_kwh(&self, dt: f64) -> f64 {
        self.max_kw * dt * (self.hi - self.lo) as f64
    }

    /// The need as counted for fairness: at most what it could take alone.
    pub fn capped_need(&self, dt: f64) -> f64 {
        self.need.min(self.alone_kwh(dt))
    }
}

/// A validated problem, normalized for the model.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    /// Number of slots.
    pub horizon: usize,
    /// Slot length in hours.
    pub dt: f64,
    /// Circuits in problem order.
    pub circuits: Vec<CircuitIx>,
    /// Sessions in problem order.
    pub sessions: Vec<SessionIx>,
    /// Energy price per slot, per kWh.
    pub price: Vec<f64>,
    /// Demand charge per kW above `billed_peak`.
    pub demand_charge: f64,
    /// Peak already billed, kW.
    pub billed_peak: f64,
    /// Fixed load of the whole site per slot, kW.
    pub site_fixed: Vec<f64>,
}

/// Fails unless `v` is finite and not negative.
fn nonneg(field: impl FnOnce() -> String, v: f64) -> Result<f64, ProblemError> {
    if v.is_nan() {
        Err(ProblemError::invalid(field(), "is NaN"))
    } else if !v.is_finite() {
        Err(ProblemError::invalid(field(), "is not finite"))
    } else if v < 0.0 {
        Err(ProblemError::invalid(field(), "is negative"))
    } else {
        Ok(v)
    }
}

/// Expands a by-slot array with scalar fallback to `horizon` values, validating each.
fn by_slot(
    field: &str,
    arr: Option<&Vec<f64>>,
    scalar: f64,
    horizon: usize,
    allow_negative: bool,
) -> Result<Vec<f64>, ProblemError> {
    let arr = arr.map(Vec::as_slice).unwrap_or(&[]);
    if arr.len() > horizon {
        return Err(ProblemError::invalid(
            field,
            format!(
                "has {} entries but the horizon has {horizon} slots",
                arr.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(horizon);
    for (t, &v) in arr.iter().enumerate() {
        if allow_negative && v.is_finite() {
            out.push(v);
        } else {
            out.push(nonneg(|| format!("{field}[{t}]"), v)?);
        }
    }
    out.resize(horizon, scalar);
    Ok(out)
}

/// Number of whole slots from `start` to `at`, rounded up (`up`) or down.
fn slots_until(start: DateTime<Utc>, at: DateTime<Utc>, slot: Duration, up: bool) -> i64 {
    let secs = (at - start).num_milliseconds();
    let len = slot.num_milliseconds();
    if up {
        secs.div_euclid(len) + i64::from(secs.rem_euclid(len) != 0)
    } else {
        secs.div_euclid(len)
    }
}

impl Instance {
    /// Validates `p` and expands it. Every error names the offending field.
    pub fn new(p: &Problem) -> Result<Self, ProblemError> {
        if p.slot_minutes == 0 || p.slot_minutes > 1440 {
            return Err(ProblemError::invalid(
                "slot_minutes",
                "must be between 1 and 1440",
            ));
        }
        let slot = Duration::minutes(i64::from(p.slot_minutes));
        let dt = f64::from(p.slot_minutes) / 60.0;
        for (i, s) in p.sessions.iter().enumerate() {
            if s.departure < p.start {
                return Err(ProblemError::invalid(
                    format!("sessions[{i}].departure"),
                    "is before start",
                ));
            }
            if let Some(a) = s.arrival
                && a > s.departure
            {
                return Err(ProblemError::invalid(
                    format!("sessions[{i}].arrival"),
                    "is after departure",
                ));
            }
        }
        let horizon = match p.horizon_slots {
            Some(0) => return Err(ProblemError::invalid("horizon_slots", "must be positive")),
            Some(h) if h > 100_000 => {
                return Err(ProblemError::invalid("horizon_slots", "is too large"));
            }
            Some(h) => h,
            None => {
                let cap = MAX_DEFAULT_HORIZON_MIN / i64::from(p.slot_minutes);
                let last = p
                    .sessions
                    .iter()
                    .map(|s| slots_until(p.start, s.departure, slot, true))
                    .max()
                    .unwrap_or(1);
                usize::try_from(last.clamp(1, cap.max(1))).unwrap_or(1)
            }
        };

        let circuits = Self::circuits(p, horizon)?;
        let index: HashMap<&str, usize> = p
            .circuits
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut site_fixed = vec![0.0; horizon];
        for (c, ci) in p.circuits.iter().zip(&circuits) {
            if c.parent.is_none() {
                for (s, f) in site_fixed.iter_mut().zip(&ci.fixed_subtree) {
                    *s += f;
                }
            }
        }

        let mut seen = HashMap::new();
        let mut sessions = Vec::with_capacity(p.sessions.len());
        for (i, s) in p.sessions.iter().enumerate() {
            let f = |name: &str| format!("sessions[{i}].{name}");
            if let Some(j) = seen.insert(s.id.as_str(), i) {
                return Err(ProblemError::invalid(
                    f("id"),
                    format!("duplicates sessions[{j}].id"),
                ));
            }
            let Some(&leaf) = index.get(s.circuit.as_str()) else {
                return Err(ProblemError::invalid(
                    f("circuit"),
                    format!("unknown circuit {:?}", s.circuit),
                ));
            };
            let max_kw = nonneg(|| f("max_kw"), s.max_kw)?;
            let need = nonneg(|| f("energy_kwh"), s.energy_kwh)?;
            let min_kw = nonneg(|| f("min_kw"), s.min_kw.unwrap_or(0.0))?;
            if min_kw > max_kw {
                return Err(ProblemError::invalid(f("min_kw"), "exceeds max_kw"));
            }
            let mut steps = Vec::new();
            if let Some(st) = &s.steps_kw {
                for (k, &v) in st.iter().enumerate() {
                    let v = nonneg(|| format!("sessions[{i}].steps_kw[{k}]"), v)?;
                    if k > 0 && v <= st[k - 1] {
                        return Err(ProblemError::invalid(
                            format!("sessions[{i}].steps_kw[{k}]"),
                            "is not above the previous step",
                        ));
                    }
                    if v > 0.0 && v >= min_kw && v <= max_kw {
                        steps.push(v);
                    }
                }
            }
            let lo = s
                .arrival
                .map_or(0, |a| slots_until(p.start, a, slot, true).max(0));
            let hi = slots_until(p.start, s.departure, slot, false);
            let clamp = |v: i64| usize::try_from(v.max(0)).unwrap_or(0).min(horizon);
            let (lo, mut hi) = (clamp(lo), clamp(hi));
            if s.steps_kw.is_some() && steps.is_empty() {
                hi = lo;
            }
            let mut path = vec![leaf];
            let mut cur = leaf;
            while let Some(par) = circuits[cur].parent {
                path.push(par);
                cur = par;
            }
            sessions.push(SessionIx {
                path,
                max_kw,
                min_kw,
                steps,
                need,
                lo,
                hi: hi.max(lo),
            });
        }

        let (price, demand_charge, billed_peak) = match &p.tariff {
            None => (vec![0.0; horizon], 0.0, 0.0),
            Some(tf) => {
                let last = tf.energy_price_per_kwh_by_slot.last().copied();
                let scalar = tf.energy_price_per_kwh.or(last).unwrap_or(0.0);
                if !scalar.is_finite() {
                    return Err(ProblemError::invalid(
                        "tariff.energy_price_per_kwh",
                        "is not finite",
                    ));
                }
                (
                    by_slot(
                        "tariff.energy_price_per_kwh_by_slot",
                        Some(&tf.energy_price_per_kwh_by_slot),
                        scalar,
                        horizon,
                        true,
                    )?,
                    nonneg(
                        || "tariff.demand_charge_per_kw".into(),
                        tf.demand_charge_per_kw,
                    )?,
                    nonneg(|| "tariff.billed_peak_kw".into(), tf.billed_peak_kw)?,
                )
            }
        };
        Ok(Self {
            horizon,
            dt,
            circuits,
            sessions,
            price,
            demand_charge,
            billed_peak,
            site_fixed,
        })
    }

    /// Validates the circuit tree (unique ids, known parents, no cycle) and expands it.
    fn circuits(p: &Problem, horizon: usize) -> Result<Vec<CircuitIx>, ProblemError> {
        let mut index = HashMap::new();
        for (i, c) in p.circuits.iter().enumerate() {
            if let Some(j) = index.insert(c.id.as_str(), i) {
                return Err(ProblemError::invalid(
                    format!("circuits[{i}].id"),
                    format!("duplicates circuits[{j}].id"),
                ));
            }
        }
        let mut out = Vec::with_capacity(p.circuits.len());
        for (i, c) in p.circuits.iter().enumerate() {
            let f = |name: &str| format!("circuits[{i}].{name}");
            let parent = match &c.parent {
                None => None,
                Some(pid) => Some(*index.get(pid.as_str()).ok_or_else(|| {
                    ProblemError::invalid(f("parent"), format!("unknown circuit {pid:?}"))
                })?),
            };
            let cap_kw = nonneg(|| f("cap_kw"), c.cap_kw)?;
            let fixed_kw = nonneg(|| f("fixed_load_kw"), c.fixed_load_kw.unwrap_or(0.0))?;
            let cap = by_slot(
                &f("cap_kw_by_slot"),
                c.cap_kw_by_slot.as_ref(),
                cap_kw,
                horizon,
                false,
            )?;
            let fixed = by_slot(
                &f("fixed_load_kw_by_slot"),
                c.fixed_load_kw_by_slot.as_ref(),
                fixed_kw,
                horizon,
                false,
            )?;
            out.push(CircuitIx {
                parent,
                cap,
                fixed_subtree: fixed,
            });
        }
        // Cycle check: walking up from any circuit must reach a root within n steps.
        let n = out.len();
        for i in 0..n {
            let mut cur = i;
            for _ in 0..=n {
                match out[cur].parent {
                    Some(par) => cur = par,
                    None => break,
                }
            }
            if out[cur].parent.is_some() {
                return Err(ProblemError::invalid(
                    format!("circuits[{i}].parent"),
                    "forms a cycle in the circuit tree",
                ));
            }
        }
        // Fixed load of each circuit counts in every ancestor.
        let own: Vec<Vec<f64>> = out.iter().map(|c| c.fixed_subtree.clone()).collect();
        for (i, own) in own.iter().enumerate() {
            let mut cur = out[i].parent;
            while let Some(par) = cur {
                for (a, b) in out[par].fixed_subtree.iter_mut().zip(own) {
                    *a += b;
                }
                cur = out[par].parent;
            }
        }
        Ok(out)
    }
}
