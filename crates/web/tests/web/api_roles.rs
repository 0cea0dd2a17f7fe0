//! Every operator API route as every kind of caller: without a token, with a revoked token, as
//! the operator of `s1` on `s2`, as a site operator on admin-only routes, and the happy path.
//! The route list is checked against the served OpenAPI document, so a new route cannot be
//! left out.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use chargeplan_core::{Clock as _, SiteId};
use chargeplan_store::EventKind;
use serde_json::{Value, json};

use crate::operators::{
    ADMIN, OPERATOR, OTHER_SITE, REVOKED, SiteRecords, add_operators, site_records,
};
use crate::support::{SITE, TestApp};

/// One call of one route.
#[derive(Debug, Clone)]
pub struct Case {
    pub method: Method,
    /// The path as the OpenAPI document names it.
    pub template: &'static str,
    pub path: String,
    pub body: Option<Value>,
    pub admin_only: bool,
    /// The status of a successful call.
    pub ok: StatusCode,
}

/// Every route, with a valid body, on the records of one site (in an order that runs as is:
/// the participant is deleted last).
pub fn cases(r: &SiteRecords) -> Vec<Case> {
    let site = &r.site;
    let case = |method: Method, template: &'static str, body: Option<Value>| {
        let path = template
            .replace("{site_id}", site)
            .replace("{circuit_id}", &r.circuit)
            .replace("{port_id}", &r.port)
            .replace("{session_id}", &r.session)
            .replace("{plan_id}", &r.plan)
            .replace("{participant_id}", &r.participant);
        Case {
            method,
            template,
            path,
            body,
            admin_only: false,
            ok: StatusCode::OK,
        }
    };
    let admin = |c: Case| Case {
        admin_only: true,
        ..c
    };
    let status = |c: Case, ok: StatusCode| Case { ok, ..c };
    let main = format!("{site}-main");
    vec![
        case(Method::GET, "/api/v1/sites", None),
        case(Method::GET, "/api/v1/sites/{site_id}", None),
        admin(case(
            Method::PUT,
            "/api/v1/sites/{site_id}",
            Some(json!({"name": "Renamed", "time_zone": "America/Los_Angeles", "slot_minutes": 5})),
        )),
        case(Method::GET, "/api/v1/sites/{site_id}/circuits", None),
        admin(case(
            Method::PUT,
            "/api/v1/sites/{site_id}/circuits",
            Some(json!({"circuits": [
                {"id": main, "name": "Main", "cap_kw": 150},
                {"id": format!("{site}-panel"), "name": "Panel A", "parent_id": main, "cap_kw": 50},
            ]})),
        )),
        case(
            Method::PUT,
            "/api/v1/sites/{site_id}/circuits/{circuit_id}/cap",
            Some(json!({"cap_kw": 120})),
        ),
        case(
            Method::GET,
            "/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule",
            None,
        ),
        case(
            Method::PUT,
            "/api/v1/sites/{site_id}/circuits/{circuit_id}/schedule",
            Some(json!({"windows": [
                {"days": ["mon", "tue"], "start": "17:00", "end": "21:00", "cap_kw": 50},
            ]})),
        ),
        status(
            case(
                Method::POST,
                "/api/v1/sites/{site_id}/overrides",
                Some(
                    json!({"circuit_id": main, "cap_kw": 30, "duration_minutes": 60, "reason": "DR event"}),
                ),
            ),
            StatusCode::CREATED,
        ),
        case(Method::GET, "/api/v1/sites/{site_id}/overrides", None),
        case(
            Method::DELETE,
            "/api/v1/sites/{site_id}/circuits/{circuit_id}/overrides",
            None,
        ),
        case(
            Method::PUT,
            "/api/v1/sites/{site_id}/tariff",
            Some(json!({
                "currency": "USD",
                "default_price_per_kwh": 0.25,
                "windows": [{"days": ["mon"], "start": "16:00", "end": "21:00", "price_per_kwh": 0.5}],
                "demand_charge_per_kw": 18.5,
                "billing_period_start_day": 1,
            })),
        ),
        case(Method::GET, "/api/v1/sites/{site_id}/tariff", None),
        case(Method::GET, "/api/v1/sites/{site_id}/ports", None),
        admin(case(
            Method::PUT,
            "/api/v1/sites/{site_id}/ports/{port_id}",
            Some(json!({
                "circuit_id": main,
                "vendor": {"vendor_account": "cpo-1", "location_id": site, "evse_uid": "EVSE1", "connector_id": "1"},
                "max_power_kw": 7.2,
                "phases": 1,
                "voltage_v": 240,
                "controllable": true,
            })),
        )),
        case(
            Method::PATCH,
            "/api/v1/sites/{site_id}/ports/{port_id}",
            Some(json!({"controllable": false, "cable_movable": true})),
        ),
        case(Method::GET, "/api/v1/sites/{site_id}/sharing", None),
        case(
            Method::PUT,
            "/api/v1/sites/{site_id}/sharing",
            Some(json!({
                "board_enabled": false,
                "thread_lifetime_min": 120,
                "new_threads_per_hour": 5,
                "max_open_threads_per_sender": 3,
                "relay_body_retention_days": 30,
                "offer_response_min": 10,
                "hold_min": 20,
                "max_skips": 2,
                "done_idle_min": 15,
                "done_reminder_interval_min": 30,
                "max_done_reminders": 2,
            })),
        ),
        case(Method::GET, "/api/v1/sites/{site_id}/relay-log", None),
        case(Method::GET, "/api/v1/sites/{site_id}/sessions", None),
        case(
            Method::GET,
            "/api/v1/sites/{site_id}/sessions/{session_id}",
            None,
        ),
        case(Method::GET, "/api/v1/sites/{site_id}/plans", None),
        case(Method::GET, "/api/v1/sites/{site_id}/plans/latest", None),
        case(Method::GET, "/api/v1/sites/{site_id}/plans/{plan_id}", None),
        case(Method::GET, "/api/v1/sites/{site_id}/setpoints", None),
        case(Method::GET, "/api/v1/sites/{site_id}/reports", None),
        case(Method::GET, "/api/v1/sites/{site_id}/reports.csv", None),
        case(Method::GET, "/api/v1/sites/{site_id}/participants", None),
        status(
            case(
                Method::POST,
                "/api/v1/sites/{site_id}/participants",
                Some(json!({"phone": "+14155550199", "token_uids": ["NEW-1"]})),
            ),
            StatusCode::CREATED,
        ),
        case(
            Method::GET,
            "/api/v1/sites/{site_id}/participants/{participant_id}",
            None,
        ),
        case(
            Method::PUT,
            "/api/v1/sites/{site_id}/participants/{participant_id}",
            Some(json!({"phone": "+14155550198", "token_uids": ["NEW-2"]})),
        ),
        status(
            case(
                Method::DELETE,
                "/api/v1/sites/{site_id}/participants/{participant_id}",
                None,
            ),
            StatusCode::NO_CONTENT,
        ),
    ]
}

