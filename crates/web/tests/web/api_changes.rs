//! Changes through the operator API: caps, schedules and overrides re-plan the site at once;
//! creating a site and mapping ports; and what the read routes show (effective caps, local
//! times, requests, never a phone number).

use std::time::Duration as StdDuration;

use axum::http::{Method, StatusCode};
use chargeplan_core::{Plan, SiteId};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::operators::{ADMIN, OPERATOR, add_operators, add_session};
use crate::support::{SITE, TestApp, site_id};

/// An app with the operators and two cars charging at `s1` (6.6 kW ports, no request: each
/// is planned at its maximum), and its first plan.
async fn charging() -> (TestApp, Plan) {
    let app = TestApp::new().await;
    add_operators(&app).await;
    add_session(&app, SITE, "s1-p1", false).await;
    add_session(&app, SITE, "s1-p2", false).await;
    let plan = replan(&app).await;
    (app, plan)
}

async fn replan(app: &TestApp) -> Plan {
    tokio::time::timeout(
        StdDuration::from_secs(20),
        app.state.control.replan_now(&site_id()),
    )
    .await
    .expect("re-planned in time")
    .expect("a plan")
}

/// The newest plan once one whose site peak passes `ok` is stored (within 10 s; the change
/// only triggered the control loop, whose periodic re-plan is minutes away).
async fn plan_where(app: &TestApp, ok: impl Fn(&Plan) -> bool) -> Plan {
    for _ in 0..200 {
        if let Some(plan) = app.store.latest_plan(&site_id()).await.expect("plan")
            && ok(&plan)
        {
            return plan;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    panic!("no re-plan after the change");
}

/// The highest planned site power of any slot, in kW.
fn peak(plan: &Plan) -> f64 {
    peak_before(plan, plan.end())
}

/// The highest planned site power of the slots that start before `until`, in kW.
fn peak_before(plan: &Plan, until: DateTime<Utc>) -> f64 {
    (0..plan.horizon_slots)
        .take_while(|&i| plan.slot_start(i) < until)
        .map(|i| {
            plan.sessions
                .iter()
                .map(|s| s.power_kw[i as usize])
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("time")
}

async fn put(app: &TestApp, path: &str, body: Value) -> crate::support::Reply {
    app.api(Method::PUT, path, Some(OPERATOR), Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lower_static_cap_re_plans_the_site_under_it_at_once() {
    let (app, first) = charging().await;
    assert!(peak(&first) > 13.0, "both cars at 6.6 kW: {}", peak(&first));

    let reply = put(
        &app,
        "/api/v1/sites/s1/circuits/s1-main/cap",
        json!({"cap_kw": 8}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let circuit = reply.json();
    assert_eq!(circuit["cap_kw"], 8.0);
    assert_eq!(circuit["effective_cap_kw"], 8.0);
    assert_eq!(circuit["limited_by"], "static");

    plan_where(&app, |plan| peak(plan) <= 8.0 + 1e-6).await;
    let latest = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/plans/latest",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert!(
        latest["peak_kw"]
            .as_f64()
            .is_some_and(|kw| kw <= 8.0 + 1e-6),
        "{latest}"
    );
    assert_eq!(latest["session_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_caps_the_site_until_it_is_ended() {
    let (app, _) = charging().await;

    let created = app
        .api(
            Method::POST,
            "/api/v1/sites/s1/overrides",
            Some(OPERATOR),
            Some(json!({"circuit_id": "s1-main", "cap_kw": 5, "duration_minutes": 90, "reason": "DR event"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let shown = created.json();
    assert_eq!(shown["active"], true);
    assert_eq!(shown["expires_at"], "2026-06-15T17:30:00Z");
    assert_eq!(shown["expires_at_local"], "2026-06-15T10:30:00-07:00");
    // Until the override expires at 17:30Z.
    plan_where(&app, |plan| {
        peak_before(plan, at("2026-06-15T17:30:00Z")) <= 5.0 + 1e-6
    })
    .await;

    let tree = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/circuits",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(tree["circuits"][0]["effective_cap_kw"], 5.0);
    assert_eq!(tree["circuits"][0]["limited_by"], "override");
    let listed = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/overrides",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(listed["overrides"].as_array().map(Vec::len), Some(1));

    let ended = app
        .api(
            Method::DELETE,
            "/api/v1/sites/s1/circuits/s1-main/overrides",
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.json()["ended"], 1);
    plan_where(&app, |plan| {
        peak_before(plan, at("2026-06-15T17:30:00Z")) > 13.0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_window_active_now_caps_the_site() {
    let (app, _) = charging().await;

    // The test's clock is Monday 09:00 in Los Angeles.
    let reply = put(
        &app,
        "/api/v1/sites/s1/circuits/s1-main/schedule",
        json!({"windows": [
            {"days": ["mon"], "start": "08:00", "end": "12:00", "cap_kw": 7},
            {"days": ["fri"], "start": "22:00", "end": "06:00", "cap_kw": 20},
        ]}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let schedule = reply.json();
    assert_eq!(schedule["time_zone"], "America/Los_Angeles");
    assert_eq!(schedule["windows"][1]["crosses_midnight"], true);

    // Until the window ends at 12:00 local, 19:00Z.
    plan_where(&app, |plan| {
        peak_before(plan, at("2026-06-15T19:00:00Z")) <= 7.0 + 1e-6
    })
    .await;
    let tree = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/circuits",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(tree["circuits"][0]["limited_by"], "schedule");
    assert_eq!(tree["at_local"], "2026-06-15T09:00:00-07:00");
    let read = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/circuits/s1-main/schedule",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(read, schedule);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_show_requests_and_setpoints_but_never_a_phone_number() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    app.add_participant(SITE, "+14155550101", &["CARD-9"]).await;
    let session = add_session(&app, SITE, "s1-p1", true).await;

    for path in [
        "/api/v1/sites/s1/sessions?state=open",
        "/api/v1/sites/s1/sessions",
    ] {
        let reply = app.api(Method::GET, path, Some(OPERATOR), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(!reply.body.contains("4155550101"), "{}", reply.body);
        let listed = &reply.json()["sessions"][0];
        assert_eq!(listed["id"], session.id.as_str());
        assert_eq!(listed["request"]["energy_kwh"], 10.0);
        assert_eq!(
            listed["request"]["departure_local"],
            "2026-06-15T13:00:00-07:00"
        );
    }
    let one = app
        .api(
            Method::GET,
            &format!("/api/v1/sites/s1/sessions/{}", session.id),
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert!(!one.body.contains("4155550101"));
    let detail = one.json();
    assert_eq!(detail["requests"].as_array().map(Vec::len), Some(1));
    assert_eq!(detail["latest_setpoint"]["periods"][0]["limit_kw"], 6.6);
    assert_eq!(detail["latest_setpoint"]["state"], "pending");
    let audit = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/setpoints",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(audit["setpoints"][0]["session_id"], session.id.as_str());
    let garbage = app
        .api(
            Method::GET,
            "/api/v1/sites/s1/sessions/no%20such",
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_a_site_and_maps_a_port_and_an_operator_brings_a_port_back() {
    let app = TestApp::new().await;
    add_operators(&app).await;

    let created = app
        .api(
            Method::PUT,
            "/api/v1/sites/lot-b",
            Some(ADMIN),
            Some(json!({"name": "Lot B", "time_zone": "Europe/Berlin", "slot_minutes": 15})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.location.as_deref(), Some("/api/v1/sites/lot-b"));
    let tree = app
        .api(
            Method::PUT,
            "/api/v1/sites/lot-b/circuits",
            Some(ADMIN),
            Some(json!({"circuits": [{"id": "lot-b-main", "name": "Main", "cap_kw": 60}]})),
        )
        .await;
    assert_eq!(tree.status, StatusCode::OK, "{}", tree.body);
    let port = app
        .api(
            Method::PUT,
            "/api/v1/sites/lot-b/ports/lot-b-p1",
            Some(ADMIN),
            Some(json!({
                "circuit_id": "lot-b-main",
                "vendor": {"vendor_account": "cpo-1", "location_id": "LOC-B", "evse_uid": "E1", "connector_id": "1"},
                "max_power_kw": 11, "phases": 3, "voltage_v": 230, "controllable": false,
            })),
        )
        .await;
    assert_eq!(port.status, StatusCode::CREATED, "{}", port.body);
    // The same connector cannot be mapped twice.
    let twice = app
        .api(
            Method::PUT,
            "/api/v1/sites/lot-b/ports/lot-b-p2",
            Some(ADMIN),
            Some(json!({
                "circuit_id": "lot-b-main",
                "vendor": {"vendor_account": "cpo-1", "location_id": "LOC-B", "evse_uid": "E1", "connector_id": "1"},
                "max_power_kw": 11, "phases": 3, "voltage_v": 230,
            })),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    // A circuit that still feeds a port cannot go.
    let orphan = app
        .api(
            Method::PUT,
            "/api/v1/sites/lot-b/circuits",
            Some(ADMIN),
            Some(json!({"circuits": [{"id": "lot-b-new", "name": "New", "cap_kw": 60}]})),
        )
        .await;
    assert_eq!(orphan.status, StatusCode::CONFLICT, "{}", orphan.body);

    // Granted the site, a site operator turns the port back on.
    app.store
        .grant_site("op-s1", &SiteId::parse("lot-b").expect("id"))
        .await
        .expect("granted");
    let back = app
        .api(
            Method::PATCH,
            "/api/v1/sites/lot-b/ports/lot-b-p1",
            Some(OPERATOR),
            Some(json!({"controllable": true})),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.json()["controllable"], true);
    let ports = app
        .api(
            Method::GET,
            "/api/v1/sites/lot-b/ports",
            Some(OPERATOR),
            None,
        )
        .await
        .json();
    assert_eq!(ports["ports"][0]["vendor"]["location_id"], "LOC-B");
    assert_eq!(ports["ports"][0]["controllable"], true);
    assert_eq!(ports["ports"][0]["phases"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tariff_is_read_back_with_its_price_now() {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let none = app
        .api(Method::GET, "/api/v1/sites/s1/tariff", Some(OPERATOR), None)
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    let set = put(
        &app,
        "/api/v1/sites/s1/tariff",
        json!({
            "currency": "usd",
            "default_price_per_kwh": 0.25,
            "windows": [{"days": ["mon", "tue"], "start": "08:00", "end": "12:00", "price_per_kwh": 0.4}],
            "demand_charge_per_kw": 18.5,
            "billing_period_start_day": 10,
        }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let tariff = app
        .api(Method::GET, "/api/v1/sites/s1/tariff", Some(OPERATOR), None)
        .await
        .json();
    assert_eq!(tariff["currency"], "USD");
    assert_eq!(
        tariff["price_now_per_kwh"], 0.4,
        "Monday 09:00 is in the window"
    );
    assert_eq!(
        tariff["billing_period_start_local"],
        "2026-06-10T00:00:00-07:00"
    );
    assert_eq!(tariff["windows"][0]["days"], json!(["mon", "tue"]));
}
