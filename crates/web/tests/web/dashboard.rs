//! The operator dashboard (`src/dashboard/`): login redirects, the site list, the overview
//! with its charts and sessions, and site access. The cap editor is in `dashboard_caps.rs`,
//! the reports in `dashboard_reports.rs`; the helpers here serve all three.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chargeplan_core::{
    ChargingRequest, Clock as _, EnergyNeed, KilowattHours, MeterSample, PortId, Session,
    SessionId, SessionStatus, TokenUid, WhPerMile,
};
use chargeplan_store::{DashboardSession, Effects, Operator, OperatorRole};
use chargeplan_web::access::{hash_secret, new_secret, password::hash_password};
use chargeplan_web::router;
use chrono::Duration;
use tower::ServiceExt as _;

use crate::support::{SITE, TestApp, hidden_value, kw, site_id, vendor};

/// A logged-in operator: the cookie to send and the CSRF token their forms carry.
pub struct Login {
    pub cookie: String,
    pub csrf: String,
}

/// What a route answered, with its headers.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// Sends a request with an optional cookie and an optional form body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let body = match form {
        Some(fields) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(fields).expect("form"))
        }
        None => Body::empty(),
    };
    let response = router(app.state.clone())
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .expect("body");
    Answer {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    }
}

pub async fn get(app: &TestApp, path: &str, login: &Login) -> Answer {
    call(app, Method::GET, path, Some(&login.cookie), None).await
}

pub async fn post(app: &TestApp, path: &str, login: &Login, form: &[(&str, &str)]) -> Answer {
    call(app, Method::POST, path, Some(&login.cookie), Some(form)).await
}

/// Follows a form's redirect as a browser does: `GET` its location with the login and the
/// cookies the answer set (the one-time notice).
pub async fn follow(app: &TestApp, answer: &Answer, login: &Login) -> Answer {
    let location = answer.location().expect("a redirect");
    let mut cookie = login.cookie.clone();
    for set in answer.headers.get_all(header::SET_COOKIE) {
        let pair = set
            .to_str()
            .expect("ASCII")
            .split(';')
            .next()
            .expect("pair");
        cookie = format!("{cookie}; {pair}");
    }
    call(app, Method::GET, location, Some(&cookie), None).await
}

/// Creates an operator (with a password when given).
pub async fn add_operator(
    app: &TestApp,
    name: &str,
    role: OperatorRole,
    sites: &[&str],
    password: Option<&str>,
) -> Operator {
    let operator = Operator {
        id: new_secret(),
        name: name.to_owned(),
        role,
        password_hash: password.map(|p| hash_password(p).expect("hashed")),
        sites: sites
            .iter()
            .map(|s| chargeplan_core::SiteId::parse(s).expect("id"))
            .collect(),
        created_at: app.clock.now(),
    };
    app.store
        .insert_operator(&operator)
        .await
        .expect("operator");
    operator
}

/// A dashboard session for `operator`, made directly in the store.
pub async fn session_for(app: &TestApp, operator: &Operator) -> Login {
    let id = new_secret();
    let csrf = new_secret();
    let session = DashboardSession {
        id_hash: hash_secret(&id),
        operator_id: operator.id.clone(),
        csrf_token: csrf.clone(),
        created_at: app.clock.now(),
        expires_at: app.clock.now() + Duration::hours(12),
    };
    app.store
        .insert_dashboard_session(&session)
        .await
        .expect("session");
    Login {
        cookie: format!("chargeplan_session={id}"),
        csrf,
    }
}

/// An admin logged in.
pub async fn admin(app: &TestApp) -> Login {
    let operator = add_operator(app, "ada", OperatorRole::Admin, &[], None).await;
    session_for(app, &operator).await
}

/// A participant's car on port `port` with a request for `kwh` by 13:00 (four hours ahead).
pub async fn charging(app: &TestApp, phone: &str, token: &str, port: &str, kwh: f64) -> Session {
    app.add_participant(SITE, phone, &[token]).await;
    let now = app.clock.now();
    let session = Session {
        id: SessionId::generate(),
        site_id: site_id(),
        vendor_account: vendor(),
        vendor_session_id: format!("v-{token}"),
        port_id: Some(PortId::parse(port).expect("id")),
        token_uid: Some(TokenUid::parse(token).expect("uid")),
        started_at: now - Duration::minutes(30),
        ended_at: None,
        energy: KilowattHours::new(2.5).expect("kWh"),
        power: kw(5.0),
        status: SessionStatus::Active,
        vendor_updated_at: now,
    };
    let (_, session) = app
        .store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session");
    for minutes in [25, 15, 5] {
        let sample = MeterSample::new(
            session.id.clone(),
            now - Duration::minutes(minutes),
            KilowattHours::new(2.0).expect("kWh"),
            kw(5.0),
            None,
        )
        .expect("sample");
        app.store.add_meter_sample(&sample).await.expect("sample");
    }
    let request = ChargingRequest::new(
        session.id.clone(),
        1,
        now + Duration::hours(4),
        EnergyNeed::Kwh(kwh),
        Some(WhPerMile::DEFAULT),
        now,
    )
    .expect("request");
    app.store
        .add_request_revision(&request, &Effects::none())
        .await
        .expect("request");
    session
}

/// Two cars asking for more than their ports give in four hours, and a plan for them.
pub async fn busy_site(app: &TestApp) {
    charging(app, "+14155550101", "RFID-1", "s1-p1", 40.0).await;
    charging(app, "+14155550102", "RFID-2", "s1-p2", 40.0).await;
    app.state
        .control
        .replan_now(&site_id())
        .await
        .expect("planned");
}

