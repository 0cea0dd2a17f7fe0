#![doc = include_str!("../README.md")]

pub mod baselines;
pub mod bays;
pub mod churn;
pub mod engine;
pub mod fleet;
pub mod hindsight;
pub mod meter;
pub mod plot;
pub mod policy;
pub mod report;
pub mod server_side;
pub mod sessions;
pub mod site;

use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};

pub use fleet::Battery;
pub use policy::{Info, Policy};
pub use report::PolicyReport;
pub use sessions::{BadRow, Recorded};
pub use site::SiteModel;

use baselines::Baseline;
use engine::RunOptions;
use server_side::Planner;

/// A delivered energy counts as serving the session at this share of what it could get.
const SERVED_SHARE: f64 = 0.99;

/// One replay: a site, the sessions of the period, and how drivers and cars behave.
#[derive(Debug, Clone)]
pub struct Replay {
    pub site: SiteModel,
    /// Sessions arriving within the period, on stations of the site, sorted by arrival.
    pub sessions: Vec<Recorded>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub info: Info,
    pub battery: Battery,
    /// Print a line per policy to stderr as each simulated day ends.
    pub progress: bool,
}

/// Why a replay cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{0}")]
    Replan(#[from] server_side::ReplanError),
    #[error("the hindsight optimum could not be solved: {0}")]
    Hindsight(chargeplan_optimizer::ProblemError),
    #[error("no session arrives between {0} and {1}")]
    NoSessions(NaiveDate, NaiveDate),
    #[error(
        "line {line}: station `{station}` is not a port of the site (give --skip-bad-rows to skip such rows)"
    )]
    UnknownStation { line: usize, station: String },
    #[error("a policy's run stopped: {0}")]
    Panicked(String),
}

