//! The discrete-event loop of one policy in simulated time, without sleeping: cars arrive
//! and leave at their recorded instants and draw what their profile and battery allow; every
//! poll interval the server polls (new and ended sessions, readings) and re-plans on a new or
//! ended session, a driver's request, a reading far from the plan, or every tick (5 min).

use chargeplan_core::{
    ChargingRequest, EnergyNeed, KilowattHours, Kilowatts, Session, SessionId, SessionStatus,
    VendorAccountId,
};
use chrono::{DateTime, Duration, Utc};

use crate::bays::{Bays, DONE_ROOM_KWH, Line};
use crate::fleet::{Battery, Car};
use crate::meter::Meter;
use crate::policy::Info;
use crate::server_side::{Planner, ReplanError, Server};
use crate::sessions::Recorded;
use crate::site::SiteModel;

/// Re-plans in a row at one instant when the worst case keeps holding limits back.
const MAX_IMMEDIATE_REPLANS: usize = 3;

/// How one run goes.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// `None`: uncontrolled (no server at all).
    pub planner: Option<Planner>,
    pub info: Info,
    pub battery: Battery,
    /// Print a line to stderr as each simulated local day ends, naming the run so.
    pub progress: Option<&'static str>,
    /// `None`: every car on its recorded station; else cars share these bays and queue.
    pub bays: Option<Bays>,
}

/// What came of one run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Energy each recorded session took, kWh (same order as the sessions given).
    pub delivered_kwh: Vec<f64>,
    pub meter: Meter,
    /// Wall time of each solve, ms.
    pub solve_ms: Vec<f64>,
    /// Re-plans whose worst case held limits back.
    pub held_back: usize,
    /// The churn of each re-plan against the plan before it (see [`crate::churn`]).
    pub churn: Vec<f64>,
    /// Promises deferred by re-plans, and by those with nothing new to plan for (the tick).
    pub deferred: usize,
    pub deferred_without_news: usize,
    /// With shared bays: the line, with every driver's wait.
    pub line: Option<Line>,
}

/// The request the driver of `recorded` submits when the session appears at `now`.
pub fn request_for(
    recorded: &Recorded,
    id: &SessionId,
    info: Info,
    now: DateTime<Utc>,
) -> Option<ChargingRequest> {
    let (departure, kwh) = match info {
        Info::Perfect => (recorded.departure, recorded.delivered_kwh),
        Info::Declared => {
            if !recorded.claimed || recorded.requested_kwh <= 0.0 {
                return None;
            }
            (
                recorded.estimated_departure.unwrap_or(recorded.departure),
                recorded.requested_kwh,
            )
        }
    };
    ChargingRequest::new(id.clone(), 1, departure, EnergyNeed::Kwh(kwh), None, now).ok()
}

