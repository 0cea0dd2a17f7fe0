//! The hindsight optimum: every session known in advance (arrival, departure, the energy its
//! car took), solved by the optimizer's LP with arrivals, in independent pieces — groups of
//! sessions whose stays overlap, which no cap couples to any other group, so the pieces are
//! exact. Stays are widened to whole metering slots, which makes it an upper bound on what any
//! policy can deliver without a slot-average cap violation.

use chargeplan_optimizer as opt;
use chrono::{DateTime, Duration, Utc};

use crate::sessions::Recorded;
use crate::site::SiteModel;

/// The offline optimum.
#[derive(Debug, Clone)]
pub struct Hindsight {
    /// Energy per recorded session, kWh (same order as given).
    pub delivered_kwh: Vec<f64>,
    /// Site power per slot of the optimum, from the plans: (slot start, circuit index, kWh).
    pub drawn: Vec<(DateTime<Utc>, String, f64)>,
    /// LP pieces solved.
    pub pieces: usize,
    /// Wall time of each piece, ms.
    pub solve_ms: Vec<f64>,
}

fn floor(at: DateTime<Utc>, slot_s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp().div_euclid(slot_s) * slot_s, 0).unwrap_or(at)
}

fn ceil(at: DateTime<Utc>, slot_s: i64) -> DateTime<Utc> {
    let f = floor(at, slot_s);
    if f == at {
        f
    } else {
        f + Duration::seconds(slot_s)
    }
}

/// Solves the hindsight optimum of `sessions` at `site`.
///
/// # Errors
/// When the optimizer refuses a piece.
pub fn solve(site: &SiteModel, sessions: &[Recorded]) -> Result<Hindsight, opt::ProblemError> {
    let slot_minutes = site.site.slot_minutes.get();
    let slot_s = i64::from(slot_minutes) * 60;
    let mut order: Vec<usize> = (0..sessions.len()).collect();
    order.sort_by_key(|&i| sessions[i].arrival);
    let mut pieces: Vec<Vec<usize>> = Vec::new();
    let mut end = DateTime::<Utc>::MIN_UTC;
    for i in order {
        let s = &sessions[i];
        if floor(s.arrival, slot_s) >= end || pieces.is_empty() {
            pieces.push(Vec::new());
        }
        end = end.max(ceil(s.departure, slot_s));
        if let Some(piece) = pieces.last_mut() {
            piece.push(i);
        }
    }
    let circuits: Vec<opt::Circuit> = site
        .circuits
        .iter()
        .map(|c| opt::Circuit {
            id: c.id.as_str().to_owned(),
            parent: c.parent.as_ref().map(|p| p.as_str().to_owned()),
            cap_kw: c.cap.get(),
            cap_kw_by_slot: None,
            fixed_load_kw: None,
            fixed_load_kw_by_slot: None,
        })
        .collect();
    let mut out = Hindsight {
        delivered_kwh: vec![0.0; sessions.len()],
        drawn: Vec::new(),
        pieces: pieces.len(),
        solve_ms: Vec::new(),
    };
    for piece in pieces {
        let start = piece
            .iter()
            .map(|&i| floor(sessions[i].arrival, slot_s))
            .min()
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let last = piece
            .iter()
            .map(|&i| ceil(sessions[i].departure, slot_s))
            .max()
            .unwrap_or(start);
        let slots = usize::try_from((last - start).num_seconds() / slot_s)
            .unwrap_or(1)
            .max(1);
        let problem = opt::Problem {
            start,
            slot_minutes,
            horizon_slots: Some(slots),
            circuits: circuits.clone(),
            sessions: piece
                .iter()
                .map(|&i| {
                    let s = &sessions[i];
                    let port = &site.ports[site.station_port[&s.station_id]];
                    opt::Session {
                        id: format!("h-{i}"),
                        circuit: port.circuit_id.as_str().to_owned(),
                        max_kw: port.max_power.get().min(site.car_max_kw),
                        min_kw: None,
                        steps_kw: None,
                        energy_kwh: s.delivered_kwh,
                        departure: ceil(s.departure, slot_s),
                        arrival: Some(floor(s.arrival, slot_s)),
                    }
                })
                .collect(),
            tariff: None,
        };
        let plan = opt::optimize(&problem)?;
        out.solve_ms.push(plan.stats.solve_ms);
        let dt_h = f64::from(slot_minutes) / 60.0;
        for (&i, planned) in piece.iter().zip(&plan.sessions) {
            out.delivered_kwh[i] = planned.energy_kwh;
            let circuit = &problem
                .sessions
                .iter()
                .find(|s| s.id == planned.id)
                .map(|s| s.circuit.clone())
                .unwrap_or_default();
            for (t, kw) in planned.power_kw.iter().enumerate() {
                if *kw > 0.0 {
                    let at = start + Duration::seconds(slot_s * t as i64);
                    out.drawn.push((at, circuit.clone(), kw * dt_h));
                }
            }
        }
    }
    Ok(out)
}
