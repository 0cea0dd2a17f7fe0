//! The operator API's reports: a day's or a week's figures as JSON, the same as the
//! `chargeplan-reports` crate computes them, and the CSV downloads; errors at their field.

use axum::http::{Method, StatusCode, header};
use chargeplan_core::{
    ChargingRequest, EnergyNeed, KilowattHours, MeterSample, PortId, Session, SessionId,
    SessionStatus, TokenUid, WhPerMile,
};
use chargeplan_reports::{Period, load};
use chargeplan_store::Effects;
use chrono::{Duration, NaiveDate, TimeZone as _, Utc};
use serde_json::{Value, json};

use crate::operators::{OPERATOR, add_operators};
use crate::support::{TestApp, site_id, vendor};

/// 06:00 to 08:00 in Los Angeles on Monday 2026-06-15 (before `t0`), on `s1-p1`: 8 kWh asked
/// for, 9 kWh delivered, read every half hour (6 kW for the first half hour, then 4 kW).
async fn morning_session(app: &TestApp) -> Session {
    let start = Utc
        .with_ymd_and_hms(2026, 6, 15, 13, 0, 0)
        .single()
        .expect("time");
    let end = start + Duration::hours(2);
    let arriving = Session {
        id: SessionId::generate(),
        site_id: site_id(),
        vendor_account: vendor(),
        vendor_session_id: "v-morning".into(),
        port_id: Some(PortId::parse("s1-p1").expect("id")),
        token_uid: Some(TokenUid::parse("RFID-7").expect("uid")),
        started_at: start,
        ended_at: None,
        energy: KilowattHours::ZERO,
        power: crate::support::kw(6.0),
        status: SessionStatus::Active,
        vendor_updated_at: start,
    };
    let (_, arriving) = app
        .store
        .upsert_session(&arriving, &Effects::none())
        .await
        .expect("session");
    // The request is made while the car charges.
    let request = ChargingRequest::new(
        arriving.id.clone(),
        1,
        end,
        EnergyNeed::Kwh(8.0),
        Some(WhPerMile::DEFAULT),
        start + Duration::minutes(5),
    )
    .expect("request");
    app.store
        .add_request_revision(&request, &Effects::none())
        .await
        .expect("request");
    for (minutes, kwh) in [(0, 0.0), (30, 3.0), (60, 5.0), (90, 7.0), (120, 9.0)] {
        let sample = MeterSample::new(
            arriving.id.clone(),
            start + Duration::minutes(minutes),
            KilowattHours::new(kwh).expect("kWh"),
            crate::support::kw(if minutes <= 30 { 6.0 } else { 4.0 }),
            None,
        )
        .expect("sample");
        app.store.add_meter_sample(&sample).await.expect("sample");
    }
    let ended = Session {
        ended_at: Some(end),
        energy: KilowattHours::new(9.0).expect("kWh"),
        power: crate::support::kw(0.0),
        status: SessionStatus::Completed,
        vendor_updated_at: end,
        ..arriving
    };
    let (_, session) = app
        .store
        .upsert_session(&ended, &Effects::none())
        .await
        .expect("session ended");
    session
}

/// An app with the operators, a tariff at `s1` and the morning session.
async fn reported_site() -> (TestApp, Session) {
    let app = TestApp::new().await;
    add_operators(&app).await;
    let tariff = app
        .api(
            Method::PUT,
            "/api/v1/sites/s1/tariff",
            Some(OPERATOR),
            Some(json!({
                "currency": "USD",
                "default_price_per_kwh": 0.25,
                "windows": [{"days": ["mon"], "start": "16:00", "end": "21:00", "price_per_kwh": 0.5}],
                "demand_charge_per_kw": 18.5,
                "billing_period_start_day": 1,
            })),
        )
        .await;
    assert_eq!(tariff.status, StatusCode::OK, "{}", tariff.body);
    let session = morning_session(&app).await;
    (app, session)
}

async fn get(app: &TestApp, path: &str) -> crate::support::Reply {
    app.api(Method::GET, path, Some(OPERATOR), None).await
}

