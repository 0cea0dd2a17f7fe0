//! The dashboard's Sharing page: the settings form (ranges, CSRF, errors at their fields,
//! nothing changed by a refused form), the cable toggle per port, site access, the relay
//! audit without numbers, and the relay figures on the reports page.

use axum::http::StatusCode;
use chargeplan_core::{PortId, SHARING_LIMITS, SharingSettings};
use chargeplan_store::OperatorRole;

use crate::api_relay_log::{phone_digit_runs, relay_rows};
use crate::dashboard::{Login, add_operator, follow, get, post, session_for};
use crate::support::{TestApp, site_id};

const PAGE: &str = "/dashboard/sites/s1/sharing";

async fn site_operator(app: &TestApp) -> Login {
    let operator = add_operator(app, "sam", OperatorRole::SiteOperator, &["s1"], None).await;
    session_for(app, &operator).await
}

/// Every field of the form with the values of `settings`, and the session's token.
fn fields(settings: &SharingSettings, csrf: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = settings
        .numbers()
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.to_string()))
        .collect();
    if settings.board_enabled {
        fields.push(("board_enabled".into(), "on".into()));
    }
    fields.push(("csrf".into(), csrf.to_owned()));
    fields
}

async fn post_fields(
    app: &TestApp,
    path: &str,
    login: &Login,
    fields: &[(String, String)],
) -> crate::dashboard::Answer {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    post(app, path, login, &pairs).await
}

async fn stored(app: &TestApp) -> SharingSettings {
    app.store
        .get_sharing_settings(&site_id())
        .await
        .expect("settings")
}

