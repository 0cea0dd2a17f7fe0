//! Transport: tokens, envelope, echoed headers, error statuses.

mod common;

use common::{TOKEN, b64, client, get, module_url, start_demo};
use serde_json::Value;

#[tokio::test]
async fn a_request_without_a_token_is_unauthorized() {
    let sim = start_demo().await;
    let resp = client().get(sim.base_url()).send().await.expect("request");
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("envelope");
    assert_ne!(body["status_code"], 1000);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_request_with_a_wrong_token_is_unauthorized() {
    let sim = start_demo().await;
    let url = format!(
        "{}?date_from=2024-01-01T00:00:00Z",
        module_url(&sim, "sessions")
    );
    for header in [
        format!("Token {}", b64("wrong")),
        "Token wrong".to_owned(),
        format!("Bearer {}", b64(TOKEN)),
    ] {
        let resp = client()
            .get(&url)
            .header("Authorization", header)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 401);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_token_is_accepted_base64_encoded_and_raw() {
    let sim = start_demo().await;
    for header in [format!("Token {}", b64(TOKEN)), format!("Token {TOKEN}")] {
        let resp = client()
            .get(module_url(&sim, "locations"))
            .header("Authorization", header)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn every_answer_is_an_envelope_in_simulated_time_with_the_request_ids_echoed() {
    let sim = start_demo().await;
    let resp = get(&sim.base_url(), TOKEN)
        .header("X-Request-ID", "req-123")
        .header("X-Correlation-ID", "corr-456")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.headers()["x-request-id"], "req-123");
    assert_eq!(resp.headers()["x-correlation-id"], "corr-456");
    let body: Value = resp.json().await.expect("envelope");
    assert_eq!(body["status_code"], 1000);
    assert_eq!(body["timestamp"], "2024-05-01T08:00:00Z");
    assert_eq!(body["data"][0]["version"], "2.2.1");
    let details: Value = get(body["data"][0]["url"].as_str().expect("url"), TOKEN)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("envelope");
    let endpoints = details["data"]["endpoints"].as_array().expect("endpoints");
    let has = |id: &str, role: &str| {
        endpoints
            .iter()
            .any(|e| e["identifier"] == id && e["role"] == role)
    };
    assert!(has("credentials", "RECEIVER") && has("locations", "SENDER"));
    assert!(has("sessions", "SENDER") && has("chargingprofiles", "RECEIVER"));
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_objects_are_404_and_invalid_json_is_400() {
    let sim = start_demo().await;
    let resp = get(&format!("{}/NOPE", module_url(&sim, "locations")), TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 404);
    let resp = get(
        &format!("{}/DEMO/DEMO-01/2", module_url(&sim, "locations")),
        TOKEN,
    )
    .send()
    .await
    .expect("request");
    assert_eq!(resp.status(), 404);
    let resp = client()
        .put(format!(
            "{}/SIM-000001",
            module_url(&sim, "chargingprofiles")
        ))
        .header("Authorization", format!("Token {}", b64(TOKEN)))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_connector_reports_its_power_fields_and_profile_capability() {
    let sim = start_demo().await;
    let evse: Value = get(
        &format!("{}/DEMO/DEMO-07", module_url(&sim, "locations")),
        TOKEN,
    )
    .send()
    .await
    .expect("request")
    .json()
    .await
    .expect("envelope");
    let connector = &evse["data"]["connectors"][0];
    assert_eq!(connector["power_type"], "AC_3_PHASE");
    assert_eq!(connector["max_voltage"], 230);
    assert_eq!(connector["max_amperage"], 16);
    assert_eq!(connector["max_electric_power"], 7400);
    assert!(
        evse["data"]["capabilities"]
            .as_array()
            .expect("caps")
            .contains(&"CHARGING_PROFILE_CAPABLE".into())
    );
    let uncontrolled: Value = get(
        &format!("{}/DEMO/DEMO-09", module_url(&sim, "locations")),
        TOKEN,
    )
    .send()
    .await
    .expect("request")
    .json()
    .await
    .expect("envelope");
    assert!(
        !uncontrolled["data"]["capabilities"]
            .as_array()
            .expect("caps")
            .contains(&"CHARGING_PROFILE_CAPABLE".into())
    );
    sim.shutdown().await;
}
