//! What the soak measures, sample by sample: the simulator's own draw against the cap, the
//! server's latest plan from its store, how long each fault phase takes to recover, how soon
//! a car that arrives during a fault is seen, and how long a car waits at 0 kW while power is
//! free.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chargeplan_core::{SessionId, SetpointState, SiteId};
use chargeplan_sim::{AsyncResult, ProfileAnswer, ProfileRequestKind, SimHandle, SimSession};
use chargeplan_store::Store;

use super::garage::{CAP_KW, SITE, ports};

/// A car counts as wanting energy below this state of charge (the taper starts above it).
const WANTS_BELOW_SOC: f64 = 0.95;
/// Free power at which a waiting car could have been given its minimum (6 A on three phases).
const MIN_FREE_KW: f64 = 4.2;
/// What the server keeps for a car that plugs in before its first limit
/// (`driver.arrival_headroom = one_port`): the largest free controllable port's maximum.
fn arrival_headroom_kw(sessions: &[SimSession]) -> f64 {
    ports()
        .iter()
        .filter(|p| p.controllable && !sessions.iter().any(|s| active(s) && s.evse_uid == p.id))
        .map(|p| p.max_kw)
        .fold(0.0, f64::max)
}

/// Power the server's own rules leave free now: the cap less what is drawn, the rest of each
/// port without profiles (counted at its maximum), and the arrival headroom.
fn free_kw(sessions: &[SimSession]) -> f64 {
    let drawn: f64 = sessions
        .iter()
        .filter(|s| active(s))
        .map(|s| s.power_kw)
        .sum();
    let reserved: f64 = ports()
        .iter()
        .filter(|p| !p.controllable)
        .map(|p| {
            let drawing: f64 = sessions
                .iter()
                .filter(|s| active(s) && s.evse_uid == p.id)
                .map(|s| s.power_kw)
                .sum();
            (p.max_kw - drawing).max(0.0)
        })
        .sum();
    CAP_KW - drawn - reserved - arrival_headroom_kw(sessions)
}

/// The active sessions on controllable ports whose cars still want energy.
fn wanting<'a>(
    controllable: &'a HashSet<&'static str>,
    sessions: &'a [SimSession],
) -> impl Iterator<Item = &'a SimSession> {
    sessions.iter().filter(|s| {
        active(s) && s.soc < WANTS_BELOW_SOC && controllable.contains(s.evse_uid.as_str())
    })
}

fn active(s: &SimSession) -> bool {
    s.status == chargeplan_sim::SessionStatus::Active
}
/// Draw above the cap by more than this counts as over it (rounding of the simulator's W).
const OVER_CAP_TOLERANCE_KW: f64 = 0.05;

/// The figures of one soak.
#[derive(Debug, Default)]
pub struct Figures {
    /// Seconds the simulator's total draw was above the cap.
    pub over_cap_s: f64,
    /// Highest total draw seen, kW.
    pub peak_kw: f64,
    /// Seconds in which every controllable car that wanted energy was planned at 0 kWh while
    /// the site had power free (under the cap, after what the rules keep for ports without
    /// profiles and for arrivals).
    pub all_zero_with_headroom_s: f64,
    /// The longest single stretch of the above, seconds.
    pub longest_all_zero_s: f64,
    /// Per fault phase: seconds from its end until every car wanting energy was planned with
    /// energy (`None`: not by the next phase).
    pub recoveries_s: Vec<Option<f64>>,
    /// Per car plugged in during a fault: seconds until the server stored its session.
    pub arrivals_seen_s: Vec<Option<f64>>,
    /// The longest a car wanting energy drew nothing while the site had power free, seconds.
    pub longest_starved_s: f64,
    /// Setpoints sent, and those recorded `failed` although the simulator put them in force.
    pub setpoints: usize,
    pub failed: usize,
    pub failed_but_applied: usize,
    /// Energy the simulator delivered to every car, kWh.
    pub delivered_kwh: f64,
    /// When each episode of the above began, seconds into the soak, with what was seen.
    pub episodes: Vec<String>,
}

/// The soak's observer; call [`Observer::sample`] every few hundred milliseconds.
pub struct Observer {
    sim: Arc<SimHandle>,
    store: Arc<dyn Store>,
    site: SiteId,
    controllable: HashSet<&'static str>,
    last: Option<Instant>,
    measuring: bool,
    recovering: Option<Instant>,
    arrivals: HashMap<String, (usize, Instant)>,
    starved_since: HashMap<String, Instant>,
    in_all_zero: bool,
    all_zero_since: Option<Instant>,
    began: Instant,
    pub figures: Figures,
}