async fn cable_movable(app: &TestApp, port: &str) -> bool {
    let ports = app.store.list_ports(&site_id()).await.expect("ports");
    let id = PortId::parse(port).expect("id");
    ports
        .iter()
        .find(|p| p.id == id)
        .expect("port")
        .cable_movable
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_has_a_field_for_every_setting_with_its_range_and_the_board_switch() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;

    let page = get(&app, PAGE, &login).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(r#"href="/dashboard/sites/s1/sharing" aria-current="page""#)
    );
    assert!(
        page.body
            .contains(r#"type="checkbox" name="board_enabled" value="on" checked"#),
        "{}",
        page.body
    );
    for (field, min, max) in SHARING_LIMITS {
        let input = format!(r#"name="{field}" value=""#);
        assert!(page.body.contains(&input), "{field}");
        assert!(
            page.body.contains(&format!(r#"min="{min}" max="{max}""#)),
            "{field}"
        );
    }
    assert!(page.body.contains("Hold a taken charger for (minutes)"));
    assert!(page.body.contains("Let others unplug s1-p1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_operator_gets_the_not_found_page_and_changes_nothing() {
    let app = TestApp::new().await;
    app.add_site("s2", "Other Site").await;
    let operator = add_operator(&app, "olga", OperatorRole::SiteOperator, &["s2"], None).await;
    let login = session_for(&app, &operator).await;

    let page = get(&app, PAGE, &login).await;
    let unknown = get(&app, "/dashboard/sites/s9/sharing", &login).await;
    let save = post_fields(
        &app,
        PAGE,
        &login,
        &fields(
            &SharingSettings {
                hold_min: 50,
                ..SharingSettings::default()
            },
            &login.csrf,
        ),
    )
    .await;
    let cable = post(
        &app,
        "/dashboard/sites/s1/sharing/ports/s1-p1",
        &login,
        &[("cable_movable", "yes"), ("csrf", &login.csrf)],
    )
    .await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.body, unknown.body);
    assert_eq!(save.status, StatusCode::NOT_FOUND);
    assert_eq!(cable.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&app).await, SharingSettings::default());
    assert!(!cable_movable(&app, "s1-p1").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_without_the_csrf_token_is_refused() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;
    let mut without = fields(
        &SharingSettings {
            hold_min: 50,
            ..SharingSettings::default()
        },
        "wrong",
    );

    let refused = post_fields(&app, PAGE, &login, &without).await;
    without.pop();
    let missing = post_fields(&app, PAGE, &login, &without).await;
    let cable = post(
        &app,
        "/dashboard/sites/s1/sharing/ports/s1-p1",
        &login,
        &[("cable_movable", "yes")],
    )
    .await;

    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(cable.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app).await, SharingSettings::default());
    assert!(!cable_movable(&app, "s1-p1").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_settings_come_back_with_errors_at_their_fields_and_change_nothing() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;
    let mut form = fields(&SharingSettings::default(), &login.csrf);
    for (name, value) in &mut form {
        match name.as_str() {
            "hold_min" => *value = "0".into(),
            "max_skips" => *value = "11".into(),
            _ => {}
        }
    }

    let page = post_fields(&app, PAGE, &login, &form).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("<title>Error: Sharing"), "{}", page.body);
    assert!(page.body.contains(r##"href="#sharing-hold-min""##));
    assert!(page.body.contains(r#"id="sharing-hold-min-error""#));
    assert!(
        page.body
            .contains("Enter a whole number of minutes from 1 to 120.")
    );
    assert!(
        page.body
            .contains("Enter a whole number of skips from 0 to 10.")
    );
    assert!(
        page.body.contains(r#"name="max_skips" value="11""#),
        "what was typed stays"
    );
    assert_eq!(stored(&app).await, SharingSettings::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_settings_are_saved_and_the_page_says_so() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;
    let wanted = SharingSettings {
        board_enabled: false,
        hold_min: 45,
        max_skips: 0,
        ..SharingSettings::default()
    };

    let saved = post_fields(&app, PAGE, &login, &fields(&wanted, &login.csrf)).await;

    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), Some("/dashboard/sites/s1/sharing"));
    assert_eq!(stored(&app).await, wanted);
    let page = follow(&app, &saved, &login).await;
    assert!(page.body.contains("Sharing settings saved."));
    let reloaded = get(&app, PAGE, &login).await;
    assert!(
        !reloaded.body.contains("Sharing settings saved."),
        "said once, not on every reload"
    );
    assert!(page.body.contains(r#"name="hold_min" value="45""#));
    assert!(
        !page
            .body
            .contains(r#"name="board_enabled" value="on" checked"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cable_toggle_sets_one_port_and_refuses_anything_but_yes_or_no() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;
    let path = "/dashboard/sites/s1/sharing/ports/s1-p2";

    let on = post(
        &app,
        path,
        &login,
        &[("cable_movable", "yes"), ("csrf", &login.csrf)],
    )
    .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert!(cable_movable(&app, "s1-p2").await);
    assert!(!cable_movable(&app, "s1-p1").await);
    let page = follow(&app, &on, &login).await;
    assert!(
        page.body
            .contains("Others may now unplug the cable of s1-p2 once its owner says OK.")
    );
    assert!(page.body.contains("Keep the cable of s1-p2 locked"));

    let odd = post(
        &app,
        path,
        &login,
        &[("cable_movable", "maybe"), ("csrf", &login.csrf)],
    )
    .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cable_movable(&app, "s1-p2").await, "unchanged");
    let unknown = post(
        &app,
        "/dashboard/sites/s1/sharing/ports/nope",
        &login,
        &[("cable_movable", "no"), ("csrf", &login.csrf)],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let off = post(
        &app,
        path,
        &login,
        &[("cable_movable", "no"), ("csrf", &login.csrf)],
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(!cable_movable(&app, "s1-p2").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_audit_shows_the_last_week_without_a_phone_number() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;
    relay_rows(&app).await;

    let page = get(&app, PAGE, &login).await;

    assert_eq!(page.status, StatusCode::OK);
    for digits in phone_digit_runs() {
        assert!(!page.body.contains(digits), "{digits} in the page");
    }
    assert!(page.body.contains(r#"id="relay-audit""#));
    assert!(page.body.contains("[K7]"));
    assert!(page.body.contains("relayed:return_time"));
    assert!(page.body.contains("back in 20, or call [removed]"));
    assert!(page.body.contains("car owner"));
    assert!(page.body.contains("refused:rate_limited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_page_shows_the_relay_figures() {
    let app = TestApp::new().await;
    let login = site_operator(&app).await;
    relay_rows(&app).await;

    let page = get(
        &app,
        "/dashboard/sites/s1/reports?period=day&date=2026-06-15",
        &login,
    )
    .await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"id="report-relay""#));
    assert!(
        page.body.contains("<dt>Threads opened</dt><dd>1</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd>5.0 min</dd>"), "{}", page.body);
    for digits in phone_digit_runs() {
        assert!(!page.body.contains(digits), "{digits} in the page");
    }
}
