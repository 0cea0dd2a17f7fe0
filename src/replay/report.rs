//! The replay's arithmetic, pure: per-session outcomes in, the report out (requests met, the
//! site's peak from power traces, the hindsight optimum and the ratio), as text or JSON.

use chargeplan_optimizer as opt;
use chrono::{DateTime, Utc};

/// Highest power of a Caltech port (32 A at 208 V), kW.
pub const PORT_KW: f64 = 6.656;
/// A request counts as met at this share of what could be met.
const MET_SHARE: f64 = 0.99;
/// The control loop's slot, minutes.
const SLOT_MINUTES: u32 = 5;
/// Longest horizon `optimizer::hindsight` plans (its default), minutes.
const HINDSIGHT_MAX_MINUTES: i64 = 24 * 60;

/// How one session went.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Our session id.
    pub id: String,
    /// Plug-in and unplug as the store recorded them.
    pub arrival: DateTime<Utc>,
    pub departure: DateTime<Utc>,
    /// The recorded request, kWh.
    pub requested_kwh: f64,
    /// What the simulated car's battery accepts (what it took at Caltech), kWh.
    pub car_kwh: f64,
    /// Energy delivered in the replay, kWh.
    pub delivered_kwh: f64,
    /// The port's lowest non-zero power as the control loop plans it, when below `PORT_KW`.
    pub min_kw: Option<f64>,
}

impl Outcome {
    /// What the car could take over its stay at the port's full power, kWh.
    pub fn physical_kwh(&self) -> f64 {
        let hours = (self.departure - self.arrival).num_milliseconds().max(0) as f64 / 3.6e6;
        PORT_KW * hours
    }

    /// Whether the delivered energy reaches 99 % of min(request, physical limit).
    pub fn met(&self) -> bool {
        self.delivered_kwh >= MET_SHARE * self.requested_kwh.min(self.physical_kwh())
    }
}

/// A session's power over time: from each instant on, this power, until `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub changes: Vec<(DateTime<Utc>, f64)>,
    pub end: DateTime<Utc>,
}

/// The highest sum of the traces' powers at any instant (0 when there is no trace).
pub fn site_peak(traces: &[Trace]) -> f64 {
    let power_at = |trace: &Trace, at: DateTime<Utc>| -> f64 {
        if at >= trace.end {
            return 0.0;
        }
        trace
            .changes
            .iter()
            .take_while(|(from, _)| *from <= at)
            .last()
            .map_or(0.0, |(_, kw)| *kw)
    };
    traces
        .iter()
        .flat_map(|trace| trace.changes.iter().map(|(at, _)| *at))
        .map(|at| traces.iter().map(|trace| power_at(trace, at)).sum::<f64>())
        .fold(0.0, f64::max)
}

/// Where the peak comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeakSource {
    /// The meter samples the vendor reported (power at each charging period's start).
    MeterSamples,
    /// The limits sent to the vendor (an upper bound), when samples were too sparse.
    LimitsSent,
    /// The simulated garage's own total power, sampled every 20 ms of wall time: what the
    /// service really carried.
    Simulator,
}

impl PeakSource {
    fn label(self) -> &'static str {
        match self {
            Self::MeterSamples => "meter samples",
            Self::LimitsSent => "limits sent",
            Self::Simulator => "simulator, sampled",
        }
    }
}

/// The hindsight problem: every session with its arrival, departure and `need`, at the port's
/// power, under one service cap, slots starting at the first arrival.
pub fn hindsight_problem(
    outcomes: &[Outcome],
    cap_kw: f64,
    need: impl Fn(&Outcome) -> f64,
) -> opt::Problem {
    let start = outcomes
        .iter()
        .map(|o| o.arrival)
        .min()
        .map_or_else(Utc::now, |at| {
            DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
        });
    let last = outcomes.iter().map(|o| o.departure).max().unwrap_or(start);
    let slot_s = i64::from(SLOT_MINUTES) * 60;
    let slots = ((last - start).num_seconds() + slot_s - 1) / slot_s;
    // `hindsight` plans at most 24 h; a longer day is planned to its last departure.
    let horizon_slots =
        (slots * slot_s > HINDSIGHT_MAX_MINUTES * 60).then(|| usize::try_from(slots).unwrap_or(1));
    opt::Problem {
        start,
        slot_minutes: SLOT_MINUTES,
        horizon_slots,
        circuits: vec![opt::Circuit {
            id: crate::scenario::SERVICE.to_owned(),
            parent: None,
            cap_kw,
            cap_kw_by_slot: None,
            fixed_load_kw: None,
            fixed_load_kw_by_slot: None,
        }],
        sessions: outcomes
            .iter()
            .map(|o| opt::Session {
                id: o.id.clone(),
                circuit: crate::scenario::SERVICE.to_owned(),
                max_kw: PORT_KW,
                min_kw: o.min_kw,
                steps_kw: None,
                energy_kwh: need(o).max(0.0),
                departure: o.departure,
                arrival: Some(o.arrival),
            })
            .collect(),
        tariff: None,
    }
}