impl Observer {
    pub fn new(sim: Arc<SimHandle>, store: Arc<dyn Store>) -> Self {
        Self {
            sim,
            store,
            site: SiteId::parse(SITE).expect("id"),
            controllable: ports()
                .into_iter()
                .filter(|p| p.controllable)
                .map(|p| p.id)
                .collect(),
            last: None,
            measuring: false,
            recovering: None,
            arrivals: HashMap::new(),
            starved_since: HashMap::new(),
            in_all_zero: false,
            all_zero_since: None,
            began: Instant::now(),
            figures: Figures::default(),
        }
    }

    /// From now on, time counts toward the figures (after the warm-up).
    pub fn start_measuring(&mut self) {
        self.measuring = true;
    }

    /// A fault phase ended now: its recovery is timed from here.
    pub fn fault_ended(&mut self) {
        self.close_recovery();
        self.recovering = Some(Instant::now());
    }

    /// A fault phase starts now: a recovery still open did not happen in time.
    pub fn fault_started(&mut self) {
        self.close_recovery();
    }

    fn close_recovery(&mut self) {
        if self.recovering.take().is_some() {
            self.figures.recoveries_s.push(None);
        }
    }

    /// A car was plugged in during a fault; the time until the server stores it is measured.
    pub fn arrived(&mut self, vendor_session_id: String) {
        let index = self.figures.arrivals_seen_s.len();
        self.figures.arrivals_seen_s.push(None);
        self.arrivals
            .insert(vendor_session_id, (index, Instant::now()));
    }

    /// Whether every controllable car wanting energy is in the latest plan with energy now.
    pub async fn all_planned(&self) -> bool {
        let sessions = self.sim.sessions();
        let ids = self.store_ids().await;
        let planned = self.planned_kwh().await;
        wanting(&self.controllable, &sessions).all(|s| {
            ids.get(&s.id)
                .and_then(|id| planned.get(id))
                .is_some_and(|&e| e > 0.01)
        })
    }

    /// Takes one sample.
    pub async fn sample(&mut self) {
        let now = Instant::now();
        let dt = self
            .last
            .replace(now)
            .map_or(0.0, |last| (now - last).as_secs_f64());
        let sessions = self.sim.sessions();
        let total: f64 = sessions.iter().map(|s| s.power_kw).sum();
        let ids = self.store_ids().await;
        let planned = self.planned_kwh().await;
        self.see_arrivals(&ids, now);
        if !self.measuring {
            return;
        }
        let f = &mut self.figures;
        f.peak_kw = f.peak_kw.max(total);
        if total > CAP_KW + OVER_CAP_TOLERANCE_KW {
            f.over_cap_s += dt;
        }
        let free = free_kw(&sessions) >= MIN_FREE_KW;
        let controllable = self.controllable.clone();
        let wanting: Vec<&SimSession> = wanting(&controllable, &sessions).collect();
        let energy = |s: &SimSession| {
            ids.get(&s.id)
                .and_then(|id| planned.get(id))
                .copied()
                .unwrap_or(0.0)
        };
        let all_zero = free && !wanting.is_empty() && wanting.iter().all(|s| energy(s) <= 0.01);
        if all_zero {
            self.figures.all_zero_with_headroom_s += dt;
            let since = *self.all_zero_since.get_or_insert(now);
            self.figures.longest_all_zero_s = self
                .figures
                .longest_all_zero_s
                .max((now - since).as_secs_f64());
            if !self.in_all_zero {
                let plan = self.latest_plan_made().await;
                self.figures.episodes.push(format!(
                    "{:.1} s: every car at 0 kWh with {:.1} kW free ({} wanting, {} stored; {plan})",
                    self.began.elapsed().as_secs_f64(),
                    free_kw(&sessions),
                    wanting.len(),
                    wanting.iter().filter(|s| ids.contains_key(&s.id)).count(),
                ));
            }
        }
        self.in_all_zero = all_zero;
        if !all_zero {
            self.all_zero_since = None;
        }
        if let Some(ended) = self.recovering
            && wanting.iter().all(|s| energy(s) > 0.01)
        {
            self.figures
                .recoveries_s
                .push(Some((now - ended).as_secs_f64()));
            self.recovering = None;
        }
        self.track_starving(&wanting, free, now);
    }

