//! Sites, circuits, caps, tariffs and ports.

use chargeplan_core::{
    BilledPeak, CapOverride, ClockFormat, Country, Kilowatts, LocalWindow, PortId, PriceWindow,
    ScheduledCap, Site, Tariff, WeekdaySet,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{EventKind, StoreError};
use chrono::NaiveTime;

use crate::fixtures::*;

pub async fn an_unmigrated_store_is_not_ready_until_migrated(store: &dyn Store) {
    let before = store.check_ready().await.expect_err("nothing applied yet");
    assert!(matches!(before, StoreError::NotReady(_)), "{before}");

    let report = store.migrate().await.expect("migrations apply");

    assert!(!report.applied.is_empty());
    store.check_ready().await.expect("ready after migrating");
}

pub async fn migrating_twice_applies_nothing_the_second_time(store: &dyn Store) {
    let again = store.migrate().await.expect("second run succeeds");

    assert!(again.applied.is_empty(), "{:?}", again.applied);
    store.check_ready().await.expect("still ready");
}

pub async fn sites_round_trip_and_update_in_place(store: &dyn Store) {
    let site = site("garage-a");
    store.upsert_site(&site, t0()).await.expect("stored");
    let renamed = Site::new(site.id.clone(), "Garage A (north)", "Europe/Berlin", 15)
        .expect("valid site")
        .with_locale(
            ClockFormat::TwelveHour,
            Country::parse("DE").expect("country"),
        );

    store
        .upsert_site(&renamed, minutes(1))
        .await
        .expect("updated");

    assert_eq!(
        store.get_site(&site.id).await.expect("found").clock,
        ClockFormat::TwelveHour
    );
    assert_eq!(store.get_site(&site.id).await.expect("found"), renamed);
    assert_eq!(store.list_sites().await.expect("listed"), vec![renamed]);
    let missing = store
        .get_site(&site_id("nowhere"))
        .await
        .expect_err("unknown site");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
}

pub async fn a_circuit_tree_is_replaced_whole_and_an_invalid_one_changes_nothing(
    store: &dyn Store,
) {
    let site = seeded_site(store, "s1").await;
    let new_tree = vec![
        circuit("s1", "s1-main", None, 100.0),
        circuit("s1", "s1-pod-b", Some("s1-main"), 20.0),
        circuit("s1", "s1-pod-b1", Some("s1-pod-b"), 10.0),
    ];
    store
        .replace_circuits(&site.id, &new_tree, minutes(1))
        .await
        .expect("replaced");
    let mut stored = store.list_circuits(&site.id).await.expect("listed");
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(stored, new_tree);

    let cycle = vec![
        circuit("s1", "s1-main", None, 100.0),
        circuit("s1", "s1-x", Some("s1-y"), 20.0),
        circuit("s1", "s1-y", Some("s1-x"), 20.0),
    ];
    let error = store
        .replace_circuits(&site.id, &cycle, minutes(2))
        .await
        .expect_err("cycle refused");

    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    let mut after = store.list_circuits(&site.id).await.expect("listed");
    after.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(after, new_tree);
}

pub async fn a_circuit_that_still_feeds_ports_cannot_be_removed(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    store
        .upsert_port(&port("s1", "p1", "s1-pod", "EVSE-1"))
        .await
        .expect("port stored");

    let error = store
        .replace_circuits(
            &site.id,
            &[circuit("s1", "s1-main", None, 150.0)],
            minutes(1),
        )
        .await
        .expect_err("pod still feeds p1");

    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert_eq!(
        store.list_circuits(&site.id).await.expect("listed").len(),
        2
    );
}

pub async fn changing_a_static_cap_records_an_event(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let before = store
        .events_after(&site.id, 0, 100)
        .await
        .expect("events")
        .len();

    store
        .set_static_cap(&circuit_id("s1-pod"), 10.0, minutes(5))
        .await
        .expect("cap set");

    let pod = store
        .list_circuits(&site.id)
        .await
        .expect("listed")
        .into_iter()
        .find(|c| c.id.as_str() == "s1-pod");
    assert_eq!(pod.expect("pod").cap.get(), 10.0);
    let events = store.events_after(&site.id, 0, 100).await.expect("events");
    assert_eq!(events.len(), before + 1);
    let last = events.last().expect("an event");
    assert_eq!(last.kind, EventKind::CapChanged);
    assert_eq!(last.at, minutes(5));
    for bad in [0.0, -1.0, f64::NAN] {
        let error = store
            .set_static_cap(&circuit_id("s1-pod"), bad, minutes(6))
            .await
            .expect_err("bad cap");
        assert!(matches!(error, StoreError::Invalid(_)), "{bad}: {error}");
    }
    let missing = store
        .set_static_cap(&circuit_id("nope"), 5.0, minutes(6))
        .await
        .expect_err("unknown");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
}

pub async fn scheduled_caps_and_overrides_round_trip_and_expired_overrides_drop_out(
    store: &dyn Store,
) {
    let site = seeded_site(store, "s1").await;
    let evening = LocalWindow::new(
        WeekdaySet::WEEKDAYS,
        NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
        NaiveTime::from_hms_opt(21, 0, 0).expect("time"),
    )
    .expect("valid window");
    let scheduled = vec![ScheduledCap {
        circuit_id: circuit_id("s1-main"),
        window: evening,
        cap: Kilowatts::new(80.0).expect("kW"),
    }];
    store
        .replace_scheduled_caps(&circuit_id("s1-main"), &scheduled, t0())
        .await
        .expect("stored");
    let dr_event = CapOverride::new(
        circuit_id("s1-main"),
        Kilowatts::new(50.0).expect("kW"),
        t0(),
        minutes(60),
        "utility DR event",
    )
    .expect("valid override");
    store
        .add_cap_override(&dr_event, t0())
        .await
        .expect("stored");

    assert_eq!(
        store.list_scheduled_caps(&site.id).await.expect("listed"),
        scheduled
    );
    assert_eq!(
        store
            .list_cap_overrides(&site.id, minutes(30))
            .await
            .expect("listed"),
        vec![dr_event]
    );
    assert!(
        store
            .list_cap_overrides(&site.id, minutes(60))
            .await
            .expect("listed")
            .is_empty()
    );

    let wrong = vec![ScheduledCap {
        circuit_id: circuit_id("s1-pod"),
        window: evening,
        cap: Kilowatts::new(5.0).expect("kW"),
    }];
    let error = store
        .replace_scheduled_caps(&circuit_id("s1-main"), &wrong, t0())
        .await
        .expect_err("other circuit");
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    assert_eq!(
        store.list_scheduled_caps(&site.id).await.expect("listed"),
        scheduled
    );
}

pub async fn a_tariff_round_trips_and_its_change_is_an_event(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let peak = LocalWindow::new(
        WeekdaySet::ALL,
        NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        NaiveTime::from_hms_opt(21, 0, 0).expect("time"),
    )
    .expect("valid window");
    let tariff = Tariff::new(
        site.id.clone(),
        "USD",
        0.15,
        vec![PriceWindow {
            window: peak,
            price_per_kwh: 0.45,
        }],
        15.0,
        1,
    )
    .expect("valid tariff");
    assert_eq!(store.get_tariff(&site.id).await.expect("read"), None);

    store.set_tariff(&tariff, minutes(1)).await.expect("stored");

    assert_eq!(
        store.get_tariff(&site.id).await.expect("read"),
        Some(tariff)
    );
    let events = store.events_after(&site.id, 0, 100).await.expect("events");
    assert_eq!(
        events.last().map(|event| event.kind),
        Some(EventKind::TariffChanged)
    );
}

pub async fn ports_are_found_by_vendor_ids_and_can_be_marked_uncontrolled(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let p1 = port("s1", "p1", "s1-pod", "EVSE-1");
    let p2 = port("s1", "p2", "s1-pod", "EVSE-2");
    store.upsert_port(&p1).await.expect("stored");
    store.upsert_port(&p2).await.expect("stored");

    assert_eq!(
        store.list_ports(&site.id).await.expect("listed"),
        vec![p1.clone(), p2.clone()]
    );
    assert_eq!(
        store.find_port_by_vendor(&p2.vendor).await.expect("found"),
        Some(p2.clone())
    );

    store
        .set_port_controllable(&p2.id, false)
        .await
        .expect("marked");
    let found = store
        .find_port_by_vendor(&p2.vendor)
        .await
        .expect("found")
        .expect("p2");
    assert!(!found.controllable);
    let missing = store
        .set_port_controllable(&PortId::parse("p9").expect("id"), false)
        .await
        .expect_err("unknown");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");

    let mut clash = port("s1", "p3", "s1-pod", "EVSE-1");
    clash.vendor = p1.vendor.clone();
    let error = store
        .upsert_port(&clash)
        .await
        .expect_err("same vendor connector as p1");
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert_eq!(store.list_ports(&site.id).await.expect("listed").len(), 2);
}

pub async fn a_port_or_circuit_id_of_another_site_is_a_conflict(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let other = seeded_site(store, "s2").await;
    store
        .upsert_port(&port("s1", "p1", "s1-pod", "EVSE-1"))
        .await
        .expect("stored");

    let stolen_port = port("s2", "p1", "s2-pod", "EVSE-9");
    let error = store
        .upsert_port(&stolen_port)
        .await
        .expect_err("p1 belongs to s1");
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");

    let stolen_circuit = [
        circuit("s2", "s2-main", None, 100.0),
        circuit("s2", "s1-pod", Some("s2-main"), 5.0),
    ];
    let error = store
        .replace_circuits(&other.id, &stolen_circuit, minutes(1))
        .await
        .expect_err("s1-pod belongs to s1");
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert_eq!(
        store
            .list_circuits(&site_id("s1"))
            .await
            .expect("listed")
            .len(),
        2
    );
    assert_eq!(store.list_ports(&other.id).await.expect("listed"), vec![]);
}

pub async fn ending_overrides_expires_the_active_one_and_deletes_future_ones(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let other_site = seeded_site(store, "s2").await;
    let cap = |circuit: &str, starts: i64, expires: i64| {
        CapOverride::new(
            circuit_id(circuit),
            Kilowatts::new(50.0).expect("kW"),
            minutes(starts),
            minutes(expires),
            "utility DR event",
        )
        .expect("valid override")
    };
    let active = cap("s1-main", 0, 60);
    let future = cap("s1-main", 90, 120);
    let past = cap("s1-main", -60, -30);
    let pod = cap("s1-pod", 0, 60);
    let elsewhere = cap("s2-main", 0, 60);
    for override_ in [&active, &future, &past, &pod, &elsewhere] {
        store
            .add_cap_override(override_, t0())
            .await
            .expect("stored");
    }
    let events_before = store.events_after(&site.id, 0, 100).await.expect("events");

    let changed = store
        .end_cap_overrides(&circuit_id("s1-main"), minutes(30))
        .await
        .expect("ended");

    assert_eq!(changed, 2);
    let mut ended = active.clone();
    ended.expires_at = minutes(30);
    assert_eq!(
        store
            .list_cap_overrides(&site.id, minutes(-100))
            .await
            .expect("listed"),
        vec![past, ended, pod.clone()],
        "the active override ends now, the future one is gone, the rest untouched"
    );
    assert_eq!(
        store
            .list_cap_overrides(&site.id, minutes(30))
            .await
            .expect("listed"),
        vec![pod]
    );
    assert_eq!(
        store
            .list_cap_overrides(&other_site.id, minutes(30))
            .await
            .expect("listed"),
        vec![elsewhere]
    );
    let events = store.events_after(&site.id, 0, 100).await.expect("events");
    assert_eq!(events.len(), events_before.len() + 1);
    let last = events.last().expect("an event");
    assert_eq!(last.kind, EventKind::CapChanged);
    assert_eq!(last.at, minutes(30));
    assert_eq!(last.payload["circuit_id"], "s1-main");

    let again = store
        .end_cap_overrides(&circuit_id("s1-main"), minutes(31))
        .await
        .expect("nothing left to end");
    assert_eq!(again, 0);
    assert_eq!(
        store
            .events_after(&site.id, 0, 100)
            .await
            .expect("events")
            .len(),
        events.len(),
        "no event when nothing changed"
    );
    let missing = store
        .end_cap_overrides(&circuit_id("nope"), minutes(31))
        .await
        .expect_err("unknown circuit");
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                what: "circuit",
                ..
            }
        ),
        "{missing}"
    );
}

