//! `load` against a real SQLite store: the same two sessions as the unit tests, stored the
//! way the exchange stores them, plus a session of the day before that must be left out.

use std::sync::Arc;

use chargeplan_core::{
    ChargingRequest, Circuit, CircuitId, KilowattHours, Kilowatts, MeterSample, Phases, Port,
    PortId, RequestedEnergy, Session, SessionId, SessionStatus, Site, SiteId, Tariff,
    VendorAccountId, VendorRef,
};
use chargeplan_reports::{Period, ReportError, load};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreError, StoreTarget};
use chrono::{DateTime, NaiveDate, Utc};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

fn site_id() -> SiteId {
    SiteId::parse("lot-a").expect("site id")
}

fn port(id: &str, max_kw: f64) -> Port {
    Port::new(
        PortId::parse(id).expect("port id"),
        site_id(),
        CircuitId::parse("main").expect("circuit id"),
        VendorRef::new(
            VendorAccountId::parse("cpo").expect("vendor"),
            "LOC",
            id,
            "1",
        )
        .expect("vendor ref"),
        Kilowatts::new(max_kw).expect("power"),
        Phases::One,
        240.0,
        true,
    )
    .expect("port")
}

fn active(id: &str, port: &str, start: &str) -> Session {
    Session {
        id: SessionId::parse(id).expect("session id"),
        site_id: site_id(),
        vendor_account: VendorAccountId::parse("cpo").expect("vendor"),
        vendor_session_id: format!("v-{id}"),
        port_id: Some(PortId::parse(port).expect("port id")),
        token_uid: None,
        started_at: t(start),
        ended_at: None,
        energy: KilowattHours::ZERO,
        power: Kilowatts::ZERO,
        status: SessionStatus::Active,
        vendor_updated_at: t(start),
    }
}

/// Stores the session, its kWh request, its readings, and then its end with `kwh`.
async fn charge(
    store: &dyn Store,
    session: Session,
    requested_kwh: Option<f64>,
    readings: &[(&str, f64)],
    end: &str,
    kwh: f64,
) {
    store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session stored");
    if let Some(requested) = requested_kwh {
        let request = ChargingRequest {
            session_id: session.id.clone(),
            revision: 1,
            departure: t(end),
            energy: RequestedEnergy::Kwh(KilowattHours::new(requested).expect("kWh")),
            stated_miles: None,
            submitted_at: session.started_at,
        };
        store
            .add_request_revision(&request, &Effects::none())
            .await
            .expect("request stored");
    }
    for &(at, energy) in readings {
        let sample = MeterSample {
            session_id: session.id.clone(),
            at: t(at),
            energy: KilowattHours::new(energy).expect("kWh"),
            power: Kilowatts::ZERO,
            state_of_charge_pct: None,
        };
        store
            .add_meter_sample(&sample)
            .await
            .expect("sample stored");
    }
    let ended = Session {
        ended_at: Some(t(end)),
        energy: KilowattHours::new(kwh).expect("kWh"),
        status: SessionStatus::Completed,
        vendor_updated_at: t(end),
        ..session
    };
    store
        .upsert_session(&ended, &Effects::none())
        .await
        .expect("session ended");
}

async fn seeded_store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("open SQLite");
    store.migrate().await.expect("migrated");
    let now = t("2026-06-01T00:00:00Z");
    let site = Site::new(site_id(), "Lot A", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, now).await.expect("site stored");
    let main = Circuit::new(
        CircuitId::parse("main").expect("circuit id"),
        site_id(),
        "Main",
        None,
        Kilowatts::new(100.0).expect("cap"),
    )
    .expect("circuit");
    store
        .replace_circuits(&site.id, &[main], now)
        .await
        .expect("circuits stored");
    for p in [port("p1", 12.0), port("p2", 6.0)] {
        store.upsert_port(&p).await.expect("port stored");
    }
    let tariff = Tariff::new(site_id(), "USD", 0.20, vec![], 10.0, 1).expect("tariff");
    store.set_tariff(&tariff, now).await.expect("tariff stored");

    // The day before (2026-06-14 23:30 local), still drawing 6 kW on the 15th: left out.
    let overnight = active("y", "p2", "2026-06-15T06:30:00Z");
    let overnight_readings = [
        ("2026-06-15T06:30:00Z", 0.0),
        ("2026-06-15T16:30:00Z", 20.0),
    ];
    charge(
        &*store,
        overnight,
        None,
        &overnight_readings,
        "2026-06-15T16:30:00Z",
        20.0,
    )
    .await;

    let a = active("a", "p1", "2026-06-15T16:00:00Z");
    let a_readings = [
        ("2026-06-15T16:00:00Z", 0.0),
        ("2026-06-15T16:30:00Z", 3.0),
        ("2026-06-15T17:00:00Z", 6.0),
    ];
    charge(
        &*store,
        a,
        Some(5.0),
        &a_readings,
        "2026-06-15T17:00:00Z",
        6.0,
    )
    .await;
    let b = active("b", "p2", "2026-06-15T16:30:00Z");
    let b_readings = [
        ("2026-06-15T16:30:00Z", 0.0),
        ("2026-06-15T16:40:00Z", 1.0),
        ("2026-06-15T17:30:00Z", 2.0),
    ];
    charge(
        &*store,
        b,
        Some(4.0),
        &b_readings,
        "2026-06-15T17:30:00Z",
        2.0,
    )
    .await;
    store
}

#[tokio::test]
async fn load_reads_the_store_and_computes_the_report() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = seeded_store(&dir).await;
    let day = Period::day(NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"));

    let report = load(&*store, &site_id(), day).await.expect("report");

    let ids: Vec<&str> = report
        .sessions
        .iter()
        .map(|r| r.session_id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    let s = &report.summary;
    assert_eq!((s.requested_kwh, s.delivered_kwh), (9.0, 8.0));
    assert_eq!((s.requests_met, s.requests_met_pct), (1, Some(50.0)));
    assert_eq!(s.measured_peak_kw, 12.0);
    assert_eq!(s.measured_peak_at, Some(t("2026-06-15T16:30:00Z")));
    assert_eq!(s.counterfactual_peak_kw, 12.0);
    let cost = report.cost.expect("the site has a tariff");
    assert_eq!(cost.energy_cost, 1.6);
    assert_eq!(cost.demand_charge, 120.0);
    assert_eq!(report.period.from, t("2026-06-15T07:00:00Z"));
}

#[tokio::test]
async fn an_unknown_site_is_not_found() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = seeded_store(&dir).await;
    let day = Period::day(NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"));
    let error = load(&*store, &SiteId::parse("nowhere").expect("id"), day)
        .await
        .expect_err("no such site");
    assert!(
        matches!(error, ReportError::Store(StoreError::NotFound { .. })),
        "{error}"
    );
}
