//! Plans and setpoints.

use chargeplan_core::{
    LimitPeriod, Plan, PlanId, SessionPlan, SessionStatus, Setpoint, SetpointId, SetpointState,
    SlotMinutes,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, StoreError};

use crate::fixtures::*;

fn plan(id: &str, created: i64, session_id: &chargeplan_core::SessionId) -> Plan {
    Plan {
        id: PlanId::parse(id).expect("valid id"),
        site_id: site_id("s1"),
        created_at: minutes(created),
        start: minutes(created),
        slot_minutes: SlotMinutes::new(5).expect("valid"),
        horizon_slots: 3,
        sessions: vec![SessionPlan {
            session_id: session_id.clone(),
            power_kw: vec![6.6, 3.3, 0.0],
            energy_kwh: 0.825,
            shortfall_kwh: 1.5,
            completion: None,
            shortfall_reason: Some("circuit s1-pod is full 16:00-16:10".into()),
        }],
    }
}

pub async fn plans_round_trip_and_the_latest_is_found(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let (_, session) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session");
    assert_eq!(store.latest_plan(&site.id).await.expect("read"), None);
    let first = plan("plan-1", 0, &session.id);
    let second = plan("plan-2", 5, &session.id);

    store.save_plan(&first).await.expect("stored");
    store.save_plan(&second).await.expect("stored");

    assert_eq!(store.get_plan(&first.id).await.expect("found"), first);
    assert_eq!(
        store.latest_plan(&site.id).await.expect("read"),
        Some(second)
    );
    let again = store.save_plan(&first).await.expect_err("same id twice");
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
}

pub async fn setpoints_move_through_their_states_and_invalid_periods_are_refused(
    store: &dyn Store,
) {
    let site = seeded_site(store, "s1").await;
    let port = port("s1", "p1", "s1-pod", "EVSE-1");
    store.upsert_port(&port).await.expect("port");
    let (_, session) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session");
    let setpoint = Setpoint {
        id: SetpointId::parse("sp-1").expect("valid id"),
        site_id: site.id.clone(),
        plan_id: None,
        port_id: port.id.clone(),
        session_id: session.id.clone(),
        starts_at: minutes(1),
        periods: vec![
            LimitPeriod {
                start_offset_s: 0,
                limit_kw: 3.3,
            },
            LimitPeriod {
                start_offset_s: 300,
                limit_kw: 6.6,
            },
        ],
        state: SetpointState::Pending,
        reason: None,
        created_at: minutes(1),
        updated_at: minutes(1),
    };
    store.insert_setpoint(&setpoint).await.expect("stored");

    store
        .set_setpoint_state(&setpoint.id, SetpointState::Accepted, minutes(2))
        .await
        .expect("updated");

    let stored = store.get_setpoint(&setpoint.id).await.expect("found");
    assert_eq!(stored.state, SetpointState::Accepted);
    assert_eq!(stored.updated_at, minutes(2));
    assert_eq!(stored.periods, setpoint.periods);
    assert_eq!(
        store
            .list_setpoints(&site.id, minutes(0))
            .await
            .expect("listed"),
        vec![stored.clone()]
    );
    assert!(
        store
            .list_setpoints(&site.id, minutes(2))
            .await
            .expect("listed")
            .is_empty()
    );
    let by_session = store
        .list_session_setpoints(&setpoint.session_id, minutes(0))
        .await
        .expect("listed by session");
    assert_eq!(by_session, vec![stored.clone()]);
    assert_eq!(
        store
            .latest_setpoint(&setpoint.session_id)
            .await
            .expect("latest"),
        Some(stored.clone())
    );

    let mut bad = setpoint.clone();
    bad.id = SetpointId::parse("sp-2").expect("valid id");
    bad.periods = vec![LimitPeriod {
        start_offset_s: 60,
        limit_kw: 3.3,
    }];
    let error = store
        .insert_setpoint(&bad)
        .await
        .expect_err("first period must start at 0");
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    let missing = store
        .set_setpoint_state(&bad.id, SetpointState::Failed, minutes(3))
        .await
        .expect_err("never stored");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
}

