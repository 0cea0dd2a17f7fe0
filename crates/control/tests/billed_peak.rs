//! The billed peak through the store: a pass measures the site's 5-minute peak from the
//! meter samples it reads, records it, and prices only load above it; a later, lower peak
//! keeps it, and the next billing period starts over.

use std::sync::Arc;

use chargeplan_control::ControlConfig;
use chargeplan_control::feedback::TaperMemory;
use chargeplan_control::snapshot;
use chargeplan_core::{
    Circuit, CircuitId, KilowattHours, Kilowatts, MeterSample, Phases, Port, PortId, Session,
    SessionId, SessionStatus, Site, SiteId, Tariff, VendorAccountId, VendorRef,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreTarget};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn site_id() -> SiteId {
    SiteId::parse("s1").expect("id")
}

/// 2026-06-15 10:00 local (Los Angeles, UTC-7), in the June billing period.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 17, 0, 0)
        .single()
        .expect("instant")
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).expect("kW")
}

/// A site with one 50 kW circuit, two 11 kW ports and a $15/kW demand charge.
async fn site_with_demand_charge(dir: &tempfile::TempDir) -> (Arc<dyn Store>, Site) {
    let store = chargeplan_store::open(&StoreTarget::Sqlite {
        path: dir.path().join("chargeplan.db"),
    })
    .await
    .expect("store");
    store.migrate().await.expect("migrated");
    let site = Site::new(site_id(), "Test Site", "America/Los_Angeles", 5).expect("site");
    store.upsert_site(&site, t0()).await.expect("site");
    let main = CircuitId::parse("main").expect("id");
    let circuit = Circuit::new(main.clone(), site_id(), "Main", None, kw(50.0)).expect("circuit");
    store
        .replace_circuits(&site_id(), &[circuit], t0())
        .await
        .expect("circuits");
    for n in 1..=2 {
        let vendor = VendorAccountId::parse("cpo-1").expect("id");
        let port = Port::new(
            PortId::parse(&format!("p{n}")).expect("id"),
            site_id(),
            main.clone(),
            VendorRef::new(vendor, "LOC1", &format!("EVSE{n}"), "1").expect("ref"),
            kw(11.0),
            Phases::Three,
            230.0,
            true,
        )
        .expect("port");
        store.upsert_port(&port).await.expect("port");
    }
    let tariff = Tariff::new(site_id(), "USD", 0.2, Vec::new(), 15.0, 1).expect("tariff");
    store.set_tariff(&tariff, t0()).await.expect("tariff");
    (store, site)
}

/// A session on port `n` drawing `power_kw` steadily from `from` on, read every minute
/// until `until`.
async fn charging(
    store: &dyn Store,
    n: u32,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    power_kw: f64,
) {
    let session = Session {
        id: SessionId::generate(),
        site_id: site_id(),
        vendor_account: VendorAccountId::parse("cpo-1").expect("id"),
        vendor_session_id: format!("v-{n}-{}", from.timestamp()),
        port_id: Some(PortId::parse(&format!("p{n}")).expect("id")),
        token_uid: None,
        started_at: from,
        ended_at: None,
        energy: KilowattHours::ZERO,
        power: kw(power_kw),
        status: SessionStatus::Active,
        vendor_updated_at: from,
    };
    let (_, session) = store
        .upsert_session(&session, &Effects::none())
        .await
        .expect("session");
    let minutes = (until - from).num_minutes();
    for m in 0..=minutes {
        let sample = MeterSample {
            session_id: session.id.clone(),
            at: from + Duration::minutes(m),
            energy: KilowattHours::new(power_kw * m as f64 / 60.0).expect("kWh"),
            power: kw(power_kw),
            state_of_charge_pct: None,
        };
        store.add_meter_sample(&sample).await.expect("sample");
    }
}

async fn billed_kw_planned(store: &dyn Store, site: &Site, now: DateTime<Utc>) -> f64 {
    let snapshot = snapshot::build(
        store,
        site,
        now,
        &ControlConfig::default(),
        &TaperMemory::default(),
    )
    .await
    .expect("snapshot");
    snapshot
        .problem
        .tariff
        .as_ref()
        .expect("tariff in the problem")
        .billed_peak_kw
}

#[tokio::test]
async fn a_pass_records_the_measured_peak_and_prices_only_load_above_it() {
    let dir = tempfile::tempdir().expect("dir");
    let (store, site) = site_with_demand_charge(&dir).await;
    assert_eq!(billed_kw_planned(store.as_ref(), &site, t0()).await, 0.0);

    // Two cars at 11 kW and 7 kW for 15 minutes: 18 kW in every ended 5-minute interval.
    let from = t0();
    charging(store.as_ref(), 1, from, from + Duration::minutes(15), 11.0).await;
    charging(store.as_ref(), 2, from, from + Duration::minutes(15), 7.0).await;
    let now = from + Duration::minutes(16);
    let planned = billed_kw_planned(store.as_ref(), &site, now).await;
    assert!((planned - 18.0).abs() < 1e-9, "{planned}");
    let stored = store
        .billed_peak(&site_id())
        .await
        .expect("read")
        .expect("recorded");
    assert!((stored.kw - 18.0).abs() < 1e-9, "{stored:?}");
    assert_eq!(
        stored.period_start,
        Utc.with_ymd_and_hms(2026, 6, 1, 7, 0, 0).unwrap()
    );

    // An hour later the samples read show nothing higher: the peak is kept, not lowered.
    let later = now + Duration::hours(1);
    let planned = billed_kw_planned(store.as_ref(), &site, later).await;
    assert!((planned - 18.0).abs() < 1e-9, "{planned}");

    // In July's billing period June's peak is not billed any more.
    let july = Utc.with_ymd_and_hms(2026, 7, 2, 17, 0, 0).unwrap();
    assert_eq!(billed_kw_planned(store.as_ref(), &site, july).await, 0.0);
}
