//! Discovery and the credentials handshake.

use chargeplan_exchange::ocpi::types::{BusinessDetails, Credentials, CredentialsRole};
use chargeplan_exchange::ocpi::{OcpiClient, TokenEncoding, register};
use chargeplan_exchange::{OcpiError, VendorCloud};
use chargeplan_sim::{SimCloud, SimConfig};

use crate::harness::*;

#[tokio::test]
async fn registration_trades_token_a_for_token_c_and_the_old_token_stops_working() {
    let ours_at = World::start(|_, _| {}).await;
    let mut config = SimConfig::new("token-a-from-the-cpo", sim_start());
    config.registered = false;
    let sim = SimCloud::start(config).await.expect("simulator");
    let with_a = OcpiClient::new(
        reqwest::Client::new(),
        "token-a-from-the-cpo",
        TokenEncoding::Base64,
    );
    let ours = Credentials {
        token: TOKEN_B.into(),
        url: format!("{}/ocpi/versions", ours_at.receiver_url),
        roles: vec![CredentialsRole {
            role: "OTHER".into(),
            business_details: BusinessDetails {
                name: "chargeplan".into(),
            },
            party_id: "CPL".into(),
            country_code: "US".into(),
        }],
    };

    let registration = register(&with_a, &sim.base_url(), &ours)
        .await
        .expect("handshake");

    assert!(!registration.token_c.is_empty());
    assert_ne!(registration.token_c, "token-a-from-the-cpo");
    assert!(registration.endpoints.sessions.contains("sessions"));
    let with_c = with_a.with_token(registration.token_c.clone());
    let sessions: Vec<serde_json::Value> = with_c
        .get_all(&format!(
            "{}?date_from=2020-01-01T00:00:00Z",
            registration.endpoints.sessions
        ))
        .await
        .expect("token C opens the sessions module");
    assert!(sessions.is_empty());
    let refused = with_a
        .get_all::<serde_json::Value>(&format!(
            "{}?date_from=2020-01-01T00:00:00Z",
            registration.endpoints.sessions
        ))
        .await;
    assert!(
        matches!(refused, Err(OcpiError::Unauthorized)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn ports_carry_their_maximum_power_and_whether_profiles_are_accepted() {
    let world = World::start(|_, _| {}).await;

    let ports = world.cloud.ports().await.expect("locations");

    assert_eq!(ports.items.len(), 10);
    assert!(ports.rejected.is_empty());
    let port = |evse: &str| {
        ports
            .items
            .iter()
            .find(|p| p.evse_uid == evse)
            .expect("port listed")
            .clone()
    };
    assert!(
        (port("DEMO-01").max_kw - 11.04).abs() < 1e-9,
        "3 × 230 V × 16 A"
    );
    assert_eq!(port("DEMO-01").phases, 3);
    assert!(
        (port("DEMO-07").max_kw - 7.4).abs() < 1e-9,
        "max_electric_power caps it"
    );
    assert!(port("DEMO-01").controllable);
    assert!(!port("DEMO-09").controllable, "no CHARGING_PROFILE_CAPABLE");
}

#[tokio::test]
async fn a_raw_token_peer_is_reached_with_the_raw_setting() {
    let world = World::start(|_, _| {}).await;
    let raw = OcpiClient::new(reqwest::Client::new(), TOKEN_C, TokenEncoding::Raw);

    let versions: Vec<serde_json::Value> = raw
        .get(&world.sim.base_url())
        .await
        .expect("the simulator accepts raw tokens too");

    assert!(!versions.is_empty());
    let wrong = OcpiClient::new(
        reqwest::Client::new(),
        "not-our-token",
        TokenEncoding::Base64,
    );
    assert!(matches!(
        wrong.get::<serde_json::Value>(&world.sim.base_url()).await,
        Err(OcpiError::Unauthorized)
    ));
}

#[tokio::test]
async fn a_registered_account_is_stored_and_its_cloud_reaches_the_cpo() {
    let world = World::start(|_, _| {}).await;
    let mut config = SimConfig::new("token-a-2", sim_start());
    config.registered = false;
    let sim = SimCloud::start(config).await.expect("simulator");
    let us = chargeplan_exchange::accounts::OurParty {
        public_url: world.receiver_url.clone(),
        country_code: "US".into(),
        party_id: "CPL".into(),
        name: "chargeplan".into(),
    };
    let id = chargeplan_core::VendorAccountId::parse("cpo-2").expect("id");

    let account = chargeplan_exchange::accounts::register_account(
        world.store.as_ref(),
        id.clone(),
        &sim.base_url(),
        "token-a-2",
        TokenEncoding::Base64,
        chargeplan_exchange::RateUnit::Watts,
        &us,
        sim_start(),
    )
    .await
    .expect("registered");

    assert_eq!(account.inbound_token.len(), 64);
    assert_eq!(
        chargeplan_store::VendorStore::get_vendor_account(world.store.as_ref(), &id)
            .await
            .expect("stored"),
        account
    );
    assert_eq!(
        sim.current_token().as_deref(),
        Some(account.outbound_token.as_str())
    );
    let cloud = chargeplan_exchange::accounts::cloud_for(
        &account,
        reqwest::Client::new(),
        "http://127.0.0.1:9/results",
    )
    .expect("cloud");
    assert_eq!(
        cloud
            .ports()
            .await
            .expect("locations with token C")
            .items
            .len(),
        10
    );
}
