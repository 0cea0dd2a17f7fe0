//! The small garage the driver, crash and cap end-to-end tests share, written straight into
//! the SQLite file a `chargeplan serve` will then use (the operator API for layouts is issue #7).

use std::path::Path;
use std::sync::Arc;

use chargeplan_core::{
    Circuit, CircuitId, Kilowatts, Participant, ParticipantId, Phases, PhoneNumber, Port, PortId,
    Site, SiteId, TokenUid, VendorAccountId, VendorRef, WhPerMile,
};
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use chrono::Utc;

/// Site `garage` ("Garage West", Los Angeles), a 22 kW circuit, the simulator's DEMO-01 and
/// DEMO-02 mapped under vendor account `sim`, and one driver with `phone` and `card`.
pub async fn seed_garage(data_dir: &Path, phone: &str, card: &str) {
    let store: Arc<dyn Store> = chargeplan_store::open(&StoreTarget::Sqlite {
        path: data_dir.join("chargeplan.db"),
    })
    .await
    .expect("store");
    let now = Utc::now();
    let site = SiteId::parse("garage").expect("id");
    store
        .upsert_site(
            &Site::new(site.clone(), "Garage West", "America/Los_Angeles", 5).expect("site"),
            now,
        )
        .await
        .expect("site stored");
    let main = CircuitId::parse("main").expect("id");
    let circuit =
        Circuit::new(main.clone(), site.clone(), "Main", None, kw(22.0)).expect("circuit");
    store
        .replace_circuits(&site, &[circuit], now)
        .await
        .expect("circuits");
    for evse in ["DEMO-01", "DEMO-02"] {
        let port = Port::new(
            PortId::parse(evse).expect("id"),
            site.clone(),
            main.clone(),
            VendorRef::new(
                VendorAccountId::parse("sim").expect("id"),
                "DEMO",
                evse,
                "1",
            )
            .expect("ref"),
            kw(11.04),
            Phases::Three,
            230.0,
            true,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
    }
    let driver = Participant::new(
        ParticipantId::parse("driver-1").expect("id"),
        chargeplan_core::MemberId::generate(&mut rand::rng()),
        site,
        PhoneNumber::parse(phone).expect("phone"),
        vec![TokenUid::parse(card).expect("uid")],
        WhPerMile::default(),
        now,
    )
    .expect("participant");
    store.insert_participant(&driver).await.expect("driver");
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}