/// What the API could change at a site, as text to compare before and after.
pub async fn snapshot(app: &TestApp, site: &str) -> String {
    let id = SiteId::parse(site).expect("id");
    let now = app.clock.now();
    let store = &app.store;
    let changes: Vec<_> = store
        .events_after(&id, 0, 10_000)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::CapChanged | EventKind::TariffChanged))
        .map(|e| e.id)
        .collect();
    format!(
        "{:?}",
        (
            store.get_site(&id).await.expect("site"),
            store.list_circuits(&id).await.expect("circuits"),
            store.list_scheduled_caps(&id).await.expect("schedule"),
            store.list_cap_overrides(&id, now).await.expect("overrides"),
            store.get_tariff(&id).await.expect("tariff"),
            store.list_ports(&id).await.expect("ports"),
            store.list_participants(&id).await.expect("participants"),
            store
                .get_sharing_settings(&id)
                .await
                .expect("sharing settings"),
            changes,
        )
    )
}

/// An app with the operators and a record of each kind at `s1` and `s2`.
async fn two_sites() -> (TestApp, SiteRecords, SiteRecords) {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let s1 = site_records(&app, SITE).await;
    let s2 = site_records(&app, OTHER_SITE).await;
    (app, s1, s2)
}

async fn call(app: &TestApp, case: &Case, token: Option<&str>) -> crate::support::Reply {
    app.api(case.method.clone(), &case.path, token, case.body.clone())
        .await
}