    fn track_starving(&mut self, wanting: &[&SimSession], free: bool, now: Instant) {
        let drawing_nothing: HashSet<&str> = wanting
            .iter()
            .filter(|s| s.power_kw < 0.1)
            .map(|s| s.id.as_str())
            .collect();
        self.starved_since
            .retain(|id, _| free && drawing_nothing.contains(id.as_str()));
        if free {
            for id in drawing_nothing {
                self.starved_since.entry(id.to_owned()).or_insert(now);
            }
        }
        for since in self.starved_since.values() {
            let waited = (now - *since).as_secs_f64();
            self.figures.longest_starved_s = self.figures.longest_starved_s.max(waited);
        }
    }

    fn see_arrivals(&mut self, ids: &HashMap<String, SessionId>, now: Instant) {
        let seen: Vec<String> = self
            .arrivals
            .keys()
            .filter(|vendor_id| ids.contains_key(*vendor_id))
            .cloned()
            .collect();
        for vendor_id in seen {
            if let Some((index, plugged)) = self.arrivals.remove(&vendor_id) {
                self.figures.arrivals_seen_s[index] = Some((now - plugged).as_secs_f64());
            }
        }
    }

    /// The vendor's session id → ours, for the open sessions the server has stored.
    async fn store_ids(&self) -> HashMap<String, SessionId> {
        match self.store.list_open_sessions(&self.site).await {
            Ok(open) => open
                .into_iter()
                .map(|s| (s.vendor_session_id, s.id))
                .collect(),
            Err(_) => HashMap::new(),
        }
    }

    /// When the latest plan was made, in words.
    async fn latest_plan_made(&self) -> String {
        match self.store.latest_plan(&self.site).await {
            Ok(Some(plan)) => format!(
                "plan of {} sessions made {} ms before",
                plan.sessions.len(),
                (chrono::Utc::now() - plan.created_at).num_milliseconds()
            ),
            _ => "no plan".to_owned(),
        }
    }

    /// Energy per session in the latest plan.
    async fn planned_kwh(&self) -> HashMap<SessionId, f64> {
        match self.store.latest_plan(&self.site).await {
            Ok(Some(plan)) => plan
                .sessions
                .into_iter()
                .map(|s| (s.session_id, s.energy_kwh))
                .collect(),
            _ => HashMap::new(),
        }
    }

    /// Closes the figures: open recoveries and arrivals count as missed; setpoints are
    /// compared with what the simulator put in force.
    pub async fn finish(mut self, since: chrono::DateTime<chrono::Utc>) -> Figures {
        self.close_recovery();
        let applied: HashSet<String> = self
            .sim
            .profile_log()
            .into_iter()
            .filter(|e| {
                e.kind == ProfileRequestKind::Set
                    && e.answer == ProfileAnswer::Accepted
                    && e.async_result != Some(AsyncResult::Rejected)
            })
            .filter_map(|e| e.response_url.rsplit('/').next().map(str::to_owned))
            .collect();
        let setpoints = self
            .store
            .list_setpoints(&self.site, since)
            .await
            .expect("setpoints");
        let failed: Vec<_> = setpoints
            .iter()
            .filter(|s| s.state == SetpointState::Failed)
            .collect();
        self.figures.setpoints = setpoints.len();
        self.figures.failed = failed.len();
        self.figures.failed_but_applied = failed
            .iter()
            .filter(|s| applied.contains(s.id.as_str()))
            .count();
        self.figures.delivered_kwh = self.sim.sessions().iter().map(|s| s.kwh).sum();
        self.figures
    }
}

impl Figures {
    /// The figures as the soak prints them.
    pub fn table(&self, poll: Duration) -> String {
        let show = |v: &[Option<f64>]| {
            v.iter()
                .map(|x| x.map_or_else(|| "never".to_owned(), |s| format!("{s:.1}")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "seconds over the 32 kW cap: {:.1} (peak {:.1} kW)\n\
             seconds with every car wanting energy planned at 0 kWh and power free: {:.1} (longest stretch {:.1})\n\
             recovery after each fault phase, s (two poll intervals = {} s): {}\n\
             cars arriving during a fault, seen after s: {}\n\
             longest a car wanting energy drew nothing while power was free: {:.1} s\n\
             setpoints {}, recorded failed {}, of which in force at the vendor {}\n\
             energy delivered {:.2} kWh{}",
            self.over_cap_s,
            self.peak_kw,
            self.all_zero_with_headroom_s,
            self.longest_all_zero_s,
            2 * poll.as_secs(),
            show(&self.recoveries_s),
            show(&self.arrivals_seen_s),
            self.longest_starved_s,
            self.setpoints,
            self.failed,
            self.failed_but_applied,
            self.delivered_kwh,
            self.episodes
                .iter()
                .map(|e| format!("\n  {e}"))
                .collect::<String>(),
        )
    }
}
