//! Steadier powers after the LP. At a binding cap the LP splits the power of interchangeable
//! sessions arbitrarily — a vertex, so cars take full power and zero in turns. Sessions on the
//! same circuit path share every cap row, so power can move between them within a slot (their
//! slot total stays) and between slots within a session (its energy stays) without changing
//! any cap row, the site load, the cost, the fairness or the earliness of the LP's optimum.
//!
//! The pass exchanges power between two such sessions over two neighbouring slots: when one
//! draws more in slot `t` than in `t + 1` and the other less, each moves half the smaller
//! difference the other way. Every exchange keeps both slot totals and both energies exactly,
//! keeps each power between its two old values (so within `[0, max_kw]`), and lowers the sum of
//! squared powers: the flapping smooths out in a few rounds. Powers it leaves between zero and a
//! session's minimum current are rounded by the repair as before. (Keeping them out of that
//! range in the pass kept the snapshots' fairness after the repair closer to the LP's but gave
//! the 30 kW replay 68.3 % instead of 74.0 % of hindsight: see docs/PERFORMANCE.md.) (A fitting to the totals from a
//! flat start was tried first: with the maximum-power clipping it stalled on the Caltech
//! snapshots, 0.01 to 0.3 kW off.)

use crate::instance::Instance;
use crate::repair::Powers;

/// Rounds over all neighbouring slot pairs.
const ROUNDS: usize = 60;
/// Differences below this are left alone, kW.
const EPSILON_KW: f64 = 1e-9;

/// Smooths the split of power among sessions on the same circuit path.
pub(crate) fn steady(inst: &Instance, x: &mut Powers) {
    let mut groups: Vec<(&[usize], Vec<usize>)> = Vec::new();
    for (i, s) in inst.sessions.iter().enumerate() {
        if s.hi - s.lo < 2 || x[i].iter().all(|&v| v <= 0.0) {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(path, _)| *path == s.path.as_slice())
        {
            Some((_, members)) => members.push(i),
            None => groups.push((s.path.as_slice(), vec![i])),
        }
    }
    for (_, members) in groups.into_iter().filter(|(_, m)| m.len() >= 2) {
        for _ in 0..ROUNDS {
            if !smooth_round(inst, x, &members) {
                break;
            }
        }
    }
}

/// One round of exchanges over every neighbouring slot pair; whether anything moved.
fn smooth_round(inst: &Instance, x: &mut Powers, members: &[usize]) -> bool {
    let lo = members
        .iter()
        .map(|&i| inst.sessions[i].lo)
        .min()
        .unwrap_or(0);
    let hi = members
        .iter()
        .map(|&i| inst.sessions[i].hi)
        .max()
        .unwrap_or(0);
    let mut moved = false;
    // Sessions present in both slots, with how much more they draw in the first.
    let mut falling: Vec<(usize, f64)> = Vec::new();
    let mut rising: Vec<(usize, f64)> = Vec::new();
    for t in lo..hi.saturating_sub(1) {
        falling.clear();
        rising.clear();
        for &i in members {
            let s = &inst.sessions[i];
            if s.lo <= t && t + 1 < s.hi {
                let d = x[i][t - s.lo] - x[i][t + 1 - s.lo];
                if d > EPSILON_KW {
                    falling.push((i, d));
                } else if d < -EPSILON_KW {
                    rising.push((i, -d));
                }
            }
        }
        let (mut a, mut b) = (0, 0);
        while a < falling.len() && b < rising.len() {
            let (i, di) = falling[a];
            let (j, dj) = rising[b];
            let (si, sj) = (inst.sessions[i].lo, inst.sessions[j].lo);
            let delta = di.min(dj) / 2.0;
            x[i][t - si] -= delta;
            x[i][t + 1 - si] += delta;
            x[j][t - sj] += delta;
            x[j][t + 1 - sj] -= delta;
            moved = true;
            falling[a].1 -= 2.0 * delta;
            rising[b].1 -= 2.0 * delta;
            if falling[a].1 <= EPSILON_KW {
                a += 1;
            }
            if rising[b].1 <= EPSILON_KW {
                b += 1;
            }
        }
    }
    moved
}
