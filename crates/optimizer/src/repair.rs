//! Post-processing of the LP plan: exact cap safety, then the minimum-current / discrete-step
//! repair (lower first, then redistribute within the remaining headroom).
//!
//! Both passes only ever lower a power below what is already cap-safe, or raise it by at most
//! the smallest headroom of every circuit on its path, so no cap is broken by them.

use crate::instance::{Instance, SessionIx};

/// Powers below this are treated as zero, kW.
const ZERO_KW: f64 = 1e-9;

/// Power per session per window slot (index `t - lo`), kW.
pub(crate) type Powers = Vec<Vec<f64>>;

/// Per (circuit, slot) headroom: cap minus fixed load minus planned load, kW.
fn headroom(inst: &Instance, x: &Powers) -> Vec<f64> {
    let h = inst.horizon;
    let mut room = vec![0.0; inst.circuits.len() * h];
    for (k, c) in inst.circuits.iter().enumerate() {
        for t in 0..h {
            room[k * h + t] = (c.cap[t] - c.fixed_subtree[t]).max(0.0);
        }
    }
    for (s, xs) in inst.sessions.iter().zip(x) {
        for (j, &v) in xs.iter().enumerate() {
            for &k in &s.path {
                room[k * h + s.lo + j] -= v;
            }
        }
    }
    room
}

/// Makes the plan exactly cap-safe in floating point: clamps each power to `[0, max_kw]`,
/// scales a session down to its need, and scales down every circuit-slot over its cap.
/// Only lowers powers, so a circuit fixed once stays fixed. Corrects only solver noise.
pub(crate) fn make_safe(inst: &Instance, x: &mut Powers) {
    let dt = inst.dt;
    for (s, xs) in inst.sessions.iter().zip(x.iter_mut()) {
        for v in xs.iter_mut() {
            *v = if *v < ZERO_KW { 0.0 } else { v.min(s.max_kw) };
        }
        let e: f64 = xs.iter().sum::<f64>() * dt;
        if e > s.need {
            let f = s.need / e * (1.0 - 1e-12);
            xs.iter_mut().for_each(|v| *v *= f);
        }
    }
    let h = inst.horizon;
    let room = headroom(inst, x);
    for (kt, &r) in room.iter().enumerate() {
        if r >= 0.0 {
            continue;
        }
        let (k, t) = (kt / h, kt % h);
        let cap = (inst.circuits[k].cap[t] - inst.circuits[k].fixed_subtree[t]).max(0.0);
        let inside = |s: &SessionIx| s.path.contains(&k) && s.lo <= t && t < s.hi;
        let load: f64 = inst
            .sessions
            .iter()
            .zip(x.iter())
            .filter(|(s, _)| inside(s))
            .map(|(s, xs)| xs[t - s.lo])
            .sum();
        if load > cap {
            let f = cap / load * (1.0 - 1e-12);
            for (s, xs) in inst.sessions.iter().zip(x.iter_mut()) {
                if inside(s) {
                    xs[t - s.lo] *= f;
                }
            }
        }
    }
}

/// Whether a session has min-current or step restrictions.
fn restricted(s: &SessionIx) -> bool {
    s.min_kw > 0.0 || !s.steps.is_empty()
}

/// The highest allowed power not above `v` (0, or a level `>= min_kw`, or a step).
fn floor_level(s: &SessionIx, v: f64) -> f64 {
    if v < ZERO_KW {
        return 0.0;
    }
    if !s.steps.is_empty() {
        return s
            .steps
            .iter()
            .rev()
            .find(|&&l| l <= v)
            .copied()
            .unwrap_or(0.0);
    }
    if v < s.min_kw { 0.0 } else { v.min(s.max_kw) }
}

