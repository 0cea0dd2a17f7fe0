//! Starting the simulated cloud and driving it: the clock, scenarios, fault switches, introspection.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::SimError;
use crate::config::{ClockMode, Faults, ProfileMode, SimConfig};
use crate::objects::{Cpo, session_json};
use crate::replay::replay_arrivals;
use crate::scenario::{ArrivalSpec, ProfileLogEntry, SimSession, demo_arrivals};
use crate::shared::{Auth, Shared, lock, push_worker};
use crate::world::World;

/// How often the real-time clock task moves simulated time (real time).
const TICK: Duration = Duration::from_millis(100);

/// Entry point.
#[derive(Debug)]
pub struct SimCloud;

impl SimCloud {
    /// Binds, serves OCPI 2.2.1 in a background task, and starts the clock task in real-time mode.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(SimError::Bind)?;
        let addr = listener.local_addr().map_err(SimError::Bind)?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            addr.ip().to_string()
        };
        let host = if addr.is_ipv6() && !addr.ip().is_unspecified() {
            format!("[{host}]")
        } else {
            host
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SimError::Client(e.to_string()))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let auth = if config.registered {
            Auth {
                token_c: Some(config.token.clone()),
                ..Auth::default()
            }
        } else {
            Auth {
                token_a: Some(config.token.clone()),
                ..Auth::default()
            }
        };
        let step = chrono::Duration::from_std(config.physics_step)
            .unwrap_or(chrono::Duration::seconds(60));
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(config.site.clone(), config.clock.start(), step)),
            auth: Mutex::new(auth),
            faults: Mutex::new(config.faults.clone()),
            control_token: config.token.clone(),
            profiles: Mutex::new(config.profiles.clone()),
            push: config.push.clone(),
            fallback_peer_token: config.peer_token.clone(),
            cpo: Cpo {
                country_code: config.country_code.clone(),
                party_id: config.party_id.clone(),
                currency: config.currency.clone(),
            },
            page_limit: config.page_limit.max(1),
            origin: format!("http://{host}:{}", addr.port()),
            client,
            tracker: TaskTracker::new(),
            cancel: CancellationToken::new(),
            runtime: tokio::runtime::Handle::current(),
            pushes: tx,
        });
        shared.tracker.spawn(push_worker(Arc::clone(&shared), rx));
        if let ClockMode::RealTime { speedup, .. } = config.clock {
            shared
                .tracker
                .spawn(clock_task(Arc::clone(&shared), speedup));
        }
        let app = crate::http::router(Arc::clone(&shared));
        let stop = shared.cancel.clone();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "simulated cloud server failed");
            }
        });
        tracing::info!(sim.addr = %addr, "simulated OCPI cloud listening");
        Ok(SimHandle {
            shared,
            addr,
            server,
        })
    }
}

async fn clock_task(shared: Arc<Shared>, speedup: f64) {
    let mut last = Instant::now();
    let mut ticks = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = shared.cancel.cancelled() => break,
        }
        let real = last.elapsed();
        last = Instant::now();
        let sim = chrono::Duration::milliseconds((real.as_secs_f64() * speedup * 1000.0) as i64);
        {
            let mut world = lock(&shared.world);
            let target = world.now + sim;
            world.advance_to(target);
        }
        shared.flush_changes();
    }
}