fn header_of(reply: &crate::support::Reply, name: header::HeaderName) -> &str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_of_a_day_has_the_crates_figures() {
    let (app, session) = reported_site().await;

    let reply = get(&app, "/api/v1/sites/s1/reports?period=day&date=2026-06-15").await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["site_id"], "s1");
    assert_eq!(report["time_zone"], "America/Los_Angeles");
    assert_eq!(
        report["period"],
        json!({
            "kind": "day",
            "label": "2026-06-15",
            "first_day": "2026-06-15",
            "last_day": "2026-06-15",
            "from": "2026-06-15T07:00:00Z",
            "to": "2026-06-16T07:00:00Z",
            "hours": 24.0,
        })
    );
    assert_eq!(report["interval_minutes"], 5);
    let summary = &report["summary"];
    assert_eq!(summary["sessions_count"], 1);
    assert_eq!(summary["sessions_with_kwh_request"], 1);
    assert_eq!(summary["sessions_without_request"], 0);
    assert_eq!(summary["requested_kwh"], 8.0);
    assert_eq!(summary["delivered_kwh"], 9.0);
    assert_eq!(summary["requests_met"], 1);
    assert_eq!(summary["requests_still_charging"], 0);
    assert_eq!(summary["requests_met_pct"], 100.0);
    assert_eq!(summary["measured_peak_kw"], 6.0);
    assert_eq!(summary["measured_peak_at"], "2026-06-15T13:00:00Z");
    assert_eq!(summary["counterfactual_peak_kw"], 6.6);
    assert_eq!(summary["peak_reduction_kw"], 0.6);
    let cost = &report["cost"];
    assert_eq!(cost["currency"], "USD");
    assert_eq!(cost["energy_cost"], 2.25, "9 kWh at 0.25 before 16:00");
    assert_eq!(cost["demand_charge_per_kw"], 18.5);
    assert_eq!(cost["demand_charge"], 111.0);
    assert_eq!(cost["counterfactual_demand_charge"], 122.1);
    let sessions = report["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1);
    let row = &sessions[0];
    assert_eq!(row["session_id"], session.id.to_string());
    assert_eq!(row["driver"], "Guest on s1-p1", "no participant has RFID-7");
    assert_eq!(row["port_id"], "s1-p1");
    assert_eq!(row["started_at_local"], "2026-06-15T06:00:00-07:00");
    assert_eq!(row["ended_at_local"], "2026-06-15T08:00:00-07:00");
    assert_eq!(row["request"], "kwh");
    assert_eq!(row["requested_kwh"], 8.0);
    assert_eq!(row["delivered_kwh"], 9.0);
    assert_eq!(row["met"], true);
    assert!(!reply.body.contains("RFID-7"), "no token uid");

    // Field for field what the crate serializes.
    let day = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
    let expected = load(app.store.as_ref(), &site_id(), Period::day(day))
        .await
        .expect("report");
    assert_eq!(report, serde_json::to_value(&expected).expect("JSON"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_runs_from_monday_and_the_default_is_the_sites_today() {
    let (app, _) = reported_site().await;

    let week = get(&app, "/api/v1/sites/s1/reports?period=week&date=2026-06-18").await;
    // 22:00 on Monday in Los Angeles is already Tuesday in UTC.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 6, 16, 5, 0, 0)
            .single()
            .expect("time"),
    );
    let today = get(&app, "/api/v1/sites/s1/reports").await;
    let next_day = get(&app, "/api/v1/sites/s1/reports?date=2026-06-16").await;

    assert_eq!(week.status, StatusCode::OK, "{}", week.body);
    let week = week.json();
    assert_eq!(week["period"]["kind"], "week");
    assert_eq!(week["period"]["label"], "2026-W25");
    assert_eq!(week["period"]["first_day"], "2026-06-15");
    assert_eq!(week["period"]["last_day"], "2026-06-21");
    assert_eq!(week["period"]["hours"], 168.0);
    assert_eq!(week["summary"]["sessions_count"], 1);
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert_eq!(today.json()["period"]["label"], "2026-06-15");
    assert_eq!(today.json()["summary"]["sessions_count"], 1);
    let next_day = next_day.json();
    assert_eq!(next_day["summary"]["sessions_count"], 0);
    assert_eq!(next_day["sessions"], json!([]));
    assert_eq!(next_day["summary"]["requests_met_pct"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_lists_the_sessions_or_the_summary_as_an_attachment() {
    let (app, session) = reported_site().await;

    let sessions = get(
        &app,
        "/api/v1/sites/s1/reports.csv?period=day&date=2026-06-15",
    )
    .await;
    let summary = get(
        &app,
        "/api/v1/sites/s1/reports.csv?period=week&date=2026-06-15&table=summary",
    )
    .await;

    assert_eq!(sessions.status, StatusCode::OK, "{}", sessions.body);
    assert_eq!(
        header_of(&sessions, header::CONTENT_TYPE),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        header_of(&sessions, header::CONTENT_DISPOSITION),
        "attachment; filename=\"chargeplan-s1-2026-06-15-sessions.csv\""
    );
    assert_eq!(
        sessions.body,
        format!(
            "session_id,driver,port_id,started_local,ended_local,request,requested_kwh,\
             delivered_kwh,met,departure_requested_local\r\n\
             {},Guest on s1-p1,s1-p1,2026-06-15T06:00:00-07:00,2026-06-15T08:00:00-07:00,kwh,8,9,yes,\
             2026-06-15T08:00:00-07:00\r\n",
            session.id
        )
    );

    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert_eq!(
        header_of(&summary, header::CONTENT_DISPOSITION),
        "attachment; filename=\"chargeplan-s1-2026-W25-summary.csv\""
    );
    let lines: Vec<&str> = summary.body.split("\r\n").collect();
    assert_eq!(lines[0], "metric,value");
    for line in [
        "site_id,s1",
        "period,2026-W25",
        "sessions_count,1",
        "requests_met,1",
        "requests_met_pct,100",
        "measured_peak_kw,6",
        "counterfactual_peak_kw,6.6",
        "currency,USD",
        "demand_charge,111",
    ] {
        assert!(lines.contains(&line), "{line} in {}", summary.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_values_answer_422_at_their_field() {
    let (app, _) = reported_site().await;

    for (path, field) in [
        ("/api/v1/sites/s1/reports?period=month", "period"),
        ("/api/v1/sites/s1/reports?date=15%2F06%2F2026", "date"),
        ("/api/v1/sites/s1/reports?date=2026-02-30", "date"),
        ("/api/v1/sites/s1/reports?table=summary", "table"),
        ("/api/v1/sites/s1/reports?period=day&period=week", "period"),
        ("/api/v1/sites/s1/reports.csv?period=year", "period"),
        ("/api/v1/sites/s1/reports.csv?date=tomorrow", "date"),
        ("/api/v1/sites/s1/reports.csv?table=all", "table"),
    ] {
        let reply = get(&app, path).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            reply.body
        );
        let error = &reply.json()["error"];
        assert_eq!(error["field"], field, "{path}: {}", reply.body);
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(&format!("{field}: "))),
            "{path}: {}",
            reply.body
        );
    }
    let message = get(&app, "/api/v1/sites/s1/reports?period=month")
        .await
        .json();
    assert_eq!(
        message["error"]["message"],
        "period: 'month' is not a period; use day or week"
    );
}
