//! The fault soak: `chargeplan serve` (the real binary, on SQLite) controls a simulated vendor
//! cloud whose fault switches are flipped over real HTTP (`PUT /sim/faults`) in phases — 5xx
//! answers, hangs past the request timeout, truncated bodies, connection resets — with clean
//! phases between, cars plugging in during the faults and `kill -9` restarts. It measures on
//! the simulator's side what the issue holds the server to: never over the cap, no car left
//! at 0 kWh while power is free, every phase recovered within two poll intervals, no profile
//! in force recorded as failed, new cars seen within two poll intervals.
//!
//! The short soak runs in the suite; the long one (`cargo test --test e2e soak_long --
//! --ignored --nocapture`, 35 minutes at the default poll interval) gives the figures in
//! docs/PERFORMANCE.md.

mod garage;
mod observe;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chargeplan_sim::{ArrivalSpec, ClockMode, SimCloud, SimConfig, SimHandle};
use chrono::Utc;
use serde_json::json;

use crate::helpers::{TestApp, run, spawn_app};
use crate::world::utf8;

use self::observe::{Figures, Observer};

const TOKEN_A: &str = "e2e-soak-token-a";
/// How often the observer samples.
const SAMPLE: Duration = Duration::from_millis(250);

/// One fault phase: which fault, at what share of requests.
#[derive(Debug, Clone, Copy)]
enum Fault {
    ServerError(f64),
    Hang(f64),
    Malformed(f64),
    Reset(f64),
    /// Every kind at once, each at this share.
    Mixed(f64),
}

/// How a soak runs: the server's pace and the phases.
struct Plan {
    poll_s: u64,
    replan_s: u64,
    request_timeout_s: u64,
    retry_first_s: u64,
    retry_max_s: u64,
    hang: Duration,
    fault: Duration,
    clean: Duration,
    phases: Vec<Fault>,
    /// Phases in whose middle the server is killed with SIGKILL and started again.
    kills: Vec<usize>,
}

impl Plan {
    /// About two and a half minutes: each kind once, one kill during the hangs.
    fn short() -> Self {
        Self {
            poll_s: 3,
            replan_s: 10,
            request_timeout_s: 2,
            retry_first_s: 1,
            retry_max_s: 3,
            hang: Duration::from_secs(4),
            fault: Duration::from_secs(20),
            clean: Duration::from_secs(15),
            phases: vec![
                Fault::ServerError(0.5),
                Fault::Hang(0.5),
                Fault::Malformed(0.5),
                Fault::Reset(0.5),
            ],
            kills: vec![1],
        }
    }

    /// The tester's soak again: default pace, hangs of 45 s, seven phases, four kills.
    fn long() -> Self {
        Self {
            poll_s: 60,
            replan_s: 60,
            request_timeout_s: 30,
            retry_first_s: 5,
            retry_max_s: 60,
            hang: Duration::from_secs(45),
            fault: Duration::from_secs(180),
            clean: Duration::from_secs(120),
            phases: vec![
                Fault::ServerError(0.4),
                Fault::Hang(0.3),
                Fault::Malformed(0.5),
                Fault::Reset(0.55),
                Fault::Mixed(0.12),
                Fault::ServerError(0.55),
                Fault::Hang(0.5),
            ],
            kills: vec![1, 3, 4, 6],
        }
    }

    fn poll(&self) -> Duration {
        Duration::from_secs(self.poll_s)
    }