/// The allowed level nearest to `desire` that fits under `limit` (rounding up when that is
/// closer), or the highest allowed level under `limit`.
fn nearest_level(s: &SessionIx, desire: f64, limit: f64) -> f64 {
    let down = floor_level(s, desire.min(limit));
    let up = if !s.steps.is_empty() {
        s.steps.iter().find(|&&l| l >= desire).copied()
    } else {
        Some(desire.max(s.min_kw))
    };
    match up {
        Some(up) if up <= limit && up - desire < desire - down => up,
        _ => down,
    }
}

/// Applies min-current and steps without breaking a cap. Unrestricted sessions keep their LP
/// power. Restricted ones are re-planned slot by slot in time order, largest deficit against
/// their cumulative LP energy first, each at the allowed level nearest its deficit that fits in
/// the headroom left (so a session that got less than its LP share catches up later: nobody is
/// starved by rounding). Then leftover headroom is handed out, least fraction met first, within
/// caps, remaining need and the LP plan's site peak. Returns whether anything changed.
pub(crate) fn repair(inst: &Instance, x: &mut Powers) -> bool {
    let dt = inst.dt;
    let allowed = |s: &SessionIx, v: f64| floor_level(s, v) == v;
    let needed = inst
        .sessions
        .iter()
        .zip(x.iter())
        .any(|(s, xs)| restricted(s) && xs.iter().any(|&v| !allowed(s, v)));
    if !needed {
        return false;
    }
    let h = inst.horizon;
    let lp = x.clone();
    for (s, xs) in inst.sessions.iter().zip(x.iter_mut()) {
        if restricted(s) {
            xs.iter_mut().for_each(|v| *v = 0.0);
        }
    }
    let mut room = headroom(inst, x);
    // Site headroom under the LP plan's peak (or the billed peak), so no new demand charge.
    let mut site: Vec<f64> = inst.site_fixed.clone();
    for (s, xs) in inst.sessions.iter().zip(lp.iter()) {
        for (j, &v) in xs.iter().enumerate() {
            site[s.lo + j] += v;
        }
    }
    let limit = if inst.demand_charge > 0.0 {
        site.iter().copied().fold(inst.billed_peak, f64::max)
    } else {
        f64::INFINITY
    };
    let mut site_room: Vec<f64> = inst.site_fixed.iter().map(|f| limit - f).collect();
    for (s, xs) in inst.sessions.iter().zip(x.iter()) {
        for (j, &v) in xs.iter().enumerate() {
            site_room[s.lo + j] -= v;
        }
    }
    let mut remaining: Vec<f64> = inst.sessions.iter().map(|s| s.need).collect();
    for (r, xs) in remaining.iter_mut().zip(x.iter()) {
        *r -= xs.iter().sum::<f64>() * dt;
    }
    let head = |room: &[f64], site_room: &[f64], s: &SessionIx, t: usize| {
        s.path
            .iter()
            .map(|&k| room[k * h + t])
            .fold(site_room[t], f64::min)
    };

    // Sequential rounding against the cumulative LP energy of each restricted session.
    let mut deficit = vec![0.0; inst.sessions.len()];
    let mut here: Vec<usize> = Vec::new();
    for t in 0..h {
        here.clear();
        here.extend((0..inst.sessions.len()).filter(|&i| {
            let s = &inst.sessions[i];
            restricted(s) && s.lo <= t && t < s.hi
        }));
        for &i in &here {
            deficit[i] += lp[i][t - inst.sessions[i].lo] * dt;
        }
        // Sessions in their last slot first (last chance to get their share), then by deficit.
        let last =
            |i: usize, deficit: &[f64]| inst.sessions[i].hi == t + 1 && deficit[i] > ZERO_KW * dt;
        here.sort_by(|&a, &b| {
            (last(b, &deficit), deficit[b])
                .partial_cmp(&(last(a, &deficit), deficit[a]))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(&b))
        });
        for &i in &here {
            let s = &inst.sessions[i];
            let cap = head(&room, &site_room, s, t)
                .min(s.max_kw)
                .min(remaining[i] / dt);
            let mut want = (deficit[i] / dt).max(0.0);
            if last(i, &deficit) {
                // Round up rather than lose the share entirely.
                want = want.max(s.steps.first().copied().unwrap_or(s.min_kw));
            }
            let v = nearest_level(s, want, cap.max(0.0));
            if v > 0.0 {
                x[i][t - s.lo] = v;
                for &k in &s.path {
                    room[k * h + t] -= v;
                }
                site_room[t] -= v;
                remaining[i] -= v * dt;
                deficit[i] -= v * dt;
            }
        }
    }

    // Hand out what is left, least fraction met first, one slot per session per round.
    let order: Vec<Vec<usize>> = inst
        .sessions
        .iter()
        .map(|s| {
            let mut ts: Vec<usize> = (s.lo..s.hi).collect();
            ts.sort_by(|&a, &b| inst.price[a].total_cmp(&inst.price[b]).then(a.cmp(&b)));
            ts
        })
        .collect();
    let mut active: Vec<usize> = (0..inst.sessions.len())
        .filter(|&i| remaining[i] > 1e-9)
        .collect();
    while !active.is_empty() {
        let frac = |i: usize| {
            let c = inst.sessions[i].capped_need(dt);
            if c > 0.0 { 1.0 - remaining[i] / c } else { 1.0 }
        };
        active.sort_by(|&a, &b| frac(a).total_cmp(&frac(b)).then(a.cmp(&b)));
        let mut next = Vec::with_capacity(active.len());
        for &i in &active {
            let s = &inst.sessions[i];
            let raised = order[i].iter().find_map(|&t| {
                let cur = x[i][t - s.lo];
                let room_here = head(&room, &site_room, s, t)
                    .min(s.max_kw - cur)
                    .min(remaining[i] / dt);
                let level = floor_level(s, cur + room_here.max(0.0));
                (level > cur + ZERO_KW).then_some((t, level - cur))
            });
            if let Some((t, d)) = raised {
                x[i][t - s.lo] += d;
                for &k in &s.path {
                    room[k * h + t] -= d;
                }
                site_room[t] -= d;
                remaining[i] -= d * dt;
                if remaining[i] > 1e-9 {
                    next.push(i);
                }
            }
        }
        active = next;
    }
    top_up_below_minimum(inst, x, &mut room, &mut site_room, &remaining, &order);
    x.iter().zip(&lp).any(|(a, b)| a != b)
}

