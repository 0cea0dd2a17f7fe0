//! The control surface beside OCPI: fault switches read and replaced while the simulator
//! runs, rates drawn from a seeded stream, the garage's state and plugging a car in, all behind
//! the start token.

mod common;

use common::{TOKEN, client, get, module_url, start_demo};
use serde_json::{Value, json};

fn auth() -> String {
    format!("Token {TOKEN}")
}

async fn put_faults(sim: &chargeplan_sim::SimHandle, body: &Value) -> (u16, Value) {
    let answer = client()
        .put(format!("{}/faults", sim.control_url()))
        .header("authorization", auth())
        .json(body)
        .send()
        .await
        .expect("PUT /sim/faults");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("JSON"))
}

#[tokio::test]
async fn fault_rates_set_over_http_fire_at_their_share_of_requests_and_stop_when_cleared() {
    let sim = start_demo().await;
    let url = module_url(&sim, "locations");
    let (status, shown) = put_faults(
        &sim,
        &json!({"server_error_status": 503, "rates": {"server_error": 0.5, "seed": 7}}),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["rates"]["server_error"], 0.5);
    let mut failed = 0;
    for _ in 0..200 {
        if get(&url, TOKEN).send().await.expect("request").status() == 503 {
            failed += 1;
        }
    }
    assert!(
        (70..=130).contains(&failed),
        "{failed} of 200 failed at a 0.5 rate"
    );

    let (status, _) = put_faults(&sim, &json!({})).await;
    assert_eq!(status, 200);
    for _ in 0..20 {
        assert_eq!(
            get(&url, TOKEN).send().await.expect("request").status(),
            200
        );
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults_in_the_same_order() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = start_demo().await;
        let url = module_url(&sim, "locations");
        put_faults(&sim, &json!({"rates": {"server_error": 0.3, "seed": 42}})).await;
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(
                get(&url, TOKEN)
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16(),
            );
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn bad_switches_are_refused_with_the_reason_and_change_nothing() {
    let sim = start_demo().await;
    put_faults(&sim, &json!({"timeouts": 3})).await;
    for (body, says) in [
        (json!({"rates": {"hang": 1.5}}), "rate hang is 1.5"),
        (
            json!({"rates": {"reset": 0.6, "malformed": 0.6}}),
            "add up to",
        ),
        (json!({"server_error_status": 404}), "not a 5xx"),
        (json!({"latency": 5}), "unknown field"),
    ] {
        let (status, answer) = put_faults(&sim, &body).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(
            answer["error"].as_str().expect("error").contains(says),
            "{answer}"
        );
    }
    assert_eq!(sim.faults().timeouts, 3);
}

#[tokio::test]
async fn the_control_surface_wants_the_start_token() {
    let sim = start_demo().await;
    for path in ["faults", "state", "profile-log"] {
        let url = format!("{}/{path}", sim.control_url());
        assert_eq!(client().get(&url).send().await.expect("GET").status(), 401);
        let wrong = client()
            .get(&url)
            .header("authorization", "Token nope")
            .send()
            .await
            .expect("GET");
        assert_eq!(wrong.status(), 401);
    }
}

#[tokio::test]
async fn a_car_plugged_in_over_http_shows_in_the_state_and_an_occupied_port_is_a_conflict() {
    let sim = start_demo().await;
    let arrive = || {
        client()
            .post(format!("{}/arrivals", sim.control_url()))
            .header("authorization", auth())
            .json(&json!({
                "evse_uid": "DEMO-03", "token_uid": "CARD-1",
                "battery_kwh": 60.0, "soc": 0.4, "max_kw": 11.0, "stay_minutes": 90,
            }))
            .send()
    };
    let first = arrive().await.expect("POST");
    assert_eq!(first.status(), 201);
    let id = first.json::<Value>().await.expect("JSON")["session_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(arrive().await.expect("POST").status(), 409);

    let state: Value = client()
        .get(format!("{}/state", sim.control_url()))
        .header("authorization", auth())
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    let session = state["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == id.as_str())
        .expect("the new session");
    assert_eq!(session["evse_uid"], "DEMO-03");
    assert_eq!(session["active"], true);
    assert!(
        state["total_power_kw"].as_f64().expect("total") > 0.0,
        "{state}"
    );
}
