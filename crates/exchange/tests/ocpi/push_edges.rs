//! Pushed sessions that must be refused with the OCPI envelope and change nothing: another
//! party's session, an unknown EVSE, a start far in the future, an oversized body.

use base64::Engine as _;
use chargeplan_exchange::OcpiError;
use chargeplan_exchange::ocpi::{OcpiClient, TokenEncoding};
use serde_json::{Value, json};

use crate::harness::*;

fn cpo() -> OcpiClient {
    OcpiClient::new(reqwest::Client::new(), TOKEN_B, TokenEncoding::Base64)
}

fn session_url(world: &World, country: &str, party: &str, id: &str) -> String {
    format!(
        "{}/ocpi/2.2.1/sessions/{country}/{party}/{id}",
        world.receiver_url
    )
}

/// A session of the simulator as it would push it, and its id.
async fn plugged_in(world: &World, evse: &str) -> (String, Value) {
    let id = world
        .sim
        .plug_in(arrival(evse, "RFID-EDGE", 0.3))
        .expect("plugged in")
        .expect("session id");
    let whole = world.sim.session_json(&id).expect("session");
    (id, whole)
}

fn status_code<T>(result: &Result<T, OcpiError>) -> Option<u32> {
    match result {
        Err(OcpiError::Status { code, .. }) => Some(*code),
        _ => None,
    }
}

#[tokio::test]
async fn a_patch_naming_another_party_is_refused_and_changes_nothing() {
    let world = World::start(|_, _| {}).await;
    let (id, mut whole) = plugged_in(&world, "DEMO-03").await;
    whole["kwh"] = json!(1.0);
    cpo()
        .put::<_, Value>(&session_url(&world, "NL", "SIM", &id), &whole)
        .await
        .expect("PUT accepted");
    let patch = json!({ "kwh": 2.0, "last_updated": "2026-06-15T07:20:00Z" });

    let other = cpo()
        .patch_json(&session_url(&world, "DE", "XYZ", &id), &patch)
        .await;
    assert_eq!(status_code(&other), Some(2001), "{other:?}");
    let stored = world
        .store
        .find_session_by_vendor(&world.vendor, &id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.energy.get(),
        1.0,
        "another party's PATCH changed nothing"
    );

    // The same party, in any case, may.
    cpo()
        .patch_json(&session_url(&world, "nl", "sim", &id), &patch)
        .await
        .expect("the session's own party patches it");
    let patched = world
        .store
        .find_session_by_vendor(&world.vendor, &id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(patched.energy.get(), 2.0);

    // Nor may another party PUT a session with the same id over it.
    let mut theirs = whole.clone();
    theirs["country_code"] = json!("DE");
    theirs["party_id"] = json!("XYZ");
    theirs["kwh"] = json!(9.0);
    let taken = cpo()
        .put::<_, Value>(&session_url(&world, "DE", "XYZ", &id), &theirs)
        .await;
    assert_eq!(status_code(&taken), Some(2001), "{taken:?}");
    let kept = world
        .store
        .find_session_by_vendor(&world.vendor, &id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(kept.energy.get(), 2.0);
}

#[tokio::test]
async fn a_session_on_an_unknown_evse_or_starting_in_2999_is_refused() {
    let world = World::start(|_, _| {}).await;
    let (id, whole) = plugged_in(&world, "DEMO-04").await;
    let url = session_url(&world, "NL", "SIM", &id);

    let mut unknown = whole.clone();
    unknown["evse_uid"] = json!("NOT-MAPPED");
    let refused = cpo().put::<_, Value>(&url, &unknown).await;
    assert_eq!(status_code(&refused), Some(2003), "{refused:?}");

    let mut future = whole.clone();
    future["start_date_time"] = json!("2999-01-01T00:00:00Z");
    let refused = cpo().put::<_, Value>(&url, &future).await;
    assert_eq!(status_code(&refused), Some(2001), "{refused:?}");

    assert!(
        world
            .store
            .find_session_by_vendor(&world.vendor, &id)
            .await
            .expect("read")
            .is_none(),
        "nothing was stored"
    );
    cpo()
        .put::<_, Value>(&url, &whole)
        .await
        .expect("the session as it is is accepted");
}

#[tokio::test]
async fn an_oversized_body_gets_413_in_the_ocpi_envelope() {
    let world = World::start(|_, _| {}).await;
    let (id, _) = plugged_in(&world, "DEMO-02").await;
    let huge = format!("{{\"id\": \"{}\"}}", "x".repeat(3 << 20));
    let token = base64::engine::general_purpose::STANDARD.encode(TOKEN_B);

    let response = reqwest::Client::new()
        .put(session_url(&world, "NL", "SIM", &id))
        .header("Authorization", format!("Token {token}"))
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("answered");

    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.expect("a JSON envelope");
    assert_eq!(body["status_code"], json!(2000), "{body}");
    assert!(body["timestamp"].is_string(), "{body}");
}
