//! The world the crash and sharing end-to-end tests share: a data directory with the garage
//! and one driver, a simulated vendor cloud with its clock at real time, and a fake Twilio —
//! everything a `chargeplan serve` needs, and that outlives it across `kill -9`.

use std::time::Duration;

use chargeplan_sim::{ArrivalSpec, ClockMode, SimCloud, SimConfig, SimHandle};
use chargeplan_sms::fake::{FakeMessage, FakeTwilio};
use chrono::Utc;

use crate::garage::seed_garage;
use crate::helpers::{TestApp, run, spawn_app};

pub const TOKEN_A: &str = "e2e-crash-token-a";
pub const DRIVER_PHONE: &str = "+14155550142";
pub const DRIVER_CARD: &str = "CARD-0042";
pub const AUTH_TOKEN: &str = "e2e-crash-twilio-auth-token";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
/// How long anything the server does on its own may take before the test gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);
/// The confirmation's second sentence, in every confirmation and in no other text.
pub const CONFIRMATION_TAIL: &str = "Change it any time with the link in your welcome text.";

/// A data directory with the site and the driver, the simulated vendor cloud and fake
/// Twilio: everything a `chargeplan serve` needs, and that outlives it.
pub struct World {
    pub data: tempfile::TempDir,
    pub cwd: tempfile::TempDir,
    pub twilio: FakeTwilio,
    pub sim: SimHandle,
    pub envs: Vec<(&'static str, String)>,
}

impl World {
    pub async fn new() -> Self {
        let data = tempfile::tempdir().expect("data dir");
        let cwd = tempfile::tempdir().expect("cwd");
        let migrated = run(
            cwd.path(),
            &["migrate"],
            &[("CHARGEPLAN__SERVER__DATA_DIR", utf8(data.path()))],
        );
        assert_eq!(migrated.status.code(), Some(0), "{migrated:?}");
        seed_garage(data.path(), DRIVER_PHONE, DRIVER_CARD).await;

        let twilio = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;
        let mut sim_config = SimConfig::new(TOKEN_A, Utc::now());
        sim_config.registered = false;
        sim_config.clock = ClockMode::RealTime {
            start: Utc::now(),
            speedup: 1.0,
        };
        let sim = SimCloud::start(sim_config).await.expect("simulator");
        let envs = vec![
            ("CHARGEPLAN__EXCHANGE__POLL_INTERVAL_S", "1".to_owned()),
            ("CHARGEPLAN__DRIVER__REPLAN_INTERVAL_S", "10".to_owned()),
            ("CHARGEPLAN__SMS__PROVIDER", "twilio".to_owned()),
            (
                "CHARGEPLAN__SMS__TWILIO_ACCOUNT_SID",
                ACCOUNT_SID.to_owned(),
            ),
            ("CHARGEPLAN__SMS__TWILIO_AUTH_TOKEN", AUTH_TOKEN.to_owned()),
            ("CHARGEPLAN__SMS__TWILIO_FROM", "+15005550006".to_owned()),
            ("CHARGEPLAN__SMS__TWILIO_API_BASE", twilio.api_base()),
        ];
        Self {
            data,
            cwd,
            twilio,
            sim,
            envs,
        }
    }

    /// Registers the simulator as a vendor account, through a server that is then stopped: a
    /// server picks up the accounts it finds at start at once (new ones only at its next
    /// rescan, 30 s later).
    pub fn with_vendor(self) -> Self {
        let mut app = self.serve();
        self.register_vendor(&app);
        let stopped = app.terminate().expect("the setup server stops on SIGTERM");
        assert_eq!(stopped.code(), Some(0), "{}", app.stderr_text());
        self
    }

    /// Starts `chargeplan serve` on the world's data directory (a new port every time).
    pub fn serve(&self) -> TestApp {
        let envs: Vec<(&str, &str)> = self.envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        spawn_app(self.data.path(), &envs)
    }

    /// Registers the simulator as vendor account `sim` with the running server.
    pub fn register_vendor(&self, app: &TestApp) {
        let versions_url = self.sim.base_url();
        let registered = run(
            self.cwd.path(),
            &[
                "vendor",
                "register",
                "--id",
                "sim",
                "--versions-url",
                &versions_url,
                "--token-a",
                TOKEN_A,
            ],
            &[
                ("CHARGEPLAN__SERVER__DATA_DIR", utf8(self.data.path())),
                ("CHARGEPLAN__EXCHANGE__PUBLIC_URL", app.address.as_str()),
            ],
        );
        assert_eq!(
            registered.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&registered.stderr)
        );
    }

    /// The driver plugs in with their card at DEMO-01; returns the vendor's session id.
    pub fn plug_in_driver(&self) -> String {
        self.sim
            .plug_in(ArrivalSpec {
                evse: "DEMO-01".into(),
                token_uid: DRIVER_CARD.into(),
                arrival: self.sim.now(),
                departure: None,
                battery_kwh: 60.0,
                soc: 0.2,
                max_kw: 11.0,
            })
            .expect("plugged in")
            .expect("the session starts at once")
    }

    pub fn welcomes(&self) -> Vec<FakeMessage> {
        texts_where(&self.twilio, |body| body.starts_with("Welcome to"))
    }

    pub fn confirmations(&self) -> Vec<FakeMessage> {
        texts_where(&self.twilio, |body| body.contains(CONFIRMATION_TAIL))
    }
}

pub fn texts_where(twilio: &FakeTwilio, keep: impl Fn(&str) -> bool) -> Vec<FakeMessage> {
    twilio
        .sent()
        .into_iter()
        .filter(|message| keep(&message.body))
        .collect()
}

pub fn utf8(path: &std::path::Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

/// Polls `probe` every 100 ms until it gives a value; panics with `what` and the server's log
/// after `PATIENCE`.
pub async fn eventually<T>(app: &TestApp, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}; server log:\n{}",
            app.stderr_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
