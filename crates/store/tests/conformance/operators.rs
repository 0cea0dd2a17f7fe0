//! Operators, their site grants, API tokens, dashboard sessions and failed logins.

use chargeplan_store::prelude::*;
use chargeplan_store::{ApiToken, DashboardSession, Operator, OperatorRole, StoreError};

use crate::fixtures::*;

fn operator(id: &str, name: &str, role: OperatorRole, sites: &[&str]) -> Operator {
    Operator {
        id: id.into(),
        name: name.into(),
        role,
        password_hash: Some(format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${id}")),
        sites: sites.iter().map(|site| site_id(site)).collect(),
        created_at: t0(),
    }
}

fn api_token(id: &str, operator_id: &str, hash: &str, created: i64) -> ApiToken {
    ApiToken {
        id: id.into(),
        operator_id: operator_id.into(),
        label: format!("token {id}"),
        token_hash: hash.repeat(64 / hash.len()),
        created_at: minutes(created),
        revoked_at: None,
    }
}

fn dashboard_session(hash: &str, operator_id: &str, expires: i64) -> DashboardSession {
    DashboardSession {
        id_hash: hash.repeat(64 / hash.len()),
        operator_id: operator_id.into(),
        csrf_token: format!("csrf-{hash}"),
        created_at: t0(),
        expires_at: minutes(expires),
    }
}

async fn sites(store: &dyn Store, ids: &[&str]) {
    for id in ids {
        store.upsert_site(&site(id), t0()).await.expect("site");
    }
}

pub async fn operators_round_trip_and_a_taken_name_changes_nothing(store: &dyn Store) {
    sites(store, &["s1", "s2"]).await;
    let jane = operator("op-1", "jane", OperatorRole::SiteOperator, &["s2", "s1"]);
    let mut ann = operator("op-2", "ann@example.com", OperatorRole::Admin, &[]);
    ann.password_hash = None;

    store.insert_operator(&jane).await.expect("stored");
    store.insert_operator(&ann).await.expect("stored");

    let mut sorted = jane.clone();
    sorted.sites = vec![site_id("s1"), site_id("s2")];
    assert_eq!(store.get_operator("op-1").await.expect("found"), sorted);
    assert_eq!(
        store.find_operator_by_name("jane").await.expect("read"),
        Some(sorted.clone())
    );
    assert_eq!(
        store.find_operator_by_name("joe").await.expect("read"),
        None
    );
    let everyone = vec![ann.clone(), sorted.clone()];
    assert_eq!(store.list_operators().await.expect("listed"), everyone);
    let missing = store.get_operator("op-9").await.expect_err("unknown");
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                what: "operator",
                ..
            }
        ),
        "{missing}"
    );

    let impostor = operator("op-3", "jane", OperatorRole::Admin, &["s1"]);
    let taken = store
        .insert_operator(&impostor)
        .await
        .expect_err("name taken");
    assert!(
        matches!(&taken, StoreError::Conflict(message) if message == "an operator named 'jane' already exists"),
        "{taken}"
    );
    let same_id = operator("op-1", "jane2", OperatorRole::Admin, &[]);
    let error = store.insert_operator(&same_id).await.expect_err("id taken");
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    for bad in ["", "Jane", "jane doe", "jané", &"a".repeat(65)] {
        let error = store
            .insert_operator(&operator("op-4", bad, OperatorRole::Admin, &[]))
            .await
            .expect_err("invalid name");
        assert!(matches!(error, StoreError::Invalid(_)), "{bad:?}: {error}");
    }
    let unknown_site = operator(
        "op-5",
        "joe",
        OperatorRole::SiteOperator,
        &["s1", "nowhere"],
    );
    let error = store
        .insert_operator(&unknown_site)
        .await
        .expect_err("unknown site");
    assert!(
        matches!(error, StoreError::NotFound { what: "site", .. }),
        "{error}"
    );
    assert_eq!(store.list_operators().await.expect("listed"), everyone);
    assert_eq!(
        store.find_operator_by_name("joe").await.expect("read"),
        None
    );
}

