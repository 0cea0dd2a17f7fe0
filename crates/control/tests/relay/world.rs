//! A site with two registered owners and their cars, the relay on a real SQLite store and a
//! manual clock, and helpers to text it and read what it sent.

use std::sync::Arc;

use chargeplan_control::ControlMetrics;
use chargeplan_control::relay::Relay;
use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, Clock, EnergyNeed, KilowattHours, Kilowatts, ManualClock,
    MemberId, Participant, ParticipantId, Phases, PhoneNumber, Port, PortId, Session, SessionId,
    SessionStatus, Site, SiteId, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, OutboxMessage, StoreTarget};
use chrono::{DateTime, Duration, TimeZone, Utc};

pub const OWNER: &str = "+14155550101";
pub const OWNER_ID: &str = "K7QX2M";
pub const SECOND_OWNER: &str = "+14155550102";
pub const SECOND_ID: &str = "M3ZZ9A";
pub const WAITER: &str = "+14155550199";

/// 09:00 in Los Angeles.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("valid time")
}

pub fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).expect("phone")
}

pub struct World {
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub relay: Relay,
    pub metrics: ControlMetrics,
    texts: std::sync::atomic::AtomicU64,
    _dir: tempfile::TempDir,
}

fn site_id() -> SiteId {
    SiteId::parse("caltech").expect("id")
}

impl World {
    /// The site "Caltech garage" with two ports, owners K7QX2M (charging: 18 of 20 kWh
    /// asked, at 6.6 kW) and M3ZZ9A (not plugged in).
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrated");
        let site = Site::new(site_id(), "Caltech garage", "America/Los_Angeles", 5).expect("site");
        store.upsert_site(&site, t0()).await.expect("site");
        let main = CircuitId::parse("main").expect("id");
        let circuit =
            Circuit::new(main.clone(), site_id(), "Main", None, kw(50.0)).expect("circuit");
        store
            .replace_circuits(&site_id(), &[circuit], t0())
            .await
            .expect("circuits");
        for n in 1..=2 {
            let port = Port::new(
                PortId::parse(&format!("p{n}")).expect("id"),
                site_id(),
                main.clone(),
                VendorRef::new(vendor(), "LOC1", &format!("EVSE{n}"), "1").expect("ref"),
                kw(6.6),
                Phases::One,
                240.0,
                true,
            )
            .expect("port");
            store.upsert_port(&port).await.expect("port");
        }
        for (id, member, number, token) in [
            ("alice", OWNER_ID, OWNER, "RFID-A"),
            ("bob", SECOND_ID, SECOND_OWNER, "RFID-B"),
        ] {
            let participant = Participant::new(
                ParticipantId::parse(id).expect("id"),
                MemberId::parse(member).expect("member"),
                site_id(),
                phone(number),
                vec![TokenUid::parse(token).expect("uid")],
                WhPerMile::default(),
                t0(),
            )
            .expect("participant");
            store
                .insert_participant(&participant)
                .await
                .expect("participant");
        }
        let session = Session {
            id: SessionId::generate(),
            site_id: site_id(),
            vendor_account: vendor(),
            vendor_session_id: "S1".into(),
            port_id: Some(PortId::parse("p1").expect("id")),
            token_uid: Some(TokenUid::parse("RFID-A").expect("uid")),
            started_at: t0() - Duration::hours(2),
            ended_at: None,
            energy: KilowattHours::new(18.2).expect("kwh"),
            power: kw(6.6),
            status: SessionStatus::Active,
            vendor_updated_at: t0(),
        };
        let session = store
            .upsert_session(&session, &Effects::none())
            .await
            .expect("session")
            .1;
        let request = ChargingRequest::new(
            session.id.clone(),
            1,
            t0() + Duration::hours(6),
            EnergyNeed::Kwh(20.0),
            None,
            t0(),
        )
        .expect("request");
        store
            .add_request_revision(&request, &Effects::none())
            .await
            .expect("request");
        let clock = Arc::new(ManualClock::new(t0()));
        let metrics = ControlMetrics::new();
        let relay = Relay::new(store.clone(), clock.clone(), metrics.clone());
        Self {
            store,
            clock,
            relay,
            metrics,
            texts: std::sync::atomic::AtomicU64::new(0),
            _dir: dir,
        }
    }

    /// `from` texts `body`; the immediate answer, if any.
    pub async fn text(&self, from: &str, body: &str) -> Option<String> {
        let n = self
            .texts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.text_with_id(from, body, &format!("SM{n:032}")).await
    }

    pub async fn text_with_id(&self, from: &str, body: &str, sid: &str) -> Option<String> {
        self.relay
            .on_text(&phone(from), body, sid)
            .await
            .expect("relay")
    }

    /// Everything queued in the outbox since the last call, oldest first.
    pub async fn sent(&self) -> Vec<OutboxMessage> {
        let mut messages = self
            .store
            .claim_due_messages(
                self.clock.now() + Duration::days(1),
                Duration::days(30),
                1000,
            )
            .await
            .expect("claimed");
        messages.sort_by_key(|message| message.id);
        messages
    }

    /// The bodies sent to `to` since the last call to `sent`.
    pub fn bodies_to(messages: &[OutboxMessage], to: &str) -> Vec<String> {
        messages
            .iter()
            .filter(|message| message.recipient.as_e164() == to)
            .map(|message| message.body.clone())
            .collect()
    }

    pub fn advance(&self, minutes: i64) {
        self.clock.advance(Duration::minutes(minutes));
    }
}

/// The `[K7]` code at the start of a relay text.
pub fn code_of(body: &str) -> String {
    body.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(code, _)| code.to_owned())
        .unwrap_or_else(|| panic!("no thread code in {body:?}"))
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kw")
}

fn vendor() -> VendorAccountId {
    VendorAccountId::parse("cpo").expect("id")
}

impl World {
    /// Gives K7QX2M's plugged-in car its personal link, as its Welcome SMS would, so that
    /// its owner's texts about their own charging are read as requests.
    pub async fn welcome_owner(&self) -> Session {
        let site = self.store.get_site(&site_id()).await.expect("site");
        let session = self
            .store
            .list_open_sessions(&site_id())
            .await
            .expect("sessions")
            .into_iter()
            .next()
            .expect("a session");
        chargeplan_control::conversation::welcome(
            self.store.as_ref(),
            &site,
            &session,
            &chargeplan_control::ControlConfig::default(),
            self.clock.now(),
        )
        .await
        .expect("welcome");
        self.sent().await;
        session
    }
}
