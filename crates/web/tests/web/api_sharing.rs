//! The sharing side of the operator API: the site's sharing settings (who may read and
//! change them, and the 422s that change nothing), a port's `cable_movable` flag and the
//! OpenAPI document's ranges. The relay audit is in `api_relay_log.rs`.

use axum::http::{Method, StatusCode};
use chargeplan_core::{SHARING_LIMITS, SharingSettings};
use serde_json::{Value, json};

use crate::api_roles::snapshot;
use crate::operators::{ADMIN, OPERATOR, OTHER_SITE, add_operators};
use crate::support::{SITE, TestApp, site_id};

fn settings_json(settings: &SharingSettings) -> Value {
    serde_json::to_value(settings).expect("settings serialize")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sites_operator_reads_the_defaults_and_replaces_the_settings() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let path = format!("/api/v1/sites/{SITE}/sharing");

    let defaults = app.api(Method::GET, &path, Some(ADMIN), None).await;
    assert_eq!(defaults.status, StatusCode::OK, "{}", defaults.body);
    assert_eq!(defaults.json(), settings_json(&SharingSettings::default()));

    let changed = SharingSettings {
        board_enabled: false,
        hold_min: 45,
        max_skips: 0,
        ..SharingSettings::default()
    };
    let put = app
        .api(
            Method::PUT,
            &path,
            Some(OPERATOR),
            Some(settings_json(&changed)),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.json(), settings_json(&changed));
    let read = app.api(Method::GET, &path, Some(OPERATOR), None).await;
    assert_eq!(read.json(), settings_json(&changed));
    assert_eq!(
        app.store
            .get_sharing_settings(&site_id())
            .await
            .expect("stored"),
        changed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_operator_gets_the_answer_of_an_unknown_site_and_changes_nothing() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    app.add_site(OTHER_SITE, "Other Site").await;
    let before = snapshot(&app, OTHER_SITE).await;
    let body = settings_json(&SharingSettings {
        hold_min: 99,
        ..SharingSettings::default()
    });

    for method in [Method::GET, Method::PUT] {
        let body = (method == Method::PUT).then(|| body.clone());
        let other = app
            .api(
                method.clone(),
                "/api/v1/sites/s2/sharing",
                Some(OPERATOR),
                body.clone(),
            )
            .await;
        let unknown = app
            .api(
                method.clone(),
                "/api/v1/sites/s9/sharing",
                Some(OPERATOR),
                body,
            )
            .await;
        assert_eq!(
            other.status,
            StatusCode::NOT_FOUND,
            "{method}: {}",
            other.body
        );
        assert_eq!(unknown.body.replace("s9", "s2"), other.body, "{method}");
    }
    let log = app
        .api(
            Method::GET,
            "/api/v1/sites/s2/relay-log",
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(log.status, StatusCode::NOT_FOUND);
    assert_eq!(snapshot(&app, OTHER_SITE).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_settings_answer_422_naming_the_field_and_change_nothing() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let path = format!("/api/v1/sites/{SITE}/sharing");
    let before = snapshot(&app, SITE).await;
    let with = |field: &str, value: Value| {
        let mut body = settings_json(&SharingSettings::default());
        body[field] = value;
        body
    };
    let mut missing = settings_json(&SharingSettings::default());
    missing
        .as_object_mut()
        .expect("object")
        .remove("done_idle_min");

    let cases = [
        (with("hold_min", json!(0)), "hold_min", "between 1 and 120"),
        (
            with("max_skips", json!(11)),
            "max_skips",
            "between 0 and 10",
        ),
        (
            with("hold_minutes", json!(5)),
            "hold_minutes",
            "unknown field",
        ),
        (
            with("thread_lifetime_min", json!(-5)),
            "thread_lifetime_min",
            "-5",
        ),
        (
            with("board_enabled", json!("yes")),
            "board_enabled",
            "boolean",
        ),
        (missing, "done_idle_min", "missing field"),
    ];
    for (body, field, words) in cases {
        let reply = app
            .api(Method::PUT, &path, Some(OPERATOR), Some(body))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.body
        );
        let error = &reply.json()["error"];
        assert_eq!(error["field"], field, "{}", reply.body);
        let message = error["message"].as_str().expect("message");
        assert!(message.contains(words), "{field}: {message}");
    }
    assert_eq!(snapshot(&app, SITE).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_operator_sets_whether_a_ports_cable_may_be_moved() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let path = format!("/api/v1/sites/{SITE}/ports/s1-p1");

    let reply = app
        .api(
            Method::PATCH,
            &path,
            Some(OPERATOR),
            Some(json!({"cable_movable": true})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["cable_movable"], true);
    assert_eq!(reply.json()["controllable"], true, "left as it was");
    let ports = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/{SITE}/ports"),
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    let movable: Vec<(&str, bool)> = ports["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id"),
                p["cable_movable"].as_bool().expect("flag"),
            )
        })
        .collect();
    assert_eq!(movable, [("s1-p1", true), ("s1-p2", false)]);

    let before = snapshot(&app, SITE).await;
    for (body, field) in [
        (json!({}), Value::Null),
        (json!({"cable_movable": "yes"}), json!("cable_movable")),
        (json!({"cable_moveable": true}), json!("cable_moveable")),
    ] {
        let refused = app
            .api(Method::PATCH, &path, Some(OPERATOR), Some(body))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.json()["error"]["field"], field, "{}", refused.body);
    }
    assert_eq!(snapshot(&app, SITE).await, before, "nothing changed");

    let both = app
        .api(
            Method::PATCH,
            &path,
            Some(OPERATOR),
            Some(json!({"cable_movable": false, "controllable": false})),
        )
        .await;
    assert_eq!(both.status, StatusCode::OK, "{}", both.body);
    assert_eq!(
        (
            both.json()["cable_movable"].clone(),
            both.json()["controllable"].clone()
        ),
        (json!(false), json!(false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_the_sharing_routes_with_the_ranges_of_the_limits_table() {
    let app = TestApp::new().await;
    let document = app.get("/api/v1/openapi.json").await.json();

    let paths = &document["paths"];
    assert!(paths["/api/v1/sites/{site_id}/sharing"]["get"].is_object());
    assert!(paths["/api/v1/sites/{site_id}/sharing"]["put"].is_object());
    assert!(paths["/api/v1/sites/{site_id}/relay-log"]["get"].is_object());
    let patch = &paths["/api/v1/sites/{site_id}/ports/{port_id}"]["patch"];
    assert!(patch.is_object());
    let port_schema = &document["components"]["schemas"]["PortView"]["properties"];
    assert!(port_schema["cable_movable"].is_object(), "{port_schema}");

    let schema = &document["components"]["schemas"]["SharingSettings"];
    assert_eq!(schema["additionalProperties"], false, "{schema}");
    assert_eq!(schema["properties"]["board_enabled"]["type"], "boolean");
    for (field, min, max) in SHARING_LIMITS {
        let property = &schema["properties"][field];
        assert_eq!(property["minimum"], min, "{field}: {property}");
        assert_eq!(property["maximum"], max, "{field}: {property}");
        assert!(
            schema["required"]
                .as_array()
                .expect("required")
                .contains(&json!(field)),
            "{field}"
        );
    }
    assert_eq!(schema["properties"]["hold_min"]["default"], 15);
}
