//! Synthetic problems for benchmarks and tests: n sessions × T slots on a 3-level circuit tree
//! (site → 4 feeders → 16 pods) with time-of-use prices and a demand charge. Deterministic for
//! a given seed (own SplitMix64, no dependency).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::problem::{Circuit, Problem, Session, Tariff};

/// SplitMix64: tiny, fast, good enough to spread sessions around.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// Next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// Feeders under the site.
const FEEDERS: usize = 4;
/// Pods under each feeder.
const PODS: usize = 4;
/// Slot length of synthetic problems, minutes.
const SLOT_MIN: u32 = 5;

/// The synthetic start time: midnight UTC, 2024-01-01.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// An oversubscribed site with `n` sessions over `slots` 5-minute slots: pods sized for half
/// their ports at full power, the site for a third, a lower site cap in the evening, a base
/// load, TOU prices (evening peak) and a demand charge above a billed peak.
pub fn synthetic(n: usize, slots: usize, seed: u64) -> Problem {
    let mut rng = Rng(seed);
    let per_pod = (n as f64 / (FEEDERS * PODS) as f64).max(1.0);
    let pod_cap = (per_pod * 7.0 * 0.5).max(7.0);
    let feeder_cap = pod_cap * PODS as f64 * 0.8;
    let site_cap = feeder_cap * FEEDERS as f64 * 0.8;
    let hour = |t: usize| (t * SLOT_MIN as usize / 60) % 24;
    let evening = |t: usize| (17..21).contains(&hour(t));
    let mut circuits = vec![Circuit {
        id: "site".into(),
        parent: None,
        cap_kw: site_cap,
        cap_kw_by_slot: Some(
            (0..slots)
                .map(|t| if evening(t) { site_cap * 0.8 } else { site_cap })
                .collect(),
        ),
        fixed_load_kw: None,
        fixed_load_kw_by_slot: Some(
            (0..slots)
                .map(|t| site_cap * (0.1 + 0.05 * (t as f64 / 20.0).sin()))
                .collect(),
        ),
    }];
    for f in 0..FEEDERS {
        circuits.push(Circuit {
            id: format!("feeder-{f}"),
            parent: Some("site".into()),
            cap_kw: feeder_cap,
            cap_kw_by_slot: None,
            fixed_load_kw: None,
            fixed_load_kw_by_slot: None,
        });
        for p in 0..PODS {
            circuits.push(Circuit {
                id: format!("pod-{f}-{p}"),
                parent: Some(format!("feeder-{f}")),
                cap_kw: pod_cap,
                cap_kw_by_slot: None,
                fixed_load_kw: None,
                fixed_load_kw_by_slot: None,
            });
        }
    }
    let t0 = start();
    let slot = Duration::minutes(i64::from(SLOT_MIN));
    let at = |t: f64| t0 + Duration::seconds((t * slot.num_seconds() as f64) as i64);
    let per_hour = 60.0 / f64::from(SLOT_MIN);
    let sessions = (0..n)
        .map(|i| {
            let arrive = rng.range(0.0, slots as f64 * 0.7);
            let stay = rng.range(2.0 * per_hour, 10.0 * per_hour);
            let depart = (arrive + stay).min(slots as f64);
            let max_kw = [6.6, 7.2, 11.0, 3.3][(rng.next() % 4) as usize];
            Session {
                id: format!("s{i}"),
                circuit: format!("pod-{}-{}", i % FEEDERS, (i / FEEDERS) % PODS),
                max_kw,
                min_kw: rng.next().is_multiple_of(2).then_some(1.25),
                steps_kw: None,
                energy_kwh: rng.range(5.0, 40.0).round(),
                departure: at(depart),
                arrival: Some(at(arrive)),
            }
        })
        .collect();
    let price = (0..slots)
        .map(|t| match hour(t) {
            16..=20 => 0.30,
            7..=10 => 0.20,
            _ => 0.12,
        })
        .collect();
    Problem {
        start: t0,
        slot_minutes: SLOT_MIN,
        horizon_slots: Some(slots),
        circuits,
        sessions,
        tariff: Some(Tariff {
            energy_price_per_kwh_by_slot: price,
            energy_price_per_kwh: Some(0.12),
            demand_charge_per_kw: 15.0,
            billed_peak_kw: site_cap * 0.3,
        }),
    }
}
