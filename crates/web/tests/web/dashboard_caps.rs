//! The dashboard's cap editor: CSRF, site access, validation, the change and the re-plan.

use axum::http::StatusCode;
use chargeplan_core::{CircuitId, Clock as _, Plan};
use chargeplan_store::OperatorRole;

use crate::dashboard::{
    add_operator, admin, busy_site, follow, get, post, session_for, svg_attribute,
};
use crate::support::{SITE, TestApp, site_id};

const CAP_PATH: &str = "/dashboard/sites/s1/circuits/s1-main/cap";

async fn main_cap(app: &TestApp, site: &str) -> f64 {
    let site = chargeplan_core::SiteId::parse(site).expect("id");
    let circuits = app.store.list_circuits(&site).await.expect("circuits");
    circuits[0].cap.get()
}

/// The highest total planned power of any slot.
fn plan_peak(plan: &Plan) -> f64 {
    (0..plan.horizon_slots as usize)
        .map(|i| {
            plan.sessions
                .iter()
                .map(|s| s.power_kw.get(i).copied().unwrap_or(0.0))
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cap_form_without_the_session_csrf_token_is_refused() {
    let app = TestApp::new().await;
    let login = admin(&app).await;

    let missing = post(&app, CAP_PATH, &login, &[("cap_kw", "10")]).await;
    let wrong = post(
        &app,
        CAP_PATH,
        &login,
        &[("cap_kw", "10"), ("csrf", "not-the-token")],
    )
    .await;

    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(main_cap(&app, SITE).await, 150.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_cap_is_stored_the_site_replanned_under_it_and_the_change_told() {
    let app = TestApp::new().await;
    busy_site(&app).await;
    let before = app
        .store
        .latest_plan(&site_id())
        .await
        .expect("read")
        .expect("a plan");
    assert!(plan_peak(&before) > 10.0, "the cars want more than 10 kW");
    let login = admin(&app).await;

    let saved = post(
        &app,
        CAP_PATH,
        &login,
        &[("cap_kw", "10"), ("csrf", &login.csrf)],
    )
    .await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(main_cap(&app, SITE).await, 10.0);
    let after = app
        .store
        .latest_plan(&site_id())
        .await
        .expect("read")
        .expect("a plan");
    assert_ne!(after.id, before.id, "a new plan");
    assert!(
        plan_peak(&after) <= 10.0 + 1e-6,
        "planned {} kW",
        plan_peak(&after)
    );
    assert_eq!(
        saved.location(),
        Some("/dashboard/sites/s1"),
        "no query to stick"
    );
    let flash = saved.header(axum::http::header::SET_COOKIE).to_owned();
    assert!(
        flash.starts_with("chargeplan_flash=") && flash.contains(&after.id.to_string()),
        "{flash}"
    );
    let page = follow(&app, &saved, &login).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Cap of Main set to 10 kW; new plan computed at 09:00."),
        "{}",
        page.body
    );
    let shown = page.header(axum::http::header::SET_COOKIE);
    assert!(
        shown.starts_with("chargeplan_flash=;") && shown.contains("Max-Age=0"),
        "the page deletes the notice it showed: {shown}"
    );
    let reloaded = get(&app, "/dashboard/sites/s1", &login).await;
    assert!(
        !reloaded.body.contains("Cap of Main set to"),
        "a reload does not say it again"
    );
    assert_eq!(svg_attribute(&page.body, "data-cap-kw"), "10");
    let peak: f64 = svg_attribute(&page.body, "data-planned-peak-kw")
        .parse()
        .expect("number");
    assert!(peak <= 10.0, "{peak}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_cap_comes_back_at_its_field_and_changes_nothing() {
    let app = TestApp::new().await;
    let login = admin(&app).await;

    for bad in ["", "lots", "0", "-3", "1e9"] {
        let reply = post(
            &app,
            CAP_PATH,
            &login,
            &[("cap_kw", bad), ("csrf", &login.csrf)],
        )
        .await;

        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(
            reply.body.contains("id=\"cap-s1-main-static-error\""),
            "{}",
            reply.body
        );
        assert!(reply.body.contains("aria-invalid=\"true\""));
        assert!(
            reply.body.contains("href=\"#cap-s1-main-static\""),
            "the summary links to the field"
        );
        assert!(reply.body.contains("<title>Error: "), "the title says so");
    }
    assert_eq!(main_cap(&app, SITE).await, 150.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_operator_cannot_change_another_sites_cap() {
    let app = TestApp::new().await;
    app.add_site("s2", "Other Site").await;
    let operator = add_operator(&app, "sam", OperatorRole::SiteOperator, &[SITE], None).await;
    let login = session_for(&app, &operator).await;

    let other = post(
        &app,
        "/dashboard/sites/s2/circuits/s2-main/cap",
        &login,
        &[("cap_kw", "10"), ("csrf", &login.csrf)],
    )
    .await;
    let wrong_circuit = post(
        &app,
        "/dashboard/sites/s1/circuits/s2-main/cap",
        &login,
        &[("cap_kw", "10"), ("csrf", &login.csrf)],
    )
    .await;

    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_circuit.status, StatusCode::NOT_FOUND);
    assert_eq!(main_cap(&app, "s2").await, 150.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_lowers_the_cap_until_it_is_ended() {
    let app = TestApp::new().await;
    busy_site(&app).await;
    let login = admin(&app).await;
    let overrides = "/dashboard/sites/s1/circuits/s1-main/overrides";

    let too_high = post(
        &app,
        overrides,
        &login,
        &[
            ("cap_kw", "200"),
            ("duration_min", "30"),
            ("reason", ""),
            ("csrf", &login.csrf),
        ],
    )
    .await;
    let added = post(
        &app,
        overrides,
        &login,
        &[
            ("cap_kw", "8"),
            ("duration_min", "30"),
            ("reason", "utility event"),
            ("csrf", &login.csrf),
        ],
    )
    .await;
    let lowered = follow(&app, &added, &login).await;
    let plan = app
        .store
        .latest_plan(&site_id())
        .await
        .expect("read")
        .expect("plan");
    let ended = post(
        &app,
        &format!("{overrides}/end"),
        &login,
        &[("csrf", &login.csrf)],
    )
    .await;
    let restored = follow(&app, &ended, &login).await;

    assert_eq!(too_high.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_high.body.contains("An override can only lower the cap"),
        "{}",
        too_high.body
    );
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(
        lowered
            .body
            .contains("Override of Main set to 8 kW until 09:30; new plan computed at 09:00."),
        "{}",
        lowered.body
    );
    assert!(lowered.body.contains("utility event"));
    assert_eq!(svg_attribute(&lowered.body, "data-cap-kw"), "8");
    let first_slot: f64 = plan.sessions.iter().map(|s| s.power_kw[0]).sum();
    assert!(first_slot <= 8.0 + 1e-6, "{first_slot}");
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(
        restored.body.contains("Overrides of Main ended"),
        "{}",
        restored.body
    );
    assert_eq!(svg_attribute(&restored.body, "data-cap-kw"), "150");
    let active = app
        .store
        .list_cap_overrides(&site_id(), app.clock.now())
        .await
        .expect("overrides");
    assert!(
        active
            .iter()
            .all(|o| o.circuit_id != CircuitId::parse("s1-main").expect("id")
                || !o.is_active(app.clock.now())),
        "{active:?}"
    );
}