pub async fn sites_are_granted_and_revoked_and_unknown_ones_are_not_found(store: &dyn Store) {
    sites(store, &["s1", "s2"]).await;
    let jane = operator("op-1", "jane", OperatorRole::SiteOperator, &["s1"]);
    store.insert_operator(&jane).await.expect("stored");

    store
        .grant_site("op-1", &site_id("s2"))
        .await
        .expect("granted");
    store
        .grant_site("op-1", &site_id("s2"))
        .await
        .expect("granting twice changes nothing");

    let granted = store.get_operator("op-1").await.expect("found");
    assert_eq!(granted.sites, vec![site_id("s1"), site_id("s2")]);
    assert!(granted.may_access(&site_id("s2")));
    assert!(
        store
            .revoke_site("op-1", &site_id("s1"))
            .await
            .expect("revoked")
    );
    assert!(
        !store
            .revoke_site("op-1", &site_id("s1"))
            .await
            .expect("revoked twice")
    );
    let after = store.get_operator("op-1").await.expect("found");
    assert_eq!(after.sites, vec![site_id("s2")]);
    assert!(!after.may_access(&site_id("s1")));

    let error = store
        .grant_site("op-1", &site_id("nowhere"))
        .await
        .expect_err("unknown site");
    assert!(
        matches!(error, StoreError::NotFound { what: "site", .. }),
        "{error}"
    );
    let error = store
        .grant_site("op-9", &site_id("s1"))
        .await
        .expect_err("unknown operator");
    assert!(
        matches!(
            error,
            StoreError::NotFound {
                what: "operator",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        store.get_operator("op-1").await.expect("found").sites,
        vec![site_id("s2")]
    );
}

pub async fn api_tokens_are_found_by_hash_with_their_operator_and_revoked_once(store: &dyn Store) {
    sites(store, &["s1"]).await;
    let jane = operator("op-1", "jane", OperatorRole::SiteOperator, &["s1"]);
    store.insert_operator(&jane).await.expect("stored");
    let second = api_token("tok-2", "op-1", "b2", 5);
    let first = api_token("tok-1", "op-1", "a1", 0);
    store.insert_api_token(&second).await.expect("stored");
    store.insert_api_token(&first).await.expect("stored");

    let found = store.find_api_token(&first.token_hash).await.expect("read");

    assert_eq!(found, Some((first.clone(), jane.clone())));
    assert_eq!(
        store.find_api_token(&"c3".repeat(32)).await.expect("read"),
        None
    );
    assert_eq!(
        store.list_api_tokens("op-1").await.expect("listed"),
        vec![first.clone(), second.clone()]
    );
    assert!(
        store
            .revoke_api_token("tok-1", minutes(10))
            .await
            .expect("revoked")
    );
    assert!(
        !store
            .revoke_api_token("tok-1", minutes(11))
            .await
            .expect("revoked twice")
    );
    assert!(
        !store
            .revoke_api_token("tok-9", minutes(11))
            .await
            .expect("unknown")
    );
    let (revoked, operator) = store
        .find_api_token(&first.token_hash)
        .await
        .expect("read")
        .expect("a revoked token is still found");
    assert_eq!(revoked.revoked_at, Some(minutes(10)));
    assert_eq!(operator, jane);
    assert_eq!(
        store
            .find_api_token(&second.token_hash)
            .await
            .expect("read")
            .expect("found")
            .0
            .revoked_at,
        None
    );

    let mut long = api_token("tok-3", "op-1", "d4", 0);
    long.label = "x".repeat(101);
    let error = store.insert_api_token(&long).await.expect_err("label");
    assert!(matches!(error, StoreError::Invalid(_)), "{error}");
    let duplicate = api_token("tok-4", "op-1", "a1", 0);
    let error = store
        .insert_api_token(&duplicate)
        .await
        .expect_err("same hash");
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    let orphan = api_token("tok-5", "op-9", "e5", 0);
    let error = store
        .insert_api_token(&orphan)
        .await
        .expect_err("unknown operator");
    assert!(
        matches!(
            error,
            StoreError::NotFound {
                what: "operator",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        store.list_api_tokens("op-1").await.expect("listed").len(),
        2
    );
}

pub async fn dashboard_sessions_expire_and_a_new_password_ends_them(store: &dyn Store) {
    let jane = operator("op-1", "jane", OperatorRole::Admin, &[]);
    let joe = operator("op-2", "joe", OperatorRole::Admin, &[]);
    store.insert_operator(&jane).await.expect("stored");
    store.insert_operator(&joe).await.expect("stored");
    let morning = dashboard_session("a1", "op-1", 30);
    let laptop = dashboard_session("b2", "op-1", 600);
    let joes = dashboard_session("c3", "op-2", 600);
    for session in [&morning, &laptop, &joes] {
        store
            .insert_dashboard_session(session)
            .await
            .expect("stored");
    }

    assert_eq!(
        store
            .find_dashboard_session(&morning.id_hash, minutes(29))
            .await
            .expect("read"),
        Some((morning.clone(), jane.clone()))
    );
    assert_eq!(
        store
            .find_dashboard_session(&morning.id_hash, minutes(30))
            .await
            .expect("read"),
        None,
        "expired at expires_at"
    );
    store
        .delete_dashboard_session(&laptop.id_hash)
        .await
        .expect("logged out");
    store
        .delete_dashboard_session(&"f0".repeat(32))
        .await
        .expect("an unknown session is no error");
    assert_eq!(
        store
            .find_dashboard_session(&laptop.id_hash, minutes(1))
            .await
            .expect("read"),
        None
    );

    store
        .insert_dashboard_session(&laptop)
        .await
        .expect("logged in again");
    store
        .set_operator_password("op-1", "$argon2id$new")
        .await
        .expect("password set");

    for session in [&morning, &laptop] {
        assert_eq!(
            store
                .find_dashboard_session(&session.id_hash, minutes(1))
                .await
                .expect("read"),
            None,
            "a new password ends every session of the operator"
        );
    }
    assert_eq!(
        store
            .get_operator("op-1")
            .await
            .expect("found")
            .password_hash
            .as_deref(),
        Some("$argon2id$new")
    );
    assert_eq!(
        store
            .find_dashboard_session(&joes.id_hash, minutes(1))
            .await
            .expect("read"),
        Some((joes, joe)),
        "another operator's session lives on"
    );
    let error = store
        .set_operator_password("op-9", "$argon2id$x")
        .await
        .expect_err("unknown operator");
    assert!(
        matches!(
            error,
            StoreError::NotFound {
                what: "operator",
                ..
            }
        ),
        "{error}"
    );
    let error = store
        .insert_dashboard_session(&dashboard_session("d4", "op-9", 60))
        .await
        .expect_err("unknown operator");
    assert!(
        matches!(
            error,
            StoreError::NotFound {
                what: "operator",
                ..
            }
        ),
        "{error}"
    );
}

pub async fn deleting_an_operator_removes_their_grants_tokens_and_sessions(store: &dyn Store) {
    sites(store, &["s1"]).await;
    let jane = operator("op-1", "jane", OperatorRole::SiteOperator, &["s1"]);
    let joe = operator("op-2", "joe", OperatorRole::SiteOperator, &["s1"]);
    store.insert_operator(&jane).await.expect("stored");
    store.insert_operator(&joe).await.expect("stored");
    let janes_token = api_token("tok-1", "op-1", "a1", 0);
    let joes_token = api_token("tok-2", "op-2", "b2", 0);
    store.insert_api_token(&janes_token).await.expect("stored");
    store.insert_api_token(&joes_token).await.expect("stored");
    let session = dashboard_session("c3", "op-1", 60);
    store
        .insert_dashboard_session(&session)
        .await
        .expect("stored");

    store.delete_operator("op-1").await.expect("deleted");

    let missing = store.get_operator("op-1").await.expect_err("gone");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
    assert_eq!(
        store
            .find_api_token(&janes_token.token_hash)
            .await
            .expect("read"),
        None
    );
    assert!(
        store
            .list_api_tokens("op-1")
            .await
            .expect("listed")
            .is_empty()
    );
    assert_eq!(
        store
            .find_dashboard_session(&session.id_hash, minutes(1))
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store.list_operators().await.expect("listed"),
        vec![joe.clone()]
    );
    assert_eq!(
        store
            .find_api_token(&joes_token.token_hash)
            .await
            .expect("read"),
        Some((joes_token, joe))
    );

    // The same id and name can be used again, and start with no grants.
    let again = operator("op-1", "jane", OperatorRole::SiteOperator, &[]);
    store.insert_operator(&again).await.expect("stored again");
    assert!(
        store
            .get_operator("op-1")
            .await
            .expect("found")
            .sites
            .is_empty()
    );
    let error = store
        .delete_operator("op-9")
        .await
        .expect_err("unknown operator");
    assert!(
        matches!(
            error,
            StoreError::NotFound {
                what: "operator",
                ..
            }
        ),
        "{error}"
    );
}

pub async fn login_failures_are_counted_since_an_instant_and_cleared(store: &dyn Store) {
    for at in [0, 5, 10] {
        store
            .record_login_failure("jane", minutes(at))
            .await
            .expect("recorded");
    }
    store
        .record_login_failure("nobody", minutes(5))
        .await
        .expect("a name that does not exist is recorded too");

    assert_eq!(
        store
            .count_login_failures("jane", minutes(0))
            .await
            .expect("counted"),
        3
    );
    assert_eq!(
        store
            .count_login_failures("jane", minutes(5))
            .await
            .expect("counted"),
        2,
        "counted from `since` inclusive"
    );
    assert_eq!(
        store
            .count_login_failures("jane", minutes(11))
            .await
            .expect("counted"),
        0
    );

    store.clear_login_failures("jane").await.expect("cleared");

    assert_eq!(
        store
            .count_login_failures("jane", minutes(0))
            .await
            .expect("counted"),
        0
    );
    assert_eq!(
        store
            .count_login_failures("nobody", minutes(0))
            .await
            .expect("counted"),
        1
    );
}