/// The value of attribute `name` on the first `<svg` of a page.
pub fn svg_attribute(html: &str, name: &str) -> String {
    let svg = &html[html.find("<svg").expect("an svg")..];
    let svg = &svg[..svg.find('>').expect("end of tag")];
    let marker = format!("{name}=\"");
    let start = svg
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {svg}"))
        + marker.len();
    let end = svg[start..].find('"').expect("closing quote") + start;
    svg[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_without_a_session_redirect_to_the_login_and_back() {
    let app = TestApp::new().await;

    let list = call(&app, Method::GET, "/dashboard", None, None).await;
    let overview = call(&app, Method::GET, "/dashboard/sites/s1", None, None).await;
    let stale = call(
        &app,
        Method::GET,
        "/dashboard",
        Some("chargeplan_session=unknown"),
        None,
    )
    .await;

    assert_eq!(list.status, StatusCode::SEE_OTHER);
    assert_eq!(list.location(), Some("/login?next=%2Fdashboard"));
    assert_eq!(overview.status, StatusCode::SEE_OTHER);
    assert_eq!(
        overview.location(),
        Some("/login?next=%2Fdashboard%2Fsites%2Fs1")
    );
    assert_eq!(stale.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_logs_in_with_the_form_and_sees_the_site_list() {
    let app = TestApp::new().await;
    add_operator(
        &app,
        "ada",
        OperatorRole::Admin,
        &[],
        Some("correct horse battery"),
    )
    .await;

    let form = call(&app, Method::GET, "/login?next=%2Fdashboard", None, None).await;
    let login_cookie = form
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("chargeplan_login="))
        .and_then(|v| v.split(';').next())
        .expect("login cookie")
        .to_owned();
    let csrf = hidden_value(&form.body, "csrf");
    let fields = [
        ("name", "ada"),
        ("password", "correct horse battery"),
        ("csrf", csrf.as_str()),
        ("next", "/dashboard"),
    ];
    let logged_in = call(
        &app,
        Method::POST,
        "/login",
        Some(&login_cookie),
        Some(&fields),
    )
    .await;
    let session_cookie = logged_in
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("chargeplan_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let list = call(&app, Method::GET, "/dashboard", Some(&session_cookie), None).await;

    assert_eq!(
        logged_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        logged_in.body
    );
    assert_eq!(logged_in.location(), Some("/dashboard"));
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("href=\"/dashboard/sites/s1\""),
        "{}",
        list.body
    );
    assert!(list.body.contains("Test Site"));
    assert!(list.body.contains("action=\"/logout\""));
    assert!(list.body.contains("ada"), "the operator's name is shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_charts_each_circuit_and_lists_sessions_without_phone_numbers() {
    let app = TestApp::new().await;
    busy_site(&app).await;
    let login = admin(&app).await;

    let page = get(&app, "/dashboard/sites/s1", &login).await;

    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(svg_attribute(&page.body, "data-cap-kw"), "150");
    let peak: f64 = svg_attribute(&page.body, "data-planned-peak-kw")
        .parse()
        .expect("number");
    assert!((peak - 13.2).abs() < 0.01, "both ports at 6.6 kW: {peak}");
    assert!(
        page.body
            .contains("<title id=\"chart-s1-main-title\">Power on circuit Main</title>")
    );
    assert!(page.body.contains("<desc id=\"chart-s1-main-desc\">"));
    assert!(
        page.body.contains("Chart data for Main"),
        "the data table fallback"
    );
    assert!(page.body.contains("id=\"sessions\""));
    assert!(
        page.body.matches("Driver ").count() >= 4,
        "legend and table name the drivers"
    );
    assert!(page.body.contains("s1-p1") && page.body.contains("s1-p2"));
    assert!(page.body.contains("2.5 kWh / 40.0 kWh"), "{}", page.body);
    assert!(page.body.contains("kWh short"), "the shortfall is shown");
    for phone in ["4155550101", "4155550102", "+1 415", "•••"] {
        assert!(
            !page.body.contains(phone),
            "no phone number ({phone}) on the dashboard"
        );
    }
    assert!(
        page.body
            .contains(&format!("name=\"csrf\" value=\"{}\"", login.csrf))
    );
    assert!(
        page.body
            .contains("data-refresh-url=\"/dashboard/sites/s1/charts\"")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chart_block_is_served_alone_for_the_refresh() {
    let app = TestApp::new().await;
    busy_site(&app).await;
    let login = admin(&app).await;

    let fragment = get(&app, "/dashboard/sites/s1/charts", &login).await;

    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment
            .header(header::CONTENT_TYPE)
            .starts_with("text/html")
    );
    assert!(!fragment.body.contains("<html"), "a fragment, not a page");
    assert_eq!(svg_attribute(&fragment.body, "data-cap-kw"), "150");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_operator_sees_only_the_sites_granted_to_them() {
    let app = TestApp::new().await;
    app.add_site("s2", "Other Site").await;
    let operator = add_operator(&app, "sam", OperatorRole::SiteOperator, &[SITE], None).await;
    let login = session_for(&app, &operator).await;

    let list = get(&app, "/dashboard", &login).await;
    let own = get(&app, "/dashboard/sites/s1", &login).await;
    let other = get(&app, "/dashboard/sites/s2", &login).await;
    let unknown = get(&app, "/dashboard/sites/nowhere", &login).await;

    assert!(list.body.contains("Test Site"));
    assert!(!list.body.contains("Other Site"), "{}", list.body);
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.body, unknown.body,
        "a site not granted looks like no site"
    );
    for path in [
        "/dashboard/sites/s2/charts",
        "/dashboard/sites/s2/reports",
        "/dashboard/sites/s2/reports.csv",
    ] {
        assert_eq!(
            get(&app, path, &login).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}
