//! A simulated CPO, our store on a fresh SQLite file, and our OCPI receiver on port 0.

use std::sync::Arc;

use chargeplan_core::{
    Circuit, CircuitId, Clock, Kilowatts, Phases, Port, PortId, Site, SiteId, SystemClock,
    VendorAccountId, VendorRef,
};
use chargeplan_exchange::ocpi::receiver::{RESULTS_PATH, ReceiverState, router};
use chargeplan_exchange::ocpi::{CpoEndpoints, OcpiClient, OcpiCloud, TokenEncoding, discover};
use chargeplan_exchange::results::PendingResults;
use chargeplan_exchange::{VendorCloud, VendorPort};
use chargeplan_sim::{SimCloud, SimConfig, SimHandle};
use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use chrono::{DateTime, TimeZone, Utc};

pub const TOKEN_C: &str = "token-c-for-chargeplan";
pub const TOKEN_B: &str = "token-b-for-the-cpo";

pub fn sim_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 7, 0, 0)
        .single()
        .expect("valid instant")
}

pub struct World {
    pub sim: SimHandle,
    pub store: Arc<dyn Store>,
    pub cloud: Arc<OcpiCloud>,
    pub results: PendingResults,
    pub vendor: VendorAccountId,
    pub site: SiteId,
    pub clock: Arc<dyn Clock>,
    /// Our OCPI receiver's base URL.
    pub receiver_url: String,
    _dir: tempfile::TempDir,
}

impl World {
    /// Starts everything; `adjust` may change the simulator's configuration first.
    pub async fn start(adjust: impl FnOnce(&mut SimConfig, &str)) -> Self {
        let vendor = VendorAccountId::parse("sim-cpo").expect("valid id");
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrations");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let results = PendingResults::default();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let receiver_url = format!("http://{}", listener.local_addr().expect("address"));
        let receiver = router(ReceiverState {
            store: store.clone(),
            clock: clock.clone(),
            results: results.clone(),
            public_url: receiver_url.clone(),
        });
        tokio::spawn(async move { axum::serve(listener, receiver).await });

        store
            .upsert_vendor_account(&chargeplan_store::VendorAccount {
                id: vendor.clone(),
                protocol: chargeplan_exchange::accounts::OCPI_2_2_1.into(),
                versions_url: String::new(),
                outbound_token: TOKEN_C.into(),
                inbound_token: TOKEN_B.into(),
                token_encoding: "base64".into(),
                sessions_url: String::new(),
                locations_url: String::new(),
                charging_profiles_url: String::new(),
                rate_unit: "W".into(),
                enabled: true,
                created_at: clock.now(),
                updated_at: clock.now(),
            })
            .await
            .expect("vendor account");
        let mut config = SimConfig::new(TOKEN_C, sim_start());
        config.peer_token = Some(TOKEN_B.into());
        adjust(&mut config, &receiver_url);
        let sim = SimCloud::start(config).await.expect("simulator starts");

        let client = OcpiClient::new(reqwest::Client::new(), TOKEN_C, TokenEncoding::Base64);
        let details = discover(&client, &sim.base_url())
            .await
            .expect("version details");
        let endpoints = CpoEndpoints::from_details(&details).expect("endpoints");
        let cloud = Arc::new(OcpiCloud::new(
            client,
            endpoints,
            format!("{receiver_url}{RESULTS_PATH}"),
            100,
        ));

        let site = SiteId::parse("garage").expect("valid id");
        store
            .upsert_site(
                &Site::new(site.clone(), "Garage", "Europe/Amsterdam", 5).expect("site"),
                clock.now(),
            )
            .await
            .expect("site");
        let root = CircuitId::parse("main").expect("valid id");
        let circuit = Circuit::new(
            root.clone(),
            site.clone(),
            "Main",
            None,
            Kilowatts::new(100.0).expect("kW"),
        )
        .expect("circuit");
        store
            .replace_circuits(&site, &[circuit], clock.now())
            .await
            .expect("circuits");
        let world = Self {
            sim,
            store,
            cloud,
            results,
            vendor,
            site,
            clock,
            receiver_url,
            _dir: dir,
        };
        for port in world.cloud.ports().await.expect("ports").items {
            world.map_port(&root, &port).await;
        }
        world
    }

    async fn map_port(&self, circuit: &CircuitId, port: &VendorPort) {
        let vendor = VendorRef::new(
            self.vendor.clone(),
            &port.location_id,
            &port.evse_uid,
            &port.connector_id,
        )
        .expect("vendor ref");
        let phases = if port.phases == 3 {
            Phases::Three
        } else {
            Phases::One
        };
        let port = Port::new(
            PortId::parse(&port.evse_uid).expect("valid id"),
            self.site.clone(),
            circuit.clone(),
            vendor,
            Kilowatts::new(port.max_kw).expect("kW"),
            phases,
            port.voltage_v,
            port.controllable,
        )
        .expect("port");
        self.store.upsert_port(&port).await.expect("port stored");
    }
}

pub fn arrival(evse: &str, token: &str, soc: f64) -> chargeplan_sim::ArrivalSpec {
    chargeplan_sim::ArrivalSpec {
        evse: evse.into(),
        token_uid: token.into(),
        arrival: sim_start(),
        departure: None,
        battery_kwh: 60.0,
        soc,
        max_kw: 11.0,
    }
}