/// A session whose remaining need is less than one slot at its minimum current cannot take it
/// in a slot of its own; instead move part of a slot it charges in (which stays at or above the
/// minimum) into a free slot run at exactly the minimum. Energy, caps and the site limit hold:
/// the donor slot only goes down and the free slot is raised only within its headroom.
fn top_up_below_minimum(
    inst: &Instance,
    x: &mut Powers,
    room: &mut [f64],
    site_room: &mut [f64],
    remaining: &[f64],
    order: &[Vec<usize>],
) {
    let (h, dt) = (inst.horizon, inst.dt);
    for (i, s) in inst.sessions.iter().enumerate() {
        let short_kw = remaining[i] / dt;
        if !s.steps.is_empty() || s.min_kw <= 0.0 || short_kw <= 1e-9 || short_kw >= s.min_kw {
            continue;
        }
        let shift = s.min_kw - short_kw;
        let donor = (s.lo..s.hi)
            .rev()
            .find(|&t| x[i][t - s.lo] - shift >= s.min_kw);
        let free = order[i].iter().copied().find(|&t| {
            x[i][t - s.lo] == 0.0
                && s.path
                    .iter()
                    .map(|&k| room[k * h + t])
                    .fold(site_room[t], f64::min)
                    >= s.min_kw
        });
        let (Some(a), Some(b)) = (donor, free) else {
            continue;
        };
        x[i][a - s.lo] -= shift;
        x[i][b - s.lo] = s.min_kw;
        for &k in &s.path {
            room[k * h + a] += shift;
            room[k * h + b] -= s.min_kw;
        }
        site_room[a] += shift;
        site_room[b] -= s.min_kw;
    }
}