pub async fn a_billed_peak_only_rises_within_its_period_and_starts_over_in_the_next(
    store: &dyn Store,
) {
    let site = seeded_site(store, "s1").await;
    assert_eq!(store.billed_peak(&site.id).await.expect("read"), None);
    let peak = |period: i64, kw: f64| BilledPeak {
        site_id: site.id.clone(),
        period_start: minutes(period),
        kw,
        interval_start: minutes(period + 5),
    };

    assert!(
        store
            .record_billed_peak(&peak(0, 12.0), minutes(10))
            .await
            .expect("first")
    );
    assert!(
        !store
            .record_billed_peak(&peak(0, 11.0), minutes(11))
            .await
            .expect("lower")
    );
    assert!(
        !store
            .record_billed_peak(&peak(0, 12.0), minutes(12))
            .await
            .expect("same")
    );
    assert_eq!(
        store.billed_peak(&site.id).await.expect("read"),
        Some(peak(0, 12.0))
    );
    assert!(
        store
            .record_billed_peak(&peak(0, 14.5), minutes(13))
            .await
            .expect("higher")
    );
    // A new billing period starts over, lower or not; the old one never comes back.
    assert!(
        store
            .record_billed_peak(&peak(100, 3.0), minutes(101))
            .await
            .expect("next")
    );
    assert!(
        !store
            .record_billed_peak(&peak(0, 40.0), minutes(102))
            .await
            .expect("stale")
    );
    assert_eq!(
        store.billed_peak(&site.id).await.expect("read"),
        Some(peak(100, 3.0))
    );

    let error = store
        .record_billed_peak(&peak(100, f64::NAN), minutes(103))
        .await
        .expect_err("not a number");
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    assert_eq!(
        store.billed_peak(&site.id).await.expect("read"),
        Some(peak(100, 3.0))
    );
}
