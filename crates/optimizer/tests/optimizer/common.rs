//! Shared test helpers: an independent plan checker and an independent max-flow energy bound.

use chargeplan_optimizer::{Plan, Problem};
use chrono::Duration;

/// Cap tolerance required by the spec, kW.
pub const CAP_TOL_KW: f64 = 1e-6;

/// Per-slot value of a by-slot array with scalar fallback.
fn slot_value(arr: Option<&Vec<f64>>, scalar: f64, t: usize) -> f64 {
    arr.and_then(|a| a.get(t).copied()).unwrap_or(scalar)
}

/// Whether circuit `k` is `c` or an ancestor of it.
fn is_under<'a>(p: &'a Problem, mut c: &'a str, k: &str) -> bool {
    loop {
        if c == k {
            return true;
        }
        match p
            .circuits
            .iter()
            .find(|x| x.id == c)
            .and_then(|x| x.parent.as_deref())
        {
            Some(par) => c = par,
            None => return false,
        }
    }
}

/// Checks every hard rule of the spec on `plan`, recomputing everything from the problem.
/// Returns a description of the first violation.
pub fn check_plan(p: &Problem, plan: &Plan) -> Result<(), String> {
    let h = plan.horizon_slots;
    let slot = Duration::minutes(i64::from(p.slot_minutes));
    let dt = f64::from(p.slot_minutes) / 60.0;
    if plan.sessions.len() != p.sessions.len() {
        return Err("session count".into());
    }
    for (s, sp) in p.sessions.iter().zip(&plan.sessions) {
        if sp.power_kw.len() != h {
            return Err(format!(
                "{}: power_kw has {} entries",
                s.id,
                sp.power_kw.len()
            ));
        }
        let mut energy = 0.0;
        for (t, &v) in sp.power_kw.iter().enumerate() {
            let begin = p.start + slot * i32::try_from(t).map_err(|e| e.to_string())?;
            let end = begin + slot;
            let inside = s.arrival.is_none_or(|a| begin >= a) && end <= s.departure;
            if v.is_nan() || v < 0.0 {
                return Err(format!("{} slot {t}: power {v} negative or NaN", s.id));
            }
            if v > 0.0 && !inside {
                return Err(format!("{} slot {t}: power {v} outside its window", s.id));
            }
            if v > s.max_kw + 1e-9 {
                return Err(format!("{} slot {t}: power {v} above max_kw", s.id));
            }
            if v > 0.0 && v < s.min_kw.unwrap_or(0.0) - 1e-9 {
                return Err(format!("{} slot {t}: power {v} below min_kw", s.id));
            }
            if let Some(steps) = &s.steps_kw
                && v > 0.0
                && !steps.iter().any(|&l| (l - v).abs() < 1e-9)
            {
                return Err(format!("{} slot {t}: power {v} not a step", s.id));
            }
            energy += v * dt;
        }
        if energy > s.energy_kwh + 1e-6 {
            return Err(format!(
                "{}: energy {energy} beyond need {}",
                s.id, s.energy_kwh
            ));
        }
        if (energy - sp.energy_kwh).abs() > 1e-6 {
            return Err(format!("{}: reported energy differs", s.id));
        }
    }
    for (ci, c) in p.circuits.iter().enumerate() {
        for t in 0..h {
            let mut load = 0.0;
            let mut fixed = 0.0;
            for c2 in &p.circuits {
                if is_under(p, &c2.id, &c.id) {
                    fixed += slot_value(
                        c2.fixed_load_kw_by_slot.as_ref(),
                        c2.fixed_load_kw.unwrap_or(0.0),
                        t,
                    );
                }
            }
            for (s, sp) in p.sessions.iter().zip(&plan.sessions) {
                if is_under(p, &s.circuit, &c.id) {
                    load += sp.power_kw[t];
                }
            }
            let cap = slot_value(c.cap_kw_by_slot.as_ref(), c.cap_kw, t);
            // When the fixed load alone exceeds the cap, no controlled power may be added.
            if load + fixed > cap.max(fixed) + CAP_TOL_KW {
                return Err(format!(
                    "circuit {} slot {t}: load {} + fixed {fixed} over cap {cap}",
                    c.id, load
                ));
            }
            if (plan.circuits[ci].load_kw[t] - (load + fixed)).abs() > 1e-6 {
                return Err(format!("circuit {} slot {t}: reported load differs", c.id));
            }
        }
    }
    Ok(())
}

/// Maximum energy (kWh) for sessions under one cap, by max-flow (Edmonds–Karp) on
/// source → session (need / dt) → slot in window (max_kw) → sink (cap − fixed).
/// `sessions` are `(lo, hi, max_kw, need_kwh)` with windows in slots.
pub fn max_flow_energy(cap: &[f64], sessions: &[(usize, usize, f64, f64)], dt: f64) -> f64 {
    let n = sessions.len();
    let h = cap.len();
    let (src, sink) = (0, n + h + 1);
    let size = n + h + 2;
    let mut res = vec![vec![0.0f64; size]; size];
    for (i, &(lo, hi, max_kw, need)) in sessions.iter().enumerate() {
        res[src][1 + i] = need / dt;
        for t in lo..hi.min(h) {
            res[1 + i][1 + n + t] = max_kw;
        }
    }
    for (t, &c) in cap.iter().enumerate() {
        res[1 + n + t][sink] = c.max(0.0);
    }
    let mut flow = 0.0;
    loop {
        let mut prev = vec![usize::MAX; size];
        prev[src] = src;
        let mut queue = std::collections::VecDeque::from([src]);
        while let Some(u) = queue.pop_front() {
            for v in 0..size {
                if prev[v] == usize::MAX && res[u][v] > 1e-12 {
                    prev[v] = u;
                    queue.push_back(v);
                }
            }
        }
        if prev[sink] == usize::MAX {
            return flow * dt;
        }
        let mut push = f64::INFINITY;
        let mut v = sink;
        while v != src {
            push = push.min(res[prev[v]][v]);
            v = prev[v];
        }
        let mut v = sink;
        while v != src {
            res[prev[v]][v] -= push;
            res[v][prev[v]] += push;
            v = prev[v];
        }
        flow += push;
    }
}

/// Loads a bundled fixture problem.
pub fn fixture(name: &str) -> Problem {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