/// The instant local midnight of `day` at the site.
fn midnight(site: &SiteModel, day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    naive
        .and_local_timezone(site.site.time_zone)
        .earliest()
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

/// The sessions arriving from `from` to `to` (both whole local days) on stations of `site`;
/// sessions on other stations are an error unless `skip_unknown`, then reported.
///
/// # Errors
/// [`ReplayError::UnknownStation`] naming the row, or [`ReplayError::NoSessions`].
pub fn select(
    site: &SiteModel,
    all: &[Recorded],
    from: NaiveDate,
    to: NaiveDate,
    skip_unknown: bool,
) -> Result<(Vec<Recorded>, Vec<BadRow>), ReplayError> {
    let begin = midnight(site, from);
    let end = midnight(site, to.succ_opt().unwrap_or(to));
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for s in all.iter().filter(|s| s.arrival >= begin && s.arrival < end) {
        if site.station_port.contains_key(&s.station_id) {
            chosen.push(s.clone());
        } else if skip_unknown {
            skipped.push(BadRow {
                line: s.line,
                reason: format!("station `{}` is not a port of the site", s.station_id),
            });
        } else {
            return Err(ReplayError::UnknownStation {
                line: s.line,
                station: s.station_id.clone(),
            });
        }
    }
    if chosen.is_empty() {
        return Err(ReplayError::NoSessions(from, to));
    }
    chosen.sort_by_key(|s| s.arrival);
    Ok((chosen, skipped))
}

impl Replay {
    /// What the server is told each session needs.
    fn told_kwh(&self, s: &Recorded) -> f64 {
        match self.info {
            Info::Perfect => s.delivered_kwh,
            Info::Declared => s.requested_kwh,
        }
    }

    /// Runs every policy (in parallel, one thread each) and reports them in the order given.
    ///
    /// # Errors
    /// The first policy that failed, or the hindsight optimum.
    pub fn run(&self, policies: &[Policy]) -> Result<Vec<PolicyReport>, ReplayError> {
        let started = Instant::now();
        let optimum =
            hindsight::solve(&self.site, &self.sessions).map_err(ReplayError::Hindsight)?;
        let hindsight_wall = started.elapsed().as_secs_f64();
        let hindsight_kwh: f64 = optimum.delivered_kwh.iter().sum();
        let results: Vec<Result<PolicyReport, ReplayError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = policies
                .iter()
                .map(|&policy| {
                    let optimum = &optimum;
                    scope
                        .spawn(move || self.run_one(policy, optimum, hindsight_kwh, hindsight_wall))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(ReplayError::Panicked("a thread panicked".into())))
                })
                .collect()
        });
        results.into_iter().collect()
    }

    fn run_one(
        &self,
        policy: Policy,
        optimum: &hindsight::Hindsight,
        hindsight_kwh: f64,
        hindsight_wall: f64,
    ) -> Result<PolicyReport, ReplayError> {
        let started = Instant::now();
        let planner = match policy {
            Policy::Uncontrolled | Policy::Hindsight => None,
            Policy::RoundRobin => Some(Planner::Baseline(Baseline::RoundRobin)),
            Policy::Edf => Some(Planner::Baseline(Baseline::Edf)),
            Policy::Llf => Some(Planner::Baseline(Baseline::Llf)),
            Policy::Optimal => Some(Planner::Optimizer),
        };
        let (run, wall_s) = if policy == Policy::Hindsight {
            let mut meter = meter::Meter::new(
                self.sessions
                    .first()
                    .map_or(DateTime::UNIX_EPOCH, |s| s.arrival),
                self.site.site.slot_minutes.get(),
                &self.site.circuits,
            );
            for (at, circuit, kwh) in &optimum.drawn {
                if let Some(c) = meter.circuit_index(circuit) {
                    meter.add(c, *at, *kwh);
                }
            }
            let run = engine::Run {
                delivered_kwh: optimum.delivered_kwh.clone(),
                meter,
                solve_ms: optimum.solve_ms.clone(),
                held_back: 0,
                churn: Vec::new(),
                deferred: 0,
                deferred_without_news: 0,
                line: None,
            };
            (run, hindsight_wall)
        } else {
            let run = engine::run(
                &self.site,
                &self.sessions,
                RunOptions {
                    planner,
                    info: self.info,
                    battery: self.battery,
                    progress: self.progress.then(|| policy.as_str()),
                    bays: None,
                },
            )?;
            (run, started.elapsed().as_secs_f64())
        };
        let (delivered, meter, solve_ms) = (&run.delivered_kwh, &run.meter, &run.solve_ms);
        let readout = meter.readout(self.site.tariff.as_ref(), self.site.site.time_zone);
        let energy_delivered_kwh: f64 = delivered.iter().sum();
        let served = self
            .sessions
            .iter()
            .zip(delivered)
            .filter(|(s, got)| **got + 1e-6 >= SERVED_SHARE * self.told_kwh(s).min(s.delivered_kwh))
            .count();
        Ok(PolicyReport {
            policy: policy.as_str().to_owned(),
            info: self.info.as_str().to_owned(),
            battery: self.battery.as_str().to_owned(),
            pilots: "continuous".to_owned(),
            cap_kw: self.site.service_cap_kw(),
            from: self.from.to_string(),
            to: self.to.to_string(),
            sessions: self.sessions.len(),
            energy_requested_kwh: self.sessions.iter().map(|s| self.told_kwh(s)).sum(),
            energy_delivered_kwh,
            fraction_of_hindsight: if hindsight_kwh > 0.0 {
                energy_delivered_kwh / hindsight_kwh
            } else {
                1.0
            },
            sessions_fully_served: served,
            peak_kw: readout.peak_kw,
            energy_cost: readout.energy_cost,
            demand_charge: readout.demand_charge,
            cap_violations: readout.cap_violations,
            cap_violation_kwh: readout.cap_violation_kwh,
            solves: solve_ms.len(),
            solve_ms_p50: report::quantile(solve_ms, 0.5),
            solve_ms_p99: report::quantile(solve_ms, 0.99),
            wall_s,
            held_back: run.held_back,
            plan_churn_p50: report::quantile(&run.churn, 0.5),
            plan_churn_p90: report::quantile(&run.churn, 0.9),
            promises_deferred: run.deferred,
            promises_deferred_without_news: run.deferred_without_news,
            hindsight_kwh,
            site_load: meter.site_kw(),
        })
    }
}