/// A running simulated cloud.
#[derive(Debug)]
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl SimHandle {
    /// The versions URL, `http://127.0.0.1:<port>/ocpi/versions`.
    pub fn base_url(&self) -> String {
        self.shared.versions_url()
    }

    /// The simulator's control surface, `http://127.0.0.1:<port>/sim` (fault switches, state,
    /// profile log, arrivals; the start token).
    pub fn control_url(&self) -> String {
        format!("{}/sim", self.shared.origin)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Simulated now.
    pub fn now(&self) -> DateTime<Utc> {
        lock(&self.shared.world).now
    }

    /// Steps simulated time forward by `by`, running physics, arrivals and departures.
    pub fn advance(&self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::zero());
        let target = self.now() + by;
        self.advance_to(target);
    }

    /// Steps simulated time to `target` (no-op if it is not in the future).
    pub fn advance_to(&self, target: DateTime<Utc>) {
        lock(&self.shared.world).advance_to(target);
        self.shared.flush_changes();
    }

    /// Plugs a car in (now, if `arrival` is not in the future) or schedules it; returns the
    /// session id when the session started at once.
    pub fn plug_in(&self, spec: ArrivalSpec) -> Result<Option<String>, SimError> {
        let started = lock(&self.shared.world).plug_in(spec);
        self.shared.flush_changes();
        started
    }

    /// Unplugs the car of an active session now.
    pub fn unplug(&self, session_id: &str) -> Result<(), SimError> {
        let now = self.now();
        self.schedule_departure(session_id, now)
    }

    /// Sets when the car of an active session leaves.
    pub fn schedule_departure(&self, session_id: &str, at: DateTime<Utc>) -> Result<(), SimError> {
        let done = lock(&self.shared.world).schedule_departure(session_id, at);
        self.shared.flush_changes();
        done
    }

    /// Schedules the bundled ACN day (49 sessions) with its midnight at `day_start`; needs
    /// [`crate::Site::caltech`]. Returns how many arrivals were scheduled.
    pub fn replay_acn_day(&self, day_start: DateTime<Utc>) -> Result<usize, SimError> {
        self.plug_all(replay_arrivals(day_start))
    }

    /// Plugs in the demo cars of [`crate::demo_arrivals`]; needs [`crate::Site::demo`].
    pub fn seed_demo(&self) -> Result<usize, SimError> {
        self.plug_all(demo_arrivals(self.now()))
    }

    fn plug_all(&self, arrivals: Vec<ArrivalSpec>) -> Result<usize, SimError> {
        let n = arrivals.len();
        let result = {
            let mut world = lock(&self.shared.world);
            arrivals
                .into_iter()
                .try_for_each(|a| world.plug_in(a).map(drop))
        };
        self.shared.flush_changes();
        result.map(|()| n)
    }

    /// Every session, oldest first.
    pub fn sessions(&self) -> Vec<SimSession> {
        let world = lock(&self.shared.world);
        world.sessions.iter().map(|s| world.view(s)).collect()
    }

    /// One session.
    pub fn session(&self, id: &str) -> Option<SimSession> {
        let world = lock(&self.shared.world);
        world.session(id).map(|s| world.view(s))
    }

    /// The OCPI Session object exactly as the server would serve it now.
    pub fn session_json(&self, id: &str) -> Option<Value> {
        let world = lock(&self.shared.world);
        world
            .session(id)
            .and_then(|s| serde_json::to_value(session_json(s, &self.shared.cpo, world.now)).ok())
    }

    /// Every charging-profile request received, with its answer and result delivery.
    pub fn profile_log(&self) -> Vec<ProfileLogEntry> {
        lock(&self.shared.world).profile_log.clone()
    }

    /// The profile limit in force now for a session, kW (`None`: no profile in force or no such session).
    pub fn current_limit_kw(&self, session_id: &str) -> Option<f64> {
        let world = lock(&self.shared.world);
        world
            .session(session_id)
            .and_then(|s| s.limit_kw_at(world.now))
    }

    /// Power drawn now over the whole site.
    pub fn total_power_kw(&self) -> f64 {
        lock(&self.shared.world)
            .evse_power_kw()
            .iter()
            .map(|(_, p)| p)
            .sum()
    }

    /// Power drawn now per EVSE, in layout order.
    pub fn evse_power_kw(&self) -> Vec<(String, f64)> {
        lock(&self.shared.world).evse_power_kw()
    }

    /// Replaces the fault switches.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }

    /// The fault switches now (counters go down as faults fire).
    pub fn faults(&self) -> Faults {
        lock(&self.shared.faults).clone()
    }

    /// Sets the answer to charging-profile requests for every session without its own mode.
    pub fn set_profile_mode(&self, mode: ProfileMode) {
        lock(&self.shared.profiles).mode = mode;
    }

    /// Sets the answer for one session (`None` returns it to the global mode).
    pub fn set_session_profile_mode(&self, session_id: &str, mode: Option<ProfileMode>) {
        let mut p = lock(&self.shared.profiles);
        match mode {
            Some(m) => p.per_session.insert(session_id.to_owned(), m),
            None => p.per_session.remove(session_id),
        };
    }

    /// Sets the minimum simulated interval between accepted profile PUTs of one session.
    pub fn set_min_profile_interval(&self, interval: Option<Duration>) {
        lock(&self.shared.profiles).min_interval = interval;
    }

    /// The token that functional modules accept now (token C after a handshake).
    pub fn current_token(&self) -> Option<String> {
        lock(&self.shared.auth).token_c.clone()
    }

    /// Stops serving (in-flight requests finish), stops the clock and pending pushes, and waits.
    pub async fn shutdown(self) {
        self.shared.cancel.cancel();
        if let Err(e) = self.server.await {
            tracing::warn!(error = %e, "simulated cloud server task ended abnormally");
        }
        self.shared.tracker.close();
        self.shared.tracker.wait().await;
    }
}