pub async fn a_late_answer_settles_an_unknown_outcome_but_never_the_reverse(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let port = port("s1", "p1", "s1-pod", "EVSE-1");
    store.upsert_port(&port).await.expect("port");
    let (_, session) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session");
    let stored = |id: &'static str| {
        let mut sp = Setpoint::new(
            site.id.clone(),
            None,
            port.id.clone(),
            session.id.clone(),
            minutes(1),
            vec![LimitPeriod {
                start_offset_s: 0,
                limit_kw: 3.3,
            }],
            minutes(1),
        )
        .expect("setpoint");
        sp.id = SetpointId::parse(id).expect("valid id");
        sp
    };
    let (late, overtaken) = (stored("sp-late"), stored("sp-overtaken"));
    for sp in [&late, &overtaken] {
        store.insert_setpoint(sp).await.expect("stored");
    }

    let unknown = store
        .settle_setpoint(
            &late.id,
            SetpointState::Failed,
            Some("unreadable_body"),
            minutes(2),
        )
        .await
        .expect("settled");
    let accepted = store
        .settle_setpoint(&late.id, SetpointState::Accepted, None, minutes(3))
        .await
        .expect("settled");
    let answered = store
        .settle_setpoint(&overtaken.id, SetpointState::Accepted, None, minutes(2))
        .await
        .expect("settled");
    let not_over_an_answer = store
        .settle_setpoint(
            &overtaken.id,
            SetpointState::Failed,
            Some("timeout"),
            minutes(3),
        )
        .await
        .expect("settled");

    assert!(unknown && accepted && answered && !not_over_an_answer);
    let late = store.get_setpoint(&late.id).await.expect("found");
    assert_eq!((late.state, late.reason), (SetpointState::Accepted, None));
    let overtaken = store.get_setpoint(&overtaken.id).await.expect("found");
    assert_eq!(overtaken.state, SetpointState::Accepted, "the answer stays");
    let with_reason = stored("sp-reason");
    store.insert_setpoint(&with_reason).await.expect("stored");
    store
        .settle_setpoint(
            &with_reason.id,
            SetpointState::Rejected,
            Some("not_supported"),
            minutes(2),
        )
        .await
        .expect("settled");
    assert_eq!(
        store
            .get_setpoint(&with_reason.id)
            .await
            .expect("found")
            .reason
            .as_deref(),
        Some("not_supported")
    );
}

pub async fn plans_are_listed_newest_first_within_the_range_and_limit(store: &dyn Store) {
    let site = seeded_site(store, "s1").await;
    let other = seeded_site(store, "s2").await;
    let (_, session) = store
        .upsert_session(
            &session("s1", "v1", 0, 0.0, 6.6, SessionStatus::Active),
            &Effects::none(),
        )
        .await
        .expect("session");
    let plans: Vec<Plan> = [10, 0, 15, 5]
        .into_iter()
        .map(|created| plan(&format!("plan-{created}"), created, &session.id))
        .collect();
    for plan in &plans {
        store.save_plan(plan).await.expect("stored");
    }
    let mut elsewhere = plan("plan-other", 5, &session.id);
    elsewhere.site_id = other.id.clone();
    store.save_plan(&elsewhere).await.expect("stored");
    let ids = |listed: Vec<Plan>| -> Vec<String> {
        listed.into_iter().map(|plan| plan.id.to_string()).collect()
    };

    let listed = store
        .list_plans(&site.id, minutes(0), minutes(15), 10)
        .await
        .expect("listed");

    assert_eq!(ids(listed.clone()), ["plan-10", "plan-5", "plan-0"]);
    assert_eq!(listed[0], plans[0], "plans come back whole");
    assert_eq!(
        ids(store
            .list_plans(&site.id, minutes(0), minutes(60), 2)
            .await
            .expect("listed")),
        ["plan-15", "plan-10"]
    );
    assert_eq!(
        ids(store
            .list_plans(&site.id, minutes(5), minutes(6), 10)
            .await
            .expect("listed")),
        ["plan-5"]
    );
    assert_eq!(
        store
            .list_plans(&other.id, minutes(0), minutes(60), 10)
            .await
            .expect("listed"),
        vec![elsewhere]
    );
    assert!(
        store
            .list_plans(&site.id, minutes(20), minutes(60), 10)
            .await
            .expect("listed")
            .is_empty()
    );
    assert!(
        store
            .list_plans(&site.id, minutes(0), minutes(60), 0)
            .await
            .expect("listed")
            .is_empty()
    );
}
