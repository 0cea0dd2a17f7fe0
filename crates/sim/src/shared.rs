//! State shared by the HTTP handlers, the clock task and the handle; outbound calls to the peer.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{Faults, ProfileBehaviour, PushConfig};
use crate::objects::{Cpo, period_json, session_json};
use crate::world::{Change, World};

/// What the presented token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// `CREDENTIALS_TOKEN_A`: versions and credentials only.
    Registration,
    /// A registered peer's token: every module.
    Full,
}

/// The peer as learnt from the handshake.
#[derive(Debug, Clone, Default)]
pub(crate) struct Peer {
    pub token_b: Option<String>,
    pub sessions_url: Option<String>,
    pub chargingprofiles_url: Option<String>,
}

/// Tokens in force.
#[derive(Debug, Clone, Default)]
pub(crate) struct Auth {
    pub token_a: Option<String>,
    pub token_c: Option<String>,
    pub peer: Peer,
}

/// One outbound HTTP call.
#[derive(Debug)]
pub(crate) struct Outbound {
    pub method: Method,
    pub url: String,
    pub body: Value,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub world: Mutex<World>,
    pub auth: Mutex<Auth>,
    pub faults: Mutex<Faults>,
    /// The token the simulator was started with; the control surface (`/sim/...`) wants it.
    pub control_token: String,
    pub profiles: Mutex<ProfileBehaviour>,
    pub push: PushConfig,
    pub fallback_peer_token: Option<String>,
    pub cpo: Cpo,
    pub page_limit: usize,
    /// `http://host:port`, no trailing slash.
    pub origin: String,
    pub client: reqwest::Client,
    pub tracker: TaskTracker,
    pub cancel: CancellationToken,
    pub runtime: tokio::runtime::Handle,
    /// Session pushes, sent one after another so they arrive in order.
    pub pushes: mpsc::UnboundedSender<Outbound>,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether an `Authorization` header value carries `token`, base64-encoded (with or without
/// padding) or raw; a trailing newline inside the encoding is tolerated.
pub(crate) fn header_matches(header: &str, token: &str) -> bool {
    let Some(given) = header.strip_prefix("Token ").map(str::trim) else {
        return false;
    };
    if given == token {
        return true;
    }
    [STANDARD.decode(given), STANDARD_NO_PAD.decode(given)]
        .into_iter()
        .flatten()
        .any(|bytes| String::from_utf8_lossy(&bytes).trim_end_matches(['\n', '\r']) == token)
}

/// Joins an endpoint URL and a path segment with exactly one `/`.
pub(crate) fn join(base: &str, segment: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        segment.trim_start_matches('/')
    )
}

impl Shared {
    pub fn versions_url(&self) -> String {
        format!("{}/ocpi/versions", self.origin)
    }

    /// What `Authorization` grants, if anything.
    pub fn access(&self, header: Option<&str>) -> Option<Access> {
        let header = header?;
        let auth = lock(&self.auth);
        if auth
            .token_c
            .as_deref()
            .is_some_and(|t| header_matches(header, t))
        {
            Some(Access::Full)
        } else if auth
            .token_a
            .as_deref()
            .is_some_and(|t| header_matches(header, t))
        {
            Some(Access::Registration)
        } else {
            None
        }
    }

    /// Token B for calls to the peer.
    pub fn outbound_token(&self) -> Option<String> {
        let auth = lock(&self.auth);
        auth.peer
            .token_b
            .clone()
            .or_else(|| self.push.token.clone())
            .or_else(|| self.fallback_peer_token.clone())
            .or_else(|| auth.token_c.clone())
    }

    /// Builds the request with OCPI headers.
    pub fn request(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut req = self
            .client
            .request(method, url)
            .header("X-Request-ID", uuid::Uuid::new_v4().to_string())
            .header("X-Correlation-ID", uuid::Uuid::new_v4().to_string())
            .header("OCPI-from-country-code", &self.cpo.country_code)
            .header("OCPI-from-party-id", &self.cpo.party_id);
        if let Some(token) = token {
            req = req.header("Authorization", format!("Token {}", STANDARD.encode(token)));
        }
        req
    }

    /// Sends `out` after `delay` (real time) in a tracked task; `done` gets the outcome.
    pub fn send_later(
        self: &Arc<Self>,
        delay: Duration,
        out: Outbound,
        done: impl FnOnce(&Self, Result<u16, String>) + Send + 'static,
    ) {
        let shared = Arc::clone(self);
        self.tracker.spawn_on(
            async move {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shared.cancel.cancelled() => return,
                }
                let outcome = shared.send(out).await;
                done(&shared, outcome);
            },
            &self.runtime,
        );
    }

    pub async fn send(&self, out: Outbound) -> Result<u16, String> {
        let token = self.outbound_token();
        let result = self
            .request(out.method, &out.url, token.as_deref())
            .json(&out.body)
            .send()
            .await;
        match result {
            Ok(resp) => Ok(resp.status().as_u16()),
            Err(e) => {
                tracing::warn!(url = %out.url, error = %e, "push to peer failed");
                Err(e.to_string())
            }
        }
    }

    /// Turns the world's recent changes into session pushes (when configured) and drops them otherwise.
    pub fn flush_changes(&self) {
        let mut world = lock(&self.world);
        let changes = std::mem::take(&mut world.changes);
        if !self.push.push_sessions || changes.is_empty() {
            return;
        }
        let url = self
            .push
            .sessions_url
            .clone()
            .or_else(|| lock(&self.auth).peer.sessions_url.clone());
        let Some(url) = url else { return };
        let now = world.now;
        for change in changes {
            let (id, out) = match &change {
                Change::Started(id) | Change::Completed(id) => {
                    let Some(s) = world.session(id) else { continue };
                    (id, (Method::PUT, json!(session_json(s, &self.cpo, now))))
                }
                Change::PeriodClosed(id, k) => {
                    let Some(s) = world.session(id) else { continue };
                    let body = json!({
                        "kwh": crate::wire::round4(s.kwh),
                        "charging_periods": [period_json(s, *k, now)],
                        "last_updated": crate::wire::format_datetime(s.last_updated),
                    });
                    (id, (Method::PATCH, body))
                }
            };
            let target = join(
                &url,
                &format!("{}/{}/{}", self.cpo.country_code, self.cpo.party_id, id),
            );
            let _ = self.pushes.send(Outbound {
                method: out.0,
                url: target,
                body: out.1,
            });
        }
    }
}

/// Sends session pushes in order until cancelled (failed pushes are not retried, as in OCPI).
pub(crate) async fn push_worker(shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Outbound>) {
    loop {
        let next = tokio::select! {
            next = rx.recv() => next,
            () = shared.cancel.cancelled() => None,
        };
        let Some(out) = next else { break };
        let _ = shared.send(out).await;
    }
}
