//! Configuration of a simulated cloud: network, credentials, clock, charging-profile behaviour and faults.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::site::Site;

/// Everything [`crate::SimCloud::start`] needs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port (see [`crate::SimHandle::base_url`]).
    pub bind: SocketAddr,
    /// The credentials token the peer must present (`Token <base64>` or raw).
    pub token: String,
    /// `true`: `token` is a complete registration's token, valid for every module (like `--token`).
    /// `false`: `token` is a `CREDENTIALS_TOKEN_A`, valid only for versions and credentials until
    /// the peer POSTs its credentials; the answer's token C then replaces it.
    pub registered: bool,
    /// The token the simulator presents when it calls the peer (token B) before any handshake.
    pub peer_token: Option<String>,
    /// Largest page a list GET returns (`X-Limit`).
    pub page_limit: usize,
    /// OCPI `country_code` of the CPO.
    pub country_code: String,
    /// OCPI `party_id` of the CPO.
    pub party_id: String,
    /// Currency of sessions (ISO 4217).
    pub currency: String,
    /// The layout.
    pub site: Site,
    /// How simulated time moves.
    pub clock: ClockMode,
    /// Longest physics step; profile changes, arrivals and departures are always stepped exactly.
    pub physics_step: Duration,
    /// How the charging-profile module answers.
    pub profiles: ProfileBehaviour,
    /// Where to push sessions and active profiles.
    pub push: PushConfig,
    /// Fault switches at start; change them later with [`crate::SimHandle::set_faults`].
    pub faults: Faults,
}

impl SimConfig {
    /// A loopback server on a free port with the demo site, manual clock at `start`, and `token`
    /// accepted for every module.
    pub fn new(token: impl Into<String>, start: DateTime<Utc>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: token.into(),
            registered: true,
            peer_token: None,
            page_limit: 50,
            country_code: "NL".into(),
            party_id: "SIM".into(),
            currency: "EUR".into(),
            site: Site::demo(),
            clock: ClockMode::Manual { start },
            physics_step: Duration::from_secs(60),
            profiles: ProfileBehaviour::default(),
            push: PushConfig::default(),
            faults: Faults::default(),
        }
    }

    /// The same, with another layout.
    #[must_use]
    pub fn with_site(mut self, site: Site) -> Self {
        self.site = site;
        self
    }
}

/// How simulated time moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockMode {
    /// Time stands still until [`crate::SimHandle::advance`] steps it: deterministic, for tests.
    Manual {
        /// The first simulated instant.
        start: DateTime<Utc>,
    },
    /// A background task moves time `speedup` times faster than the wall clock (60 = one simulated
    /// hour per real minute); `advance` still jumps ahead.
    RealTime {
        /// The first simulated instant.
        start: DateTime<Utc>,
        /// Simulated seconds per real second.
        speedup: f64,
    },
}

impl ClockMode {
    /// The first simulated instant.
    pub fn start(&self) -> DateTime<Utc> {
        match *self {
            Self::Manual { start } | Self::RealTime { start, .. } => start,
        }
    }
}

/// The synchronous answer the CPO gives to a charging-profile request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileMode {
    /// `ACCEPTED`, then the asynchronous result `ACCEPTED` after the delay.
    Accept,
    /// `ACCEPTED`, then the asynchronous result `REJECTED` (the charge point refused it).
    AcceptThenReject,
    /// `ACCEPTED`, and no asynchronous result ever (the SCSP's timeout must fire).
    AcceptSilently,
    /// `REJECTED`.
    Reject,
    /// `NOT_SUPPORTED`.
    NotSupported,
    /// `TOO_OFTEN` (for PUT; GET and DELETE are accepted).
    TooOften,
    /// `UNKNOWN_SESSION`.
    UnknownSession,
}

/// Charging-profile module behaviour.
#[derive(Debug, Clone)]
pub struct ProfileBehaviour {
    /// Answer for every session without an entry in `per_session`.
    pub mode: ProfileMode,
    /// Answers for particular sessions.
    pub per_session: HashMap<String, ProfileMode>,
    /// `TOO_OFTEN` when a PUT for the same session comes sooner than this (simulated time) after
    /// the last accepted one.
    pub min_interval: Option<Duration>,
    /// Real time between the synchronous answer and the POST of the asynchronous result.
    pub result_delay: Duration,
    /// `timeout` in the synchronous answer, seconds.
    pub timeout_s: u32,
}

