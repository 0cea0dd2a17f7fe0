//! Invalid input to the operator API: 422 naming the field (a path such as
//! `windows[1].start` inside a list), and nothing changed.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_roles::snapshot;
use crate::operators::{ADMIN, OPERATOR, add_operators};
use crate::support::{SITE, TestApp, site_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fields_answer_422_naming_the_field_and_change_nothing() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    app.add_site("s2", "Other Site").await;
    let before = snapshot(&app, SITE).await;

    let cases: Vec<(Method, &str, Value, &str)> = vec![
        (
            Method::PUT,
            "/api/v1/sites/s1",
            json!({"name": " ", "time_zone": "UTC"}),
            "name",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1",
            json!({"name": "A", "time_zone": "Mars/Base"}),
            "time_zone",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1",
            json!({"name": "A", "time_zone": "UTC", "slot_minutes": 7}),
            "slot_minutes",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1",
            json!({"time_zone": "UTC"}),
            "name",
        ),
        (
            Method::PUT,
            "/api/v1/sites/bad%20id",
            json!({"name": "A", "time_zone": "UTC"}),
            "site_id",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits",
            json!({"circuits": [{"id": "s1-main", "name": "Main", "cap_kw": 0}]}),
            "circuits[0].cap_kw",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits",
            json!({"circuits": [
                {"id": "s1-main", "name": "Main", "cap_kw": 100},
                {"id": "s1-a", "name": "A", "parent_id": "nowhere", "cap_kw": 10},
            ]}),
            "circuits[1].parent_id",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits",
            json!({"circuits": [
                {"id": "s1-main", "name": "Main", "cap_kw": 100},
                {"id": "s1-a", "name": "A", "cap_kw": 10},
            ]}),
            "circuits",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/cap",
            json!({"cap_kw": -5}),
            "cap_kw",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/cap",
            json!({"cap_kw": 0}),
            "cap_kw",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/cap",
            json!({"cap_kw": "high"}),
            "cap_kw",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/cap",
            json!({}),
            "cap_kw",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/cap",
            json!({"cap_kw": 5, "cap": 5}),
            "cap",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/schedule",
            json!({"windows": [{"days": ["mon"], "start": "17:00", "end": "21:00", "cap_kw": 5},
                               {"days": ["mon"], "start": "25:00", "end": "21:00", "cap_kw": 5}]}),
            "windows[1].start",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/schedule",
            json!({"windows": [{"days": ["funday"], "start": "17:00", "end": "21:00", "cap_kw": 5}]}),
            "windows[0].days[0]",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/circuits/s1-main/schedule",
            json!({"windows": [{"days": [], "start": "17:00", "end": "21:00", "cap_kw": 5}]}),
            "windows[0].days",
        ),
        (
            Method::POST,
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s1-main", "cap_kw": 5}),
            "expires_at",
        ),
        (
            Method::POST,
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s2-main", "cap_kw": 5, "duration_minutes": 30}),
            "circuit_id",
        ),
        (
            Method::POST,
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s1-main", "cap_kw": 5, "duration_minutes": 30, "expires_at": "2026-06-15T18:00:00Z"}),
            "duration_minutes",
        ),
        (
            Method::POST,
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s1-main", "cap_kw": 5, "expires_at": "2026-06-15T15:00:00Z"}),
            "expires_at",
        ),
        (
            Method::POST,
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s1-main", "cap_kw": 5, "expires_at": "tomorrow"}),
            "expires_at",
        ),
        (
            Method::POST,
            "/api/v1/sites/s1/overrides",
            json!({"circuit_id": "s1-main", "cap_kw": 5, "duration_minutes": 20000}),
            "duration_minutes",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/tariff",
            json!({"currency": "dollars", "default_price_per_kwh": 0.2}),
            "currency",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/tariff",
            json!({"currency": "USD", "default_price_per_kwh": 0.2,
                   "windows": [{"days": ["mon"], "start": "16:00", "end": "21:00", "price_per_kwh": 500}]}),
            "windows[0].price_per_kwh",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/tariff",
            json!({"currency": "USD", "default_price_per_kwh": 0.2, "billing_period_start_day": 31}),
            "billing_period_start_day",
        ),
        (
            Method::PATCH,
            "/api/v1/sites/s1/ports/s1-p1",
            json!({"controllable": "yes"}),
            "controllable",
        ),
        (
            Method::PATCH,
            "/api/v1/sites/s1/ports/s1-p1",
            json!({"cable_movable": 1}),
            "cable_movable",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/sharing",
            json!({"hold_min": 0}),
            "board_enabled",
        ),
    ];
    let admin_cases: Vec<(Method, &str, Value, &str)> = vec![
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/s1-p1",
            port_body(json!({"phases": 2})),
            "phases",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/s1-p1",
            port_body(json!({"circuit_id": "s2-main"})),
            "circuit_id",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/s1-p1",
            port_body(
                json!({"vendor": {"vendor_account": "cpo-1", "location_id": "", "evse_uid": "E", "connector_id": "1"}}),
            ),
            "vendor.location_id",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/s1-p1",
            port_body(
                json!({"vendor": {"vendor_account": "nobody", "location_id": "L", "evse_uid": "E", "connector_id": "1"}}),
            ),
            "vendor.vendor_account",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/s1-p1",
            port_body(json!({"max_power_kw": 0})),
            "max_power_kw",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/s1-p1",
            port_body(json!({"voltage_v": 50})),
            "voltage_v",
        ),
        (
            Method::PUT,
            "/api/v1/sites/s1/ports/bad%20id",
            port_body(json!({})),
            "port_id",
        ),
    ];

    let all = cases
        .into_iter()
        .map(|c| (c, OPERATOR))
        .chain(admin_cases.into_iter().map(|c| (c, ADMIN)));
    for ((method, path, body, field), token) in all {
        // Sites and the circuit tree are for admins.
        let admin_only =
            method == Method::PUT && (path.split('/').count() == 5 || path.ends_with("/circuits"));
        let token = if admin_only { ADMIN } else { token };
        let reply = app
            .api(method.clone(), path, Some(token), Some(body.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {}",
            reply.body
        );
        let error = &reply.json()["error"];
        assert_eq!(error["field"], field, "{method} {path} {body}: {error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(field), "{method} {path}: {message}");
    }
    assert_eq!(snapshot(&app, SITE).await, before, "nothing changed");
    let ports = app.store.list_ports(&site_id()).await.expect("ports");
    assert!(ports.iter().all(|p| p.controllable));
}

/// A valid port body for `s1-p1` with `changes` merged in.
fn port_body(changes: Value) -> Value {
    let mut body = json!({
        "circuit_id": "s1-main",
        "vendor": {"vendor_account": "cpo-1", "location_id": "s1", "evse_uid": "EVSE1", "connector_id": "1"},
        "max_power_kw": 6.6,
        "phases": 1,
        "voltage_v": 240,
    });
    if let (Some(body), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
        body.extend(changes.clone());
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_query_parameters_answer_422_naming_them() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let cases = [
        ("/api/v1/sites/s1/sessions?from=yesterday", "from"),
        (
            "/api/v1/sites/s1/sessions?from=2026-01-01T00:00:00Z",
            "from",
        ),
        ("/api/v1/sites/s1/sessions?state=closed", "state"),
        (
            "/api/v1/sites/s1/sessions?state=open&from=2026-06-14T00:00:00Z",
            "state",
        ),
        (
            "/api/v1/sites/s1/sessions?form=2026-06-14T00:00:00Z",
            "form",
        ),
        ("/api/v1/sites/s1/plans?limit=0", "limit"),
        (
            "/api/v1/sites/s1/plans?to=2026-06-01T00:00:00Z&from=2026-06-02T00:00:00Z",
            "from",
        ),
        ("/api/v1/sites/s1/setpoints?since=now", "since"),
        (
            "/api/v1/sites/s1/setpoints?since=2025-01-01T00:00:00Z",
            "since",
        ),
    ];
    for (path, field) in cases {
        let reply = app.api(Method::GET, path, Some(OPERATOR), None).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            reply.body
        );
        assert_eq!(
            reply.json()["error"]["field"],
            field,
            "{path}: {}",
            reply.body
        );
    }
}
