//! A running app for the tests: a fresh SQLite store in a temp dir with one site, a manual
//! clock, the control loop, and helpers that send requests through `router` with `oneshot`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chargeplan_control::ControlConfig;
use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, ManualClock, Participant, ParticipantId, Phases,
    PhoneNumber, Port, PortId, Site, SiteId, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{OutboxMessage, StoreTarget};
use chargeplan_web::{AppState, router};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

/// The site every test starts with.
pub const SITE: &str = "s1";
/// Its name, as drivers see it.
pub const SITE_NAME: &str = "Test Site";
/// The operator API's admin token (its hash is in the state).
pub const ADMIN_TOKEN: &str = "operator-secret";
/// The number printed on stickers (`sms.public_number`).
pub const PUBLIC_NUMBER: &str = "+15550100000";

/// 09:00 in Los Angeles on Monday 2026-06-15.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("valid time")
}

pub fn site_id() -> SiteId {
    SiteId::parse(SITE).expect("id")
}

/// The app under test; stops the control loop when dropped.
pub struct TestApp {
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    cancel: CancellationToken,
    _dir: tempfile::TempDir,
}

/// What a route answered.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// Every header (e.g. `Set-Cookie`).
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl TestApp {
    /// The site `s1` with a 150 kW main circuit and two 6.6 kW ports; the operator API on.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrated");
        let clock = Arc::new(ManualClock::new(t0()));
        let cancel = CancellationToken::new();
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let control = chargeplan_control::start(
            store.clone(),
            dyn_clock.clone(),
            ControlConfig::default(),
            &TaskTracker::new(),
            cancel.clone(),
        );
        let state = AppState {
            admin_token_hash: Some(sha256_hex(ADMIN_TOKEN)),
            public_sms_number: Some(PhoneNumber::parse(PUBLIC_NUMBER).expect("number")),
            ..AppState::new(store.clone(), dyn_clock, control)
        };
        let app = Self {
            store,
            clock,
            state,
            cancel,
            _dir: dir,
        };
        app.add_site(SITE, SITE_NAME).await;
        app
    }

    /// Adds a site with one circuit and two ports.
    pub async fn add_site(&self, id: &str, name: &str) {
        let site_id = SiteId::parse(id).expect("id");
        let site = Site::new(site_id.clone(), name, "America/Los_Angeles", 5).expect("site");
        self.store.upsert_site(&site, t0()).await.expect("site");
        let main = CircuitId::parse(&format!("{id}-main")).expect("id");
        let circuit =
            Circuit::new(main.clone(), site_id.clone(), "Main", None, kw(150.0)).expect("circuit");
        self.store
            .replace_circuits(&site_id, &[circuit], t0())
            .await
            .expect("circuits");
        for n in 1..=2 {
            let port = Port::new(
                PortId::parse(&format!("{id}-p{n}")).expect("id"),
                site_id.clone(),
                main.clone(),
                VendorRef::new(vendor(), id, &format!("EVSE{n}"), "1").expect("ref"),
                kw(6.6),
                Phases::One,
                240.0,
                true,
            )
            .expect("port");
            self.store.upsert_port(&port).await.expect("port");
        }
    }

    /// Registers a participant directly in the store.
    pub async fn add_participant(&self, site: &str, phone: &str, tokens: &[&str]) -> Participant {
        let participant = Participant::new(
            ParticipantId::generate(),
            chargeplan_core::MemberId::generate(&mut rand::rng()),
            SiteId::parse(site).expect("id"),
            PhoneNumber::parse(phone).expect("phone"),
            tokens
                .iter()
                .map(|t| TokenUid::parse(t).expect("uid"))
                .collect(),
            WhPerMile::default(),
            self.clock.now(),
        )
        .expect("participant");
        self.store
            .insert_participant(&participant)
            .await
            .expect("participant stored");
        participant
    }

    /// The participants of the default site.
    pub async fn participants(&self) -> Vec<Participant> {
        self.store
            .list_participants(&site_id())
            .await
            .expect("participants")
    }

    /// Messages queued since the last call (claimed, so each is returned once).
    pub async fn new_messages(&self) -> Vec<OutboxMessage> {
        self.store
            .claim_due_messages(self.clock.now() + Duration::days(1), Duration::days(1), 100)
            .await
            .expect("claimed")
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = router(self.state.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().expect("ascii").to_owned());
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        Reply {
            status,
            location,
            headers,
            body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// Posts `fields` as `application/x-www-form-urlencoded`, as a browser does.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// Calls the operator API with `token` (if any) and a JSON `body` (if any).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

pub fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

pub fn vendor() -> VendorAccountId {
    VendorAccountId::parse("cpo-1").expect("id")
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The value of the hidden input `name` in a page.
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden field {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}