impl Default for ProfileBehaviour {
    fn default() -> Self {
        Self {
            mode: ProfileMode::Accept,
            per_session: HashMap::new(),
            min_interval: None,
            result_delay: Duration::from_millis(50),
            timeout_s: 30,
        }
    }
}

/// Where the simulator pushes data to the peer. URLs learnt during the credentials handshake are
/// used when these are `None`.
#[derive(Debug, Clone, Default)]
pub struct PushConfig {
    /// The peer's Sessions receiver endpoint (`{url}/{country_code}/{party_id}/{session_id}`).
    pub sessions_url: Option<String>,
    /// The peer's chargingprofiles endpoint (`{url}/{session_id}` receives `ActiveChargingProfile`).
    pub chargingprofiles_url: Option<String>,
    /// Token for pushes (token B); falls back to the handshake's B, then `peer_token`.
    pub token: Option<String>,
    /// Push sessions: PUT at start and at completion, PATCH with each closed charging period.
    pub push_sessions: bool,
    /// PUT an `ActiveChargingProfile` when a session's profile changes, for sessions the peer has
    /// successfully PUT a profile for at least once.
    pub push_active_profiles: bool,
}

/// Fault switches for the functional modules (locations, sessions, chargingprofiles).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every response (including versions and credentials).
    pub latency: Duration,
    /// The next this-many functional requests get HTTP `server_error_status` instead.
    pub server_errors: u32,
    /// The HTTP status of those errors (500 when 0).
    pub server_error_status: u16,
    /// The next this-many functional requests hang for `hang` before answering normally.
    pub timeouts: u32,
    /// How long a hanging request hangs (30 s when zero).
    pub hang: Duration,
    /// The next this-many functional responses carry a truncated, invalid JSON body (the
    /// request itself is carried out).
    pub malformed: u32,
    /// The next this-many functional requests are carried out, but the connection breaks
    /// while the answer's body is being sent (the client sees a reset).
    pub resets: u32,
    /// Each page after the first starts this many items early (items repeat across pages).
    pub duplicate_overlap: usize,
    /// Items within each page are listed newest first.
    pub out_of_order_pages: bool,
    /// Faults drawn at random for each functional request once the counters above are spent.
    pub rates: FaultRates,
}

/// The share of functional requests that meet each fault, drawn independently per request
/// from a seeded stream (the same seed gives the same faults in the same order). Each is from
/// 0.0 to 1.0 and together they are at most 1.0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultRates {
    /// Answered with HTTP `server_error_status` (the request is not carried out).
    pub server_error: f64,
    /// Hang for `hang`, then answered normally.
    pub hang: f64,
    /// Carried out, with a truncated JSON body.
    pub malformed: f64,
    /// Carried out, then the connection breaks while the body is sent.
    pub reset: f64,
    /// The state of the random stream; advances with every draw.
    pub seed: u64,
}

impl FaultRates {
    /// Why these rates cannot be used, if they cannot.
    pub fn problem(&self) -> Option<String> {
        let named = [
            ("server_error", self.server_error),
            ("hang", self.hang),
            ("malformed", self.malformed),
            ("reset", self.reset),
        ];
        if let Some((name, rate)) = named
            .iter()
            .find(|(_, r)| !r.is_finite() || !(0.0..=1.0).contains(r))
        {
            return Some(format!("rate {name} is {rate}: it must be from 0.0 to 1.0"));
        }
        let total: f64 = named.iter().map(|(_, r)| r).sum();
        (total > 1.0 + 1e-9).then(|| format!("the rates add up to {total}: at most 1.0"))
    }

    /// A uniform draw from [0, 1), advancing the stream (SplitMix64).
    pub(crate) fn draw(&mut self) -> f64 {
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1_u64 << 53) as f64
    }
}