    fn envs(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "CHARGEPLAN__EXCHANGE__POLL_INTERVAL_S",
                self.poll_s.to_string(),
            ),
            (
                "CHARGEPLAN__DRIVER__REPLAN_INTERVAL_S",
                self.replan_s.to_string(),
            ),
            (
                "CHARGEPLAN__EXCHANGE__REQUEST_TIMEOUT_S",
                self.request_timeout_s.to_string(),
            ),
            (
                "CHARGEPLAN__EXCHANGE__UNKNOWN_RETRY_FIRST_S",
                self.retry_first_s.to_string(),
            ),
            (
                "CHARGEPLAN__EXCHANGE__UNKNOWN_RETRY_MAX_S",
                self.retry_max_s.to_string(),
            ),
            (
                "CHARGEPLAN__DRIVER__ARRIVAL_HEADROOM",
                "one_port".to_owned(),
            ),
        ]
    }

    /// The fault switches of a phase, as `PUT /sim/faults` takes them.
    fn switches(&self, fault: Fault, seed: u64) -> serde_json::Value {
        let (server_error, hang, malformed, reset) = match fault {
            Fault::ServerError(r) => (r, 0.0, 0.0, 0.0),
            Fault::Hang(r) => (0.0, r, 0.0, 0.0),
            Fault::Malformed(r) => (0.0, 0.0, r, 0.0),
            Fault::Reset(r) => (0.0, 0.0, 0.0, r),
            Fault::Mixed(r) => (r, r, r, r),
        };
        json!({
            "server_error_status": 503,
            "hang_ms": self.hang.as_millis() as u64,
            "rates": {
                "server_error": server_error,
                "hang": hang,
                "malformed": malformed,
                "reset": reset,
                "seed": seed,
            },
        })
    }
}

/// The running soak: data folder, simulator, server.
struct Soak {
    data: tempfile::TempDir,
    cwd: tempfile::TempDir,
    sim: Arc<SimHandle>,
    envs: Vec<(&'static str, String)>,
    app: TestApp,
    http: reqwest::Client,
}

impl Soak {
    async fn start(plan: &Plan) -> Self {
        let data = tempfile::tempdir().expect("data dir");
        let cwd = tempfile::tempdir().expect("cwd");
        let migrated = run(
            cwd.path(),
            &["migrate"],
            &[("CHARGEPLAN__SERVER__DATA_DIR", utf8(data.path()))],
        );
        assert_eq!(migrated.status.code(), Some(0), "{migrated:?}");
        garage::seed(data.path()).await;
        let mut config = SimConfig::new(TOKEN_A, Utc::now());
        config.registered = false;
        config.clock = ClockMode::RealTime {
            start: Utc::now(),
            speedup: 1.0,
        };
        let sim = Arc::new(SimCloud::start(config).await.expect("simulator"));
        let envs = plan.envs();
        let app = spawn(data.path(), &envs);
        let soak = Self {
            data,
            cwd,
            sim,
            envs,
            app,
            http: reqwest::Client::new(),
        };
        soak.register_vendor();
        soak
    }

    /// Registers the simulator as vendor `sim`, then restarts the server so it polls at once.
    fn register_vendor(&self) {
        let registered = run(
            self.cwd.path(),
            &[
                "vendor",
                "register",
                "--id",
                "sim",
                "--versions-url",
                &self.sim.base_url(),
                "--token-a",
                TOKEN_A,
                "--data-dir",
                utf8(self.data.path()),
                "--public-url",
                &self.app.address,
            ],
            &[],
        );
        assert_eq!(
            registered.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&registered.stderr)
        );
    }

    fn restart(&mut self, hard: bool) {
        if hard {
            self.app.kill_hard();
        } else {
            let stopped = self.app.terminate().expect("the server stops on SIGTERM");
            assert_eq!(stopped.code(), Some(0), "{}", self.app.stderr_text());
        }
        self.app = spawn(self.data.path(), &self.envs);
    }

    async fn set_faults(&self, switches: &serde_json::Value) {
        let answer = self
            .http
            .put(format!("{}/faults", self.sim.control_url()))
            .header("authorization", format!("Token {TOKEN_A}"))
            .json(switches)
            .send()
            .await
            .expect("PUT /sim/faults");
        assert_eq!(answer.status().as_u16(), 200, "{:?}", answer.text().await);
    }

    fn plug_in(&self, evse: &str, max_kw: f64) -> String {
        self.sim
            .plug_in(ArrivalSpec {
                evse: evse.into(),
                token_uid: format!("SOAK-{evse}-{}", Utc::now().timestamp_millis()),
                arrival: self.sim.now(),
                departure: None,
                battery_kwh: 80.0,
                soc: 0.2,
                max_kw,
            })
            .expect("plugged in")
            .expect("the session starts at once")
    }
}

