//! Operators for the API tests: an admin and a site operator of `s1` with API tokens (and a
//! revoked one), a second site `s2` with a record of every kind, and a vendor account.

use chargeplan_core::{
    ChargingRequest, Clock as _, EnergyNeed, KilowattHours, LimitPeriod, Plan, PlanId, PortId,
    Session, SessionId, SessionStatus, Setpoint, SiteId, TokenUid,
};
use chargeplan_store::{ApiToken, Effects, Operator, OperatorRole, VendorAccount};
use chargeplan_web::access::hash_secret;
use chrono::Duration;

use crate::support::{SITE, TestApp, kw, vendor};

/// The admin's API token.
pub const ADMIN: &str = "admin-api-token-0123456789abcdef";
/// The API token of the operator of `s1` only.
pub const OPERATOR: &str = "s1-operator-token-0123456789abcdef";
/// A token of the same site operator, revoked.
pub const REVOKED: &str = "s1-operator-revoked-0123456789abcdef";
/// The site the operator of `s1` may not see.
pub const OTHER_SITE: &str = "s2";

/// The ids of one record of each kind at a site, for building paths.
#[derive(Debug, Clone)]
pub struct SiteRecords {
    pub site: String,
    pub circuit: String,
    pub port: String,
    pub session: String,
    pub plan: String,
    pub participant: String,
}

/// Adds the operators, their tokens and the vendor account `cpo-1` to the app's store.
pub async fn add_operators(app: &TestApp) {
    let now = app.clock.now();
    let admin = operator("op-admin", "admin", OperatorRole::Admin, &[]);
    let site_operator = operator("op-s1", "s1-operator", OperatorRole::SiteOperator, &[SITE]);
    for (operator, tokens) in [
        (&admin, vec![(ADMIN, false)]),
        (&site_operator, vec![(OPERATOR, false), (REVOKED, true)]),
    ] {
        app.store.insert_operator(operator).await.expect("operator");
        for (i, (token, revoked)) in tokens.into_iter().enumerate() {
            let record = ApiToken {
                id: format!("{}-token-{i}", operator.id),
                operator_id: operator.id.clone(),
                label: "tests".into(),
                token_hash: hash_secret(token),
                created_at: now,
                revoked_at: revoked.then_some(now),
            };
            app.store.insert_api_token(&record).await.expect("token");
        }
    }
    app.store
        .upsert_vendor_account(&vendor_account(app))
        .await
        .expect("vendor account");
}

fn operator(id: &str, name: &str, role: OperatorRole, sites: &[&str]) -> Operator {
    Operator {
        id: id.into(),
        name: name.into(),
        role,
        password_hash: None,
        sites: sites
            .iter()
            .map(|s| SiteId::parse(s).expect("id"))
            .collect(),
        created_at: crate::support::t0(),
    }
}

/// A disabled account (nothing polls it), so ports may be mapped to it.
fn vendor_account(app: &TestApp) -> VendorAccount {
    VendorAccount {
        id: vendor(),
        protocol: "ocpi-2.2.1".into(),
        versions_url: "http://127.0.0.1:9/ocpi/versions".into(),
        outbound_token: "outbound".into(),
        inbound_token: "inbound".into(),
        token_encoding: "base64".into(),
        sessions_url: "http://127.0.0.1:9/sessions".into(),
        locations_url: "http://127.0.0.1:9/locations".into(),
        charging_profiles_url: "http://127.0.0.1:9/chargingprofiles".into(),
        rate_unit: "W".into(),
        enabled: false,
        created_at: app.clock.now(),
        updated_at: app.clock.now(),
    }
}

/// An active session on `port` of `site`, with a request for 10 kWh in four hours (when
/// `requested`) and a setpoint.
pub async fn add_session(app: &TestApp, site: &str, port: &str, requested: bool) -> Session {
    let now = app.clock.now();
    let session = Session {
        id: SessionId::generate(),
        site_id: SiteId::parse(site).expect("id"),
        vendor_account: vendor(),
        vendor_session_id: format!("{site}-{port}-{}", SessionId::generate()),
        port_id: Some(PortId::parse(port).expect("id")),
        token_uid: Some(TokenUid::parse("CARD-9").expect("uid")),
        started_at: now,
        ended_at: None,
        energy: KilowattHours::ZERO,
        power: kw(0.0),
        status: SessionStatus::Active,
        vendor_updated_at: now,
    };
    let (_, session) = app
        .store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session");
    if requested {
        let request = ChargingRequest::new(
            session.id.clone(),
            1,
            now + Duration::hours(4),
            EnergyNeed::Kwh(10.0),
            None,
            now,
        )
        .expect("request");
        app.store
            .add_request_revision(&request, &Effects::none())
            .await
            .expect("request stored");
    }
    let setpoint = Setpoint::new(
        session.site_id.clone(),
        None,
        PortId::parse(port).expect("id"),
        session.id.clone(),
        now,
        vec![LimitPeriod {
            start_offset_s: 0,
            limit_kw: 6.6,
        }],
        now,
    )
    .expect("setpoint");
    app.store
        .insert_setpoint(&setpoint)
        .await
        .expect("setpoint");
    session
}

/// A stored plan of `site` made now.
pub async fn add_plan(app: &TestApp, site: &str) -> Plan {
    let now = app.clock.now();
    let plan = Plan {
        id: PlanId::generate(),
        site_id: SiteId::parse(site).expect("id"),
        created_at: now,
        start: now,
        slot_minutes: chargeplan_core::SlotMinutes::new(5).expect("slot"),
        horizon_slots: 2,
        sessions: Vec::new(),
    };
    app.store.save_plan(&plan).await.expect("plan");
    plan
}

/// A site with one record of each kind; `s2` is added first when `site` is it.
pub async fn site_records(app: &TestApp, site: &str) -> SiteRecords {
    if site != SITE {
        app.add_site(site, "Other Site").await;
    }
    let session = add_session(app, site, &format!("{site}-p1"), true).await;
    let plan = add_plan(app, site).await;
    let phone = if site == SITE {
        "+14155550111"
    } else {
        "+14155550122"
    };
    let participant = app
        .add_participant(site, phone, &[&format!("{site}-card")])
        .await;
    SiteRecords {
        site: site.into(),
        circuit: format!("{site}-main"),
        port: format!("{site}-p1"),
        session: session.id.to_string(),
        plan: plan.id.to_string(),
        participant: participant.id.to_string(),
    }
}
