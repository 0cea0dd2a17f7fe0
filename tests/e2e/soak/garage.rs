//! The soak's car park, as an operator would set it up: the simulator's demo layout (six 11 kW
//! ports, two 7.4 kW, two 7.4 kW single-phase ports that take no profiles) on one 32 kW circuit.

use std::path::Path;
use std::sync::Arc;

use chargeplan_core::{
    Circuit, CircuitId, Kilowatts, Phases, Port, PortId, Site, SiteId, VendorAccountId, VendorRef,
};
use chargeplan_store::{Store, StoreTarget};
use chrono::Utc;

/// The site's id.
pub const SITE: &str = "soak";
/// The circuit's cap, kW.
pub const CAP_KW: f64 = 32.0;

/// One port of the layout: its id, maximum and whether it takes charging profiles.
pub struct PortSpec {
    pub id: &'static str,
    pub max_kw: f64,
    pub phases: Phases,
    pub controllable: bool,
}

/// The ten ports, as `chargeplan_sim::Site::demo()` lays them out.
pub fn ports() -> Vec<PortSpec> {
    const IDS: [&str; 10] = [
        "DEMO-01", "DEMO-02", "DEMO-03", "DEMO-04", "DEMO-05", "DEMO-06", "DEMO-07", "DEMO-08",
        "DEMO-09", "DEMO-10",
    ];
    IDS.iter()
        .enumerate()
        .map(|(i, &id)| match i {
            0..=5 => PortSpec {
                id,
                max_kw: 11.04,
                phases: Phases::Three,
                controllable: true,
            },
            6 | 7 => PortSpec {
                id,
                max_kw: 7.4,
                phases: Phases::Three,
                controllable: true,
            },
            _ => PortSpec {
                id,
                max_kw: 7.36,
                phases: Phases::One,
                controllable: false,
            },
        })
        .collect()
}

/// Opens the data directory's SQLite store (the server may be running on it).
pub async fn open_store(data_dir: &Path) -> Arc<dyn Store> {
    chargeplan_store::open(&StoreTarget::Sqlite {
        path: data_dir.join("chargeplan.db"),
    })
    .await
    .expect("store")
}

/// Stores the site, its circuit and ports in a migrated data directory.
pub async fn seed(data_dir: &Path) {
    let store = open_store(data_dir).await;
    let now = Utc::now();
    let site = SiteId::parse(SITE).expect("id");
    store
        .upsert_site(
            &Site::new(site.clone(), "Soak car park", "Europe/Amsterdam", 5).expect("site"),
            now,
        )
        .await
        .expect("site stored");
    let main = CircuitId::parse("main").expect("id");
    let circuit =
        Circuit::new(main.clone(), site.clone(), "Main", None, kw(CAP_KW)).expect("circuit");
    store
        .replace_circuits(&site, &[circuit], now)
        .await
        .expect("circuits");
    for spec in ports() {
        let vendor = VendorRef::new(
            VendorAccountId::parse("sim").expect("id"),
            "DEMO",
            spec.id,
            "1",
        )
        .expect("ref");
        let port = Port::new(
            PortId::parse(spec.id).expect("id"),
            site.clone(),
            main.clone(),
            vendor,
            kw(spec.max_kw),
            spec.phases,
            230.0,
            spec.controllable,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
    }
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}