fn spawn(data: &std::path::Path, envs: &[(&'static str, String)]) -> TestApp {
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app(data, &envs)
}

/// Samples for `how_long`.
async fn observe_for(observer: &mut Observer, how_long: Duration) {
    let until = Instant::now() + how_long;
    while Instant::now() < until {
        observer.sample().await;
        tokio::time::sleep(SAMPLE).await;
    }
}

async fn soak(plan: &Plan) -> Figures {
    let mut soak = Soak::start(plan).await;
    soak.restart(false);
    for evse in [
        "DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04", "DEMO-05", "DEMO-06",
    ] {
        soak.plug_in(evse, 11.0);
    }
    soak.plug_in("DEMO-09", 7.4);
    let since = Utc::now() - chrono::Duration::minutes(1);
    let store = garage::open_store(soak.data.path()).await;
    let mut observer = Observer::new(soak.sim.clone(), store);
    let warm_up = Instant::now() + Duration::from_secs(60);
    // Seven cars plugged in at once draw their ports' maximum until their first limits (an
    // OCPI vendor cannot be told sooner); the soak measures from when all are under control.
    while !(observer.all_planned().await && soak.sim.total_power_kw() <= garage::CAP_KW) {
        assert!(
            Instant::now() < warm_up,
            "the cars were never all planned under the cap:\n{}",
            soak.app.stderr_text()
        );
        observer.sample().await;
        tokio::time::sleep(SAMPLE).await;
    }
    observer.start_measuring();
    observe_for(&mut observer, plan.clean).await;

    let mut arrivals: Vec<(&str, String)> = Vec::new();
    for (index, &fault) in plan.phases.iter().enumerate() {
        observer.fault_started();
        soak.set_faults(&plan.switches(fault, index as u64 + 1))
            .await;
        observe_for(&mut observer, plan.fault / 2).await;
        let evse = if index % 2 == 0 { "DEMO-07" } else { "DEMO-08" };
        if let Some(at) = arrivals.iter().position(|(port, _)| *port == evse) {
            let (_, earlier) = arrivals.remove(at);
            soak.sim.unplug(&earlier).expect("unplugged");
        }
        let arrived = soak.plug_in(evse, 7.4);
        observer.arrived(arrived.clone());
        arrivals.push((evse, arrived));
        if plan.kills.contains(&index) {
            soak.restart(true);
        }
        observe_for(&mut observer, plan.fault / 2).await;
        soak.set_faults(&json!({})).await;
        observer.fault_ended();
        observe_for(&mut observer, plan.clean).await;
    }
    let figures = observer.finish(since).await;
    eprintln!("soak figures:\n{}", figures.table(plan.poll()));
    figures
}

/// What the issue holds every soak to.
fn assert_held(figures: &Figures, plan: &Plan) {
    let two_polls = 2.0 * plan.poll().as_secs_f64();
    let summary = figures.table(plan.poll());
    assert_eq!(figures.over_cap_s, 0.0, "over the cap:\n{summary}");
    // While an outcome is unknown its session counts at the most that may be in force, which
    // can fill the budget for a moment; it must never last a poll interval.
    assert!(
        figures.longest_all_zero_s < plan.poll().as_secs_f64(),
        "every car planned at 0 kWh for a poll interval while power was free:\n{summary}"
    );
    assert_eq!(figures.recoveries_s.len(), plan.phases.len(), "{summary}");
    assert!(
        figures
            .recoveries_s
            .iter()
            .all(|r| r.is_some_and(|s| s <= two_polls)),
        "a fault phase not recovered within two poll intervals:\n{summary}"
    );
    assert!(
        figures
            .arrivals_seen_s
            .iter()
            .all(|r| r.is_some_and(|s| s <= two_polls)),
        "a car arriving during a fault not seen within two poll intervals:\n{summary}"
    );
    assert_eq!(
        figures.failed_but_applied, 0,
        "profiles in force recorded as failed:\n{summary}"
    );
    assert!(
        figures.longest_starved_s <= 2.0 * plan.replan_s as f64,
        "a car drew nothing while power was free:\n{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_every_fault_kind_and_a_kill_the_cap_holds_and_every_car_comes_back_into_the_plan() {
    let plan = Plan::short();
    let figures = soak(&plan).await;
    assert_held(&figures, &plan);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "35 minutes; run by hand for docs/PERFORMANCE.md"]
async fn soak_long() {
    let plan = Plan::long();
    let figures = soak(&plan).await;
    assert_held(&figures, &plan);
}
