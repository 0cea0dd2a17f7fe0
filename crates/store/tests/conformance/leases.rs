//! Site leases, fencing tokens, fenced plans, live instances and site signals.

use chargeplan_core::{Plan, PlanId, SlotMinutes};
use chargeplan_store::prelude::*;
use chrono::Duration;

use crate::fixtures::*;

fn ttl() -> Duration {
    Duration::seconds(15)
}

fn empty_plan(id: &str, site: &str, created: i64) -> Plan {
    Plan {
        id: PlanId::parse(id).expect("valid id"),
        site_id: site_id(site),
        created_at: minutes(created),
        start: minutes(created),
        slot_minutes: SlotMinutes::new(5).expect("valid"),
        horizon_slots: 3,
        sessions: Vec::new(),
    }
}

pub async fn a_free_lease_is_taken_and_its_owner_renews_it_with_the_same_token(store: &dyn Store) {
    let site = site_id("s1");

    let taken = store
        .acquire_site_lease(&site, "a", minutes(0), ttl())
        .await
        .expect("acquire")
        .expect("free lease is taken");
    let renewed = store
        .acquire_site_lease(&site, "a", minutes(0) + Duration::seconds(5), ttl())
        .await
        .expect("renew")
        .expect("the owner renews");

    assert_eq!(taken.owner, "a");
    assert_eq!(taken.expires_at, minutes(0) + ttl());
    assert_eq!(renewed.fencing_token, taken.fencing_token);
    assert_eq!(renewed.expires_at, minutes(0) + Duration::seconds(20));
    assert_eq!(
        store.list_site_leases().await.expect("listed"),
        vec![renewed]
    );
}

pub async fn another_owner_is_refused_until_expiry_and_its_takeover_increments_the_token(
    store: &dyn Store,
) {
    let site = site_id("s1");
    let first = store
        .acquire_site_lease(&site, "a", minutes(0), ttl())
        .await
        .expect("acquire")
        .expect("taken");

    let refused = store
        .acquire_site_lease(&site, "b", minutes(0) + Duration::seconds(14), ttl())
        .await
        .expect("acquire");
    let taken = store
        .acquire_site_lease(&site, "b", minutes(0) + ttl(), ttl())
        .await
        .expect("acquire")
        .expect("an expired lease is taken over");

    assert_eq!(refused, None);
    assert_eq!(taken.owner, "b");
    assert_eq!(taken.fencing_token, first.fencing_token + 1);
    let back = store
        .acquire_site_lease(&site, "a", minutes(0) + Duration::seconds(20), ttl())
        .await
        .expect("acquire");
    assert_eq!(back, None, "b holds it now");
}

pub async fn a_stale_token_fails_the_fence_and_its_plan_is_not_stored(store: &dyn Store) {
    seeded_site(store, "s1").await;
    let site = site_id("s1");
    let old = store
        .acquire_site_lease(&site, "a", minutes(0), ttl())
        .await
        .expect("acquire")
        .expect("taken");
    assert!(
        store
            .check_fence(&site, "a", old.fencing_token, minutes(0))
            .await
            .expect("checked")
    );
    assert!(
        store
            .save_plan_fenced(
                &empty_plan("plan-a", "s1", 0),
                "a",
                old.fencing_token,
                minutes(0)
            )
            .await
            .expect("saved")
    );
    let new = store
        .acquire_site_lease(&site, "b", minutes(1), ttl())
        .await
        .expect("acquire")
        .expect("taken over after expiry");

    let stale_fence = store
        .check_fence(&site, "a", old.fencing_token, minutes(1))
        .await
        .expect("checked");
    let stale_plan = store
        .save_plan_fenced(
            &empty_plan("plan-stale", "s1", 1),
            "a",
            old.fencing_token,
            minutes(1),
        )
        .await
        .expect("refused, not failed");
    let fresh_plan = store
        .save_plan_fenced(
            &empty_plan("plan-b", "s1", 2),
            "b",
            new.fencing_token,
            minutes(1),
        )
        .await
        .expect("saved");

    assert!(!stale_fence);
    assert!(!stale_plan);
    assert!(fresh_plan);
    let latest = store
        .latest_plan(&site)
        .await
        .expect("read")
        .expect("a plan");
    assert_eq!(latest.id.as_str(), "plan-b");
    assert!(
        store
            .get_plan(&PlanId::parse("plan-stale").expect("id"))
            .await
            .is_err(),
        "the stale owner's plan was never written"
    );
    assert!(
        !store
            .check_fence(&site, "b", new.fencing_token, minutes(1) + ttl())
            .await
            .expect("checked"),
        "an expired lease fences off its own owner too"
    );
}

pub async fn a_released_lease_is_free_at_once_and_its_token_keeps_growing(store: &dyn Store) {
    let site = site_id("s1");
    let first = store
        .acquire_site_lease(&site, "a", minutes(0), ttl())
        .await
        .expect("acquire")
        .expect("taken");

    let not_ours = store.release_site_lease(&site, "b").await.expect("release");
    let released = store.release_site_lease(&site, "a").await.expect("release");
    let fenced = store
        .check_fence(&site, "a", first.fencing_token, minutes(0))
        .await
        .expect("checked");
    let next = store
        .acquire_site_lease(&site, "b", minutes(0), ttl())
        .await
        .expect("acquire")
        .expect("a released lease is free before its expiry");

    assert!(!not_ours);
    assert!(released);
    assert!(!fenced);
    assert_eq!(next.fencing_token, first.fencing_token + 1);
}

pub async fn of_many_owners_racing_for_a_free_lease_exactly_one_gets_it(store: &dyn Store) {
    let site = site_id("s1");
    let now = minutes(0);
    let (a, b, c, d) = tokio::join!(
        store.acquire_site_lease(&site, "a", now, ttl()),
        store.acquire_site_lease(&site, "b", now, ttl()),
        store.acquire_site_lease(&site, "c", now, ttl()),
        store.acquire_site_lease(&site, "d", now, ttl()),
    );

    let winners: Vec<_> = [a, b, c, d]
        .into_iter()
        .filter_map(|result| result.expect("no error"))
        .collect();
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(store.list_site_leases().await.expect("listed"), winners);
}

pub async fn instances_are_live_until_their_announcement_expires(store: &dyn Store) {
    store
        .announce_instance("b", minutes(0), ttl())
        .await
        .expect("announced");
    store
        .announce_instance("a", minutes(0) + Duration::seconds(10), ttl())
        .await
        .expect("announced");

    let both = store
        .live_instances(minutes(0) + Duration::seconds(14))
        .await;
    let one = store.live_instances(minutes(0) + ttl()).await;

    assert_eq!(both.expect("listed"), vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(one.expect("listed"), vec!["a".to_owned()]);
}

pub async fn a_site_signal_reaches_every_subscriber(store: &dyn Store) {
    let signals = store.site_signals();
    let mut first = signals.subscribe().await.expect("subscribed");
    let mut second = signals.subscribe().await.expect("subscribed");

    signals.notify(&site_id("s7")).await.expect("notified");

    let wait = std::time::Duration::from_secs(10);
    let got_first = tokio::time::timeout(wait, first.next()).await;
    let got_second = tokio::time::timeout(wait, second.next()).await;
    assert_eq!(got_first.expect("in time").expect("a site"), site_id("s7"));
    assert_eq!(got_second.expect("in time").expect("a site"), site_id("s7"));
}
