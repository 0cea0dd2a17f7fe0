//! The dashboard's reports: the page and the CSV downloads of a day or a week.

use axum::http::{StatusCode, header};

use crate::dashboard::{admin, charging, get};
use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_of_today_shows_requests_peaks_and_sessions() {
    let app = TestApp::new().await;
    charging(&app, "+14155550101", "RFID-1", "s1-p1", 20.0).await;
    let login = admin(&app).await;

    let page = get(&app, "/dashboard/sites/s1/reports", &login).await;
    let week = get(
        &app,
        "/dashboard/sites/s1/reports?period=week&date=2026-06-17",
        &login,
    )
    .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Monday 15 June 2026"),
        "today by default"
    );
    assert!(page.body.contains("Requests fully met"));
    assert!(page.body.contains("Energy requested"));
    assert!(page.body.contains("Measured peak"));
    assert!(page.body.contains("Uncontrolled peak (counterfactual)"));
    assert!(page.body.contains("no tariff set"));
    assert!(page.body.contains("id=\"report-sessions\""));
    assert!(page.body.contains("Driver "), "sessions by alias");
    assert!(!page.body.contains("4155550101"), "no phone number");
    assert!(
        page.body
            .contains("reports.csv?period=day&amp;date=2026-06-15")
    );
    assert_eq!(week.status, StatusCode::OK);
    assert!(
        week.body.contains("Week 2026-W25: 15 June – 21 June 2026"),
        "{}",
        week.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_is_an_attachment_with_one_row_per_session() {
    let app = TestApp::new().await;
    let session = charging(&app, "+14155550101", "RFID-1", "s1-p1", 20.0).await;
    let login = admin(&app).await;

    let csv = get(
        &app,
        "/dashboard/sites/s1/reports.csv?period=day&date=2026-06-15",
        &login,
    )
    .await;
    let summary = get(
        &app,
        "/dashboard/sites/s1/reports.csv?period=week&date=2026-06-15&table=summary",
        &login,
    )
    .await;

    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    assert_eq!(
        csv.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"chargeplan-s1-2026-06-15-sessions.csv\""
    );
    let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("session_id,driver,port_id,"),
        "{}",
        csv.body
    );
    assert_eq!(lines.len(), 2, "{}", csv.body);
    let driver = lines[1]
        .strip_prefix(&format!("{},", session.id))
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("the session id first: {}", lines[1]));
    assert!(driver.starts_with("Driver "), "{}", lines[1]);
    assert!(
        lines[1].contains(&format!(",{driver},s1-p1,")),
        "{}",
        lines[1]
    );
    let page = get(
        &app,
        "/dashboard/sites/s1/reports?period=day&date=2026-06-15",
        &login,
    )
    .await;
    assert!(
        page.body.contains(driver) && page.body.contains(&session.id.to_string()),
        "the page names the session as the CSV does, by driver and by id: {}",
        page.body
    );
    let overview = get(&app, "/dashboard/sites/s1", &login).await;
    assert!(
        overview.body.contains(driver) && overview.body.contains(&session.id.to_string()),
        "so does the overview's sessions table: {}",
        overview.body
    );
    assert!(!csv.body.contains("4155550101"));
    assert_eq!(summary.status, StatusCode::OK);
    assert!(
        summary.body.starts_with("metric,value\r\n"),
        "{}",
        summary.body
    );
    assert!(
        summary.body.contains("period,2026-W25\r\n"),
        "{}",
        summary.body
    );
    assert!(summary.body.contains("sessions_count,1\r\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_period_or_date_is_an_error_at_its_field() {
    let app = TestApp::new().await;
    let login = admin(&app).await;

    let page = get(
        &app,
        "/dashboard/sites/s1/reports?period=day&date=15%2F06%2F2026",
        &login,
    )
    .await;
    let csv = get(&app, "/dashboard/sites/s1/reports.csv?period=month", &login).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Enter the date as YYYY-MM-DD"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"report-date-error\""));
    assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
}