fn assert_error(reply: &crate::support::Reply, status: StatusCode, case: &Case) {
    assert_eq!(
        reply.status, status,
        "{} {}: {}",
        case.method, case.path, reply.body
    );
    let error = &reply.json()["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{} {}: {}",
        case.method,
        case.path,
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_list_covers_every_documented_route() {
    let (app, s1, _) = two_sites().await;
    let document = app.get("/api/v1/openapi.json").await.json();
    let documented: BTreeSet<(String, String)> = crate::api_openapi::operations(&document)
        .into_iter()
        // The document and its reference page are for anyone, with or without a token.
        .filter(|(_, path)| path != "/api/v1/openapi.json" && path != "/api/v1/docs")
        .collect();
    let listed: BTreeSet<(String, String)> = cases(&s1)
        .iter()
        .map(|c| (c.method.to_string(), c.template.to_owned()))
        .collect();
    assert_eq!(listed, documented);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_401_without_a_token_or_with_a_revoked_one() {
    let (app, s1, _) = two_sites().await;
    let before = snapshot(&app, SITE).await;

    for case in cases(&s1) {
        let missing = call(&app, &case, None).await;
        assert_error(&missing, StatusCode::UNAUTHORIZED, &case);
        let revoked = call(&app, &case, Some(REVOKED)).await;
        assert_error(&revoked, StatusCode::UNAUTHORIZED, &case);
        assert_eq!(
            revoked.json()["error"]["message"],
            "this API token was revoked"
        );
        let unknown = call(&app, &case, Some("not-a-token")).await;
        assert_error(&unknown, StatusCode::UNAUTHORIZED, &case);
    }
    assert_eq!(snapshot(&app, SITE).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_of_s1_can_neither_read_nor_change_anything_of_s2() {
    let (app, _, s2) = two_sites().await;
    let before = snapshot(&app, OTHER_SITE).await;

    for case in cases(&s2) {
        let reply = call(&app, &case, Some(OPERATOR)).await;
        if case.template == "/api/v1/sites" {
            assert_eq!(reply.status, StatusCode::OK);
            let sites = reply.json();
            let ids: Vec<&str> = sites["sites"]
                .as_array()
                .expect("sites")
                .iter()
                .filter_map(|s| s["id"].as_str())
                .collect();
            assert_eq!(ids, [SITE], "only the operator's site is listed");
            continue;
        }
        // Admin-only routes answer 403 to a site operator whatever the site.
        let expected = if case.admin_only {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_error(&reply, expected, &case);
        assert!(
            !reply.body.contains("Other Site"),
            "{} {}: {}",
            case.method,
            case.path,
            reply.body
        );
    }
    // The same 404 as a site that does not exist.
    let unknown = app
        .api(Method::GET, "/api/v1/sites/s9", Some(OPERATOR), None)
        .await;
    let other = app
        .api(Method::GET, "/api/v1/sites/s2", Some(OPERATOR), None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.body.replace("s9", "s2"),
        other.body,
        "indistinguishable"
    );
    assert_eq!(snapshot(&app, OTHER_SITE).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_of_s2_are_unknown_under_s1_even_for_an_admin() {
    let (app, s1, s2) = two_sites().await;
    let mixed = SiteRecords {
        site: s1.site.clone(),
        ..s2.clone()
    };
    let before = snapshot(&app, OTHER_SITE).await;

    for case in cases(&mixed) {
        let names_a_record = case.template.matches('{').count() > 1;
        if !names_a_record {
            continue;
        }
        let reply = call(&app, &case, Some(ADMIN)).await;
        // The port id and its connector belong to another site's port.
        let expected = if case.method == Method::PUT && case.template.contains("{port_id}") {
            StatusCode::CONFLICT
        } else {
            StatusCode::NOT_FOUND
        };
        assert_error(&reply, expected, &case);
    }
    assert_eq!(snapshot(&app, OTHER_SITE).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_operator_gets_403_on_admin_only_routes_and_nothing_changes() {
    let (app, s1, _) = two_sites().await;
    let before = snapshot(&app, SITE).await;

    let admin_only: Vec<Case> = cases(&s1).into_iter().filter(|c| c.admin_only).collect();
    assert_eq!(admin_only.len(), 3, "site, circuit tree, port mapping");
    for case in &admin_only {
        let reply = call(&app, case, Some(OPERATOR)).await;
        assert_error(&reply, StatusCode::FORBIDDEN, case);
    }
    let new_site = app
        .api(
            Method::PUT,
            "/api/v1/sites/s3",
            Some(OPERATOR),
            Some(json!({"name": "New", "time_zone": "UTC"})),
        )
        .await;
    assert_eq!(new_site.status, StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&app, SITE).await, before, "nothing changed");
    assert!(
        app.store
            .get_site(&SiteId::parse("s3").expect("id"))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_works_for_its_callers() {
    let (app, s1, _) = two_sites().await;

    for case in cases(&s1) {
        let token = if case.admin_only { ADMIN } else { OPERATOR };
        let reply = call(&app, &case, Some(token)).await;
        assert_eq!(
            reply.status, case.ok,
            "{} {}: {}",
            case.method, case.path, reply.body
        );
        if case.template.ends_with(".csv") {
            assert_eq!(
                reply.headers[axum::http::header::CONTENT_TYPE],
                "text/csv; charset=utf-8"
            );
            assert!(reply.body.starts_with("session_id,"), "{}", reply.body);
        } else if case.ok != StatusCode::NO_CONTENT {
            assert!(reply.json().is_object(), "{}", reply.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_may_call_every_route_of_every_site() {
    let (app, _, s2) = two_sites().await;

    for case in cases(&s2) {
        let reply = call(&app, &case, Some(ADMIN)).await;
        assert_eq!(
            reply.status, case.ok,
            "{} {}: {}",
            case.method, case.path, reply.body
        );
    }
    let sites = app
        .api(Method::GET, "/api/v1/sites", Some(ADMIN), None)
        .await
        .json();
    assert_eq!(sites["sites"].as_array().map(Vec::len), Some(2));
}