/// Runs `sessions` (sorted by arrival; each on a station of `site`) through one policy.
///
/// # Errors
/// When a re-plan fails.
pub fn run(
    site: &SiteModel,
    sessions: &[Recorded],
    options: RunOptions,
) -> Result<Run, ReplanError> {
    let poll = Duration::seconds(site.poll_interval_s);
    let first = sessions.first().map_or(DateTime::UNIX_EPOCH, |s| s.arrival);
    let mut meter = Meter::new(first, site.site.slot_minutes.get(), &site.circuits);
    let mut t = meter.slot_start(first);
    let mut server = options
        .planner
        .map(|_| Server::new(site))
        .transpose()
        .map_err(|e| ReplanError::Plan(chargeplan_control::ControlError::Solver(e.to_string())))?;
    let vendor = VendorAccountId::parse("replay")
        .map_err(|e| ReplanError::Plan(chargeplan_control::ControlError::Solver(e.to_string())))?;
    let port_circuit: Vec<usize> = site
        .ports
        .iter()
        .map(|p| meter.circuit_index(p.circuit_id.as_str()).unwrap_or(0))
        .collect();
    let mut cars: Vec<Car> = Vec::new();
    let mut line = options
        .bays
        .map(|bays| Line::new(bays, site.ports.len(), sessions.len()));
    // Cars plugged in (indices into `cars`), and whether the server has seen each.
    let mut present: Vec<(usize, bool)> = Vec::new();
    let mut left: Vec<usize> = Vec::new();
    let mut delivered = vec![0.0; sessions.len()];
    let mut next_arrival = 0;
    let mut last_plan: Option<DateTime<Utc>> = None;
    let mut solve_ms = Vec::new();
    let mut held_back = 0;
    let (mut churn, mut deferred, mut deferred_without_news) = (Vec::new(), 0, 0);
    let started = std::time::Instant::now();
    let local_day = |at: DateTime<Utc>| at.with_timezone(&site.site.time_zone).date_naive();
    let mut day = local_day(t);
    while next_arrival < sessions.len() || !present.is_empty() || !left.is_empty() {
        let tick = t + poll;
        // Arrivals and departures within [t, tick), the cars drawing in between.
        let mut at = t;
        loop {
            let arrival = sessions
                .get(next_arrival)
                .map(|s| s.arrival.max(at))
                .filter(|a| *a < tick);
            let departure = present
                .iter()
                .map(|&(k, _)| leaves_at(line.as_ref(), &cars[k]).max(at))
                .chain(
                    line.as_ref()
                        .and_then(Line::next_leaving)
                        .map(|d| d.max(at)),
                )
                .filter(|d| *d < tick)
                .min();
            let next = [arrival, departure]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(tick);
            // Metering slots never straddle a stretch.
            let next = next.min(meter.slot_end(at));
            for &(k, _) in &present {
                let car = &mut cars[k];
                let kwh = car.advance(at, next, options.battery);
                meter.add(port_circuit[car.port], at, kwh);
            }
            at = next;
            if at >= tick {
                break;
            }
            while let Some(s) = sessions.get(next_arrival).filter(|s| s.arrival <= at) {
                let port = match line.as_mut() {
                    None => Some(site.station_port[&s.station_id]),
                    Some(line) => line.arrive(next_arrival, s.arrival, s.departure),
                };
                if let Some(port) = port {
                    cars.push(plug_in(
                        site,
                        sessions,
                        next_arrival,
                        port,
                        s.arrival,
                        &options,
                    ));
                    present.push((cars.len() - 1, false));
                }
                next_arrival += 1;
            }
            let mut freed = Vec::new();
            present.retain(|&(k, seen)| {
                let car = &cars[k];
                let gone = leaves_at(line.as_ref(), car) <= at;
                if gone {
                    delivered[car.recorded] = car.energy_kwh;
                    freed.push(car.port);
                    if seen {
                        left.push(k);
                    }
                }
                !gone
            });
            if let Some(line) = line.as_mut() {
                for port in freed {
                    if let Some(next) = line.freed(port, at) {
                        cars.push(plug_in(site, sessions, next, port, at, &options));
                        present.push((cars.len() - 1, false));
                    }
                }
                line.leave_line(at);
                for &(k, _) in &present {
                    if cars[k].vehicle.room_kwh() < DONE_ROOM_KWH {
                        line.done(cars[k].recorded, at);
                    }
                }
            }
        }
        t = tick;
        if let Some(label) = options.progress.filter(|_| local_day(t) != day) {
            eprintln!(
                "{label}: {day} replayed ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            day = local_day(t);
        }
        let Some(server) = server.as_mut() else {
            left.clear();
            continue;
        };
        // The poll: ended and new sessions, then every open session's reading.
        let mut replan = !left.is_empty();
        for k in left.drain(..) {
            server.session_ended(k);
        }
        for (k, seen) in &mut present {
            let car = &cars[*k];
            if !*seen {
                *seen = true;
                replan = true;
                let recorded = &sessions[car.recorded];
                let session = session_of(site, car, &vendor, t);
                let request = request_for(recorded, &car.id, options.info, t);
                server.session_started(*k, session, request);
            } else {
                replan |= server.reading(*k, t, car.energy_kwh, car.drawn_kw);
            }
        }
        let due = last_plan.is_none_or(|p| t - p >= server.config().tick);
        if !(replan || due) {
            continue;
        }
        last_plan = Some(t);
        let Some(planner) = options.planner else {
            continue;
        };
        for _ in 0..MAX_IMMEDIATE_REPLANS {
            let decided = server.replan(site, t, planner)?;
            solve_ms.extend(decided.solve_ms);
            if let Some(change) = decided.change {
                churn.push(change.churn);
                deferred += change.deferred;
                if !replan {
                    deferred_without_news += change.deferred;
                }
            }
            for profile in decided.profiles {
                cars[profile.car].set_profile(profile.starts_at, profile.periods);
            }
            if !decided.held_back {
                break;
            }
            held_back += 1;
        }
    }
    for car in &cars {
        delivered[car.recorded] = car.energy_kwh;
    }
    Ok(Run {
        delivered_kwh: delivered,
        meter,
        solve_ms,
        held_back,
        churn,
        deferred,
        deferred_without_news,
        line,
    })
}

/// When `car` leaves its port: its recorded departure, or when its owner moves it for someone
/// waiting.
fn leaves_at(line: Option<&Line>, car: &Car) -> DateTime<Utc> {
    line.map_or(car.departure, |line| {
        line.leaves_at(car.recorded, car.departure)
    })
}

/// The car of recorded session `recorded`, plugged into `port` at `at`.
fn plug_in(
    site: &SiteModel,
    sessions: &[Recorded],
    recorded: usize,
    port: usize,
    at: DateTime<Utc>,
    options: &RunOptions,
) -> Car {
    let s = &sessions[recorded];
    let id = SessionId::parse(&format!("s-{recorded}")).unwrap_or_else(|_| SessionId::generate());
    let port_max = site.ports[port].max_power.get();
    let mut car = Car::new(
        recorded,
        port,
        id,
        (at, s.departure),
        s.delivered_kwh,
        site.car_max_kw,
        port_max,
    );
    if options.planner.is_some() {
        car.default_kw = site.default_limit_kw.unwrap_or(port_max).min(port_max);
    }
    car
}

/// The session as the vendor reports it at `now`.
fn session_of(
    site: &SiteModel,
    car: &Car,
    vendor: &VendorAccountId,
    now: DateTime<Utc>,
) -> Session {
    Session {
        id: car.id.clone(),
        site_id: site.site.id.clone(),
        vendor_account: vendor.clone(),
        vendor_session_id: car.id.as_str().to_owned(),
        port_id: Some(site.ports[car.port].id.clone()),
        token_uid: None,
        started_at: car.arrival,
        ended_at: None,
        energy: KilowattHours::new(car.energy_kwh).unwrap_or(KilowattHours::ZERO),
        power: Kilowatts::new(car.drawn_kw.max(0.0)).unwrap_or(Kilowatts::ZERO),
        status: SessionStatus::Active,
        vendor_updated_at: now,
    }
}