/// `optimizer::hindsight`, or the same model to the last departure when that is past 24 h.
pub fn solve_hindsight(problem: &opt::Problem) -> Result<opt::Plan, opt::ProblemError> {
    if problem.horizon_slots.is_some() {
        opt::optimize(problem)
    } else {
        opt::hindsight(problem)
    }
}

/// What the replay produced, before the arithmetic.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub speedup: f64,
    pub cap_kw: f64,
    pub outcomes: Vec<Outcome>,
    /// Requests the drivers submitted.
    pub submitted: usize,
    pub peak_kw: f64,
    pub peak_source: PeakSource,
}

/// The replay's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub speedup: f64,
    pub cap_kw: f64,
    pub sessions: usize,
    pub submitted: usize,
    pub requested_kwh: f64,
    pub delivered_kwh: f64,
    /// Share of sessions whose request was met (see [`Outcome::met`]), 0–1.
    pub met_share: f64,
    pub peak_kw: f64,
    pub peak_source: PeakSource,
    /// The hindsight optimum with need = the request, kWh.
    pub hindsight_kwh: f64,
    /// delivered / hindsight.
    pub ratio: f64,
    /// The hindsight optimum with need = min(request, what the simulated car accepts), kWh.
    pub hindsight_car_kwh: f64,
    /// delivered / that.
    pub ratio_car: f64,
}

/// Computes the report; solves the hindsight problem twice.
///
/// # Errors
/// When the optimizer refuses a hindsight problem.
pub fn report(inputs: &Inputs) -> Result<Report, opt::ProblemError> {
    let outcomes = &inputs.outcomes;
    let hindsight = solve_hindsight(&hindsight_problem(outcomes, inputs.cap_kw, |o| {
        o.requested_kwh
    }))?;
    let car = solve_hindsight(&hindsight_problem(outcomes, inputs.cap_kw, |o| {
        o.requested_kwh.min(o.car_kwh)
    }))?;
    let delivered: f64 = outcomes.iter().map(|o| o.delivered_kwh).sum();
    let ratio = |of: f64| if of > 0.0 { delivered / of } else { 0.0 };
    let met = outcomes.iter().filter(|o| o.met()).count();
    Ok(Report {
        speedup: inputs.speedup,
        cap_kw: inputs.cap_kw,
        sessions: outcomes.len(),
        submitted: inputs.submitted,
        requested_kwh: outcomes.iter().map(|o| o.requested_kwh).sum(),
        delivered_kwh: delivered,
        met_share: if outcomes.is_empty() {
            0.0
        } else {
            met as f64 / outcomes.len() as f64
        },
        peak_kw: inputs.peak_kw,
        peak_source: inputs.peak_source,
        hindsight_kwh: hindsight.energy_kwh,
        ratio: ratio(hindsight.energy_kwh),
        hindsight_car_kwh: car.energy_kwh,
        ratio_car: ratio(car.energy_kwh),
    })
}

impl Report {
    /// The short text report.
    pub fn human(&self) -> String {
        let pct = |x: f64| 100.0 * x;
        [
            format!(
                "chargeplan replay: Caltech's garage, 2019-06-14 (ACN-Data, CC BY 4.0), {:.0} kW \
                 service, {}x",
                self.cap_kw, self.speedup
            ),
            format!(
                "  sessions                {} ({} drivers submitted their recorded request)",
                self.sessions, self.submitted
            ),
            format!("  energy requested        {:.1} kWh", self.requested_kwh),
            format!("  energy delivered        {:.1} kWh", self.delivered_kwh),
            format!(
                "  requests met            {:.0} % of sessions (>= 99 % of min(request, {PORT_KW} \
                 kW x stay))",
                pct(self.met_share)
            ),
            format!(
                "  site peak               {:.1} kW ({})",
                self.peak_kw,
                self.peak_source.label()
            ),
            format!(
                "  hindsight optimum       {:.1} kWh: delivered / hindsight = {:.1} %",
                self.hindsight_kwh,
                pct(self.ratio)
            ),
            format!(
                "  same, needs capped at what each simulated car accepts: {:.1} kWh ({:.1} %)",
                self.hindsight_car_kwh,
                pct(self.ratio_car)
            ),
        ]
        .join("\n")
    }

    /// The report as one JSON object.
    pub fn json(&self) -> String {
        let n = |x: f64| {
            if x.is_finite() {
                format!("{x}")
            } else {
                "null".to_owned()
            }
        };
        format!(
            "{{\"day\":\"2019-06-14\",\"speedup\":{},\"cap_kw\":{},\"sessions\":{},\
             \"requests_submitted\":{},\"requested_kwh\":{},\"delivered_kwh\":{},\
             \"met_share\":{},\"peak_kw\":{},\"peak_source\":\"{}\",\"hindsight_kwh\":{},\
             \"ratio\":{},\"hindsight_car_limited_kwh\":{},\"ratio_car_limited\":{}}}",
            n(self.speedup),
            n(self.cap_kw),
            self.sessions,
            self.submitted,
            n(self.requested_kwh),
            n(self.delivered_kwh),
            n(self.met_share),
            n(self.peak_kw),
            self.peak_source.label(),
            n(self.hindsight_kwh),
            n(self.ratio),
            n(self.hindsight_car_kwh),
            n(self.ratio_car),
        )
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
