//! Property tests on random problems: hard rules always hold; single-cap energy is the max-flow
//! optimum.

use chargeplan_optimizer::{Circuit, Problem, Session, Tariff, optimize};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::common::{check_plan, max_flow_energy};

/// 2024-01-01T00:00Z.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// Raw circuit: parent choice, cap, by-slot caps, fixed load by slot.
type RawCircuit = (usize, f64, Vec<f64>, Vec<f64>);
/// Raw session: circuit choice, max kW, min as a fraction of max, stepped?, need, arrival
/// minute, stay minutes.
type RawSession = (usize, f64, Option<f64>, bool, f64, i64, i64);

/// A circuit strategy for a horizon of `h` slots.
fn raw_circuit(h: usize) -> impl Strategy<Value = RawCircuit> {
    (
        0..8usize,
        0.0..40.0f64,
        vec(0.0..40.0f64, 0..=h),
        vec(0.0..4.0f64, 0..=h),
    )
}

/// A session strategy for a horizon of `minutes`.
fn raw_session(minutes: i64) -> impl Strategy<Value = RawSession> {
    (
        0..8usize,
        0.0..12.0f64,
        option::of(0.0..1.0f64),
        any::<bool>(),
        0.0..60.0f64,
        0..minutes,
        0..minutes,
    )
}

/// Builds a problem from raw parts; `restricted` enables min currents and steps.
fn build(
    slot_minutes: u32,
    h: usize,
    circuits: &[RawCircuit],
    sessions: &[RawSession],
    tariff: Option<(Vec<f64>, f64, f64)>,
    restricted: bool,
) -> Problem {
    let circuits: Vec<Circuit> = circuits
        .iter()
        .enumerate()
        .map(|(k, (par, cap, by_slot, fixed))| Circuit {
            id: format!("c{k}"),
            parent: (k > 0).then(|| format!("c{}", par % k)),
            cap_kw: *cap,
            cap_kw_by_slot: Some(by_slot.clone()),
            fixed_load_kw: None,
            fixed_load_kw_by_slot: Some(fixed.clone()),
        })
        .collect();
    let sessions = sessions
        .iter()
        .enumerate()
        .map(
            |(i, &(c, max_kw, min, stepped, need, arrive, stay))| Session {
                id: format!("s{i}"),
                circuit: format!("c{}", c % circuits.len()),
                max_kw,
                min_kw: if restricted {
                    min.map(|f| f * max_kw)
                } else {
                    None
                },
                steps_kw: (restricted && stepped).then(|| vec![max_kw / 4.0, max_kw / 2.0, max_kw]),
                energy_kwh: need,
                departure: t0() + Duration::minutes(arrive + stay),
                arrival: (arrive > 0).then(|| t0() + Duration::minutes(arrive)),
            },
        )
        .map(|mut s| {
            // Steps below the minimum are never used; keep the rule checkable.
            if let (Some(steps), Some(min)) = (&mut s.steps_kw, s.min_kw) {
                steps.retain(|&l| l >= min);
            }
            s
        })
        .collect();
    Problem {
        start: t0(),
        slot_minutes,
        horizon_slots: Some(h),
        circuits,
        sessions,
        tariff: tariff.map(|(prices, dc, billed)| Tariff {
            energy_price_per_kwh_by_slot: prices,
            energy_price_per_kwh: None,
            demand_charge_per_kw: dc,
            billed_peak_kw: billed,
        }),
    }
}

/// A random problem of up to 5 circuits, 8 sessions and 16 slots; `restricted` enables min
/// currents and steps.
pub fn any_problem(restricted: bool) -> impl Strategy<Value = Problem> {
    (
        prop_oneof![Just(5u32), Just(15u32), Just(60u32)],
        1..16usize,
    )
        .prop_flat_map(move |(m, h)| {
            let minutes = i64::from(m) * h as i64;
            (
                vec(raw_circuit(h), 1..5),
                vec(raw_session(minutes), 0..8),
                option::of((vec(0.0..0.5f64, 0..=h), 0.0..20.0f64, 0.0..30.0f64)),
            )
                .prop_map(move |(c, s, t)| build(m, h, &c, &s, t, restricted))
        })
}

/// Window of a session in slots, computed independently of the crate.
fn window(p: &Problem, s: &Session, h: usize) -> (usize, usize) {
    let len = i64::from(p.slot_minutes) * 60;
    let arrive = s.arrival.map_or(0, |a| (a - p.start).num_seconds());
    let depart = (s.departure - p.start).num_seconds();
    let lo = usize::try_from((arrive + len - 1) / len)
        .unwrap_or(0)
        .min(h);
    let hi = usize::try_from(depart / len).unwrap_or(0).min(h);
    (lo, hi.max(lo))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn no_plan_breaks_a_cap_a_window_a_max_a_need_or_a_minimum(p in any_problem(true)) {
        let plan = optimize(&p).expect("generated problems are valid");
        prop_assert!(check_plan(&p, &plan).is_ok(), "{:?}", check_plan(&p, &plan));
    }

    #[test]
    fn single_cap_energy_equals_the_max_flow_bound(
        (h, circuit, sessions) in (1..16usize).prop_flat_map(|h| (
            Just(h),
            raw_circuit(h),
            vec(raw_session(15 * h as i64), 0..8),
        )),
        tariff in option::of((vec(0.0..0.5f64, 0..=4), 0.0..20.0f64, 0.0..30.0f64)),
    ) {
        let tariff = tariff.map(|(mut prices, dc, b)| { prices.truncate(h); (prices, dc, b) });
        let p = build(15, h, &[circuit], &sessions, tariff, false);
        let plan = optimize(&p).expect("generated problems are valid");
        prop_assert!(check_plan(&p, &plan).is_ok(), "{:?}", check_plan(&p, &plan));
        let c = &p.circuits[0];
        let cap: Vec<f64> = (0..h)
            .map(|t| {
                let cap = c.cap_kw_by_slot.as_ref().and_then(|a| a.get(t).copied()).unwrap_or(c.cap_kw);
                let fixed = c.fixed_load_kw_by_slot.as_ref().and_then(|a| a.get(t).copied()).unwrap_or(0.0);
                cap - fixed
            })
            .collect();
        let flows: Vec<(usize, usize, f64, f64)> = p
            .sessions
            .iter()
            .map(|s| {
                let (lo, hi) = window(&p, s, h);
                (lo, hi, s.max_kw, s.energy_kwh)
            })
            .collect();
        let bound = max_flow_energy(&cap, &flows, 0.25);
        prop_assert!(
            (plan.energy_kwh - bound).abs() <= 1e-5 * bound.max(1.0),
            "plan {} vs max-flow {}", plan.energy_kwh, bound
        );
    }
}
