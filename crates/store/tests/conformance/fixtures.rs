//! Small valid domain values for the conformance cases.

use chargeplan_core::{
    Circuit, CircuitId, KilowattHours, Kilowatts, MemberId, Participant, ParticipantId, Phases,
    PhoneNumber, Port, PortId, Session, SessionId, SessionStatus, Site, SiteId, TokenUid,
    VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::prelude::*;
use chrono::{DateTime, Duration, TimeZone, Utc};

/// A fixed instant the cases count from (2026-06-15 16:00 UTC, 09:00 in Los Angeles).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 16, 0, 0)
        .single()
        .expect("valid instant")
}

pub fn minutes(n: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(n)
}

pub fn site_id(id: &str) -> SiteId {
    SiteId::parse(id).expect("valid site id")
}

pub fn circuit_id(id: &str) -> CircuitId {
    CircuitId::parse(id).expect("valid circuit id")
}

pub fn site(id: &str) -> Site {
    Site::new(site_id(id), "Garage A", "America/Los_Angeles", 5).expect("valid site")
}

pub fn circuit(site: &str, id: &str, parent: Option<&str>, cap_kw: f64) -> Circuit {
    Circuit::new(
        circuit_id(id),
        site_id(site),
        &format!("Circuit {id}"),
        parent.map(circuit_id),
        Kilowatts::new(cap_kw).expect("valid cap"),
    )
    .expect("valid circuit")
}

/// A site `id` with a root `<id>-main` (150 kW) and a pod `<id>-pod` (16.6 kW) under it.
pub async fn seeded_site(store: &dyn Store, id: &str) -> Site {
    let site = site(id);
    store.upsert_site(&site, t0()).await.expect("site stored");
    let main = format!("{id}-main");
    let circuits = [
        circuit(id, &main, None, 150.0),
        circuit(id, &format!("{id}-pod"), Some(&main), 16.6),
    ];
    store
        .replace_circuits(&site.id, &circuits, t0())
        .await
        .expect("circuits stored");
    site
}

pub fn port(site: &str, id: &str, circuit: &str, evse: &str) -> Port {
    Port::new(
        PortId::parse(id).expect("valid port id"),
        site_id(site),
        circuit_id(circuit),
        VendorRef::new(
            VendorAccountId::parse("cpo-1").expect("valid vendor"),
            "LOC1",
            evse,
            "1",
        )
        .expect("valid vendor ref"),
        Kilowatts::new(6.6).expect("valid power"),
        Phases::One,
        208.0,
        true,
    )
    .expect("valid port")
}

pub fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).expect("valid phone")
}

pub fn token(uid: &str) -> TokenUid {
    TokenUid::parse(uid).expect("valid token")
}

pub fn participant(site: &str, id: &str, number: &str, tokens: &[&str]) -> Participant {
    Participant::new(
        ParticipantId::parse(id).expect("valid participant id"),
        MemberId::generate(&mut rand::rng()),
        site_id(site),
        phone(number),
        tokens.iter().map(|uid| token(uid)).collect(),
        WhPerMile::default(),
        t0(),
    )
    .expect("valid participant")
}

/// An active session `vendor_id` at `site`, as the vendor reports it `updated` minutes after t0.
pub fn session(
    site: &str,
    vendor_id: &str,
    updated: i64,
    kwh: f64,
    kw: f64,
    status: SessionStatus,
) -> Session {
    Session {
        id: SessionId::parse(&format!("s-{vendor_id}")).expect("valid session id"),
        site_id: site_id(site),
        vendor_account: VendorAccountId::parse("cpo-1").expect("valid vendor"),
        vendor_session_id: vendor_id.to_owned(),
        port_id: None,
        token_uid: Some(token("RFID-1")),
        started_at: t0(),
        ended_at: None,
        energy: KilowattHours::new(kwh).expect("valid energy"),
        power: Kilowatts::new(kw).expect("valid power"),
        status,
        vendor_updated_at: minutes(updated),
    }
}
