//! The server on PostgreSQL, run when `CHARGEPLAN_TEST_DATABASE_URL` names an admin URL
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). Each test creates a fresh database
//! `chargeplan_t_<random>` and drops it. When the variable is set, an unreachable server fails
//! the test rather than skipping it.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;
use sqlx::{Connection as _, Executor as _, PgConnection};

use crate::helpers::{run, spawn_app};

/// The admin URL, or `None` (the suite is skipped; `./dev test` says so).
fn admin_url() -> Option<String> {
    std::env::var("CHARGEPLAN_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// `admin_url` with its database name replaced by `database`.
fn with_database(admin_url: &str, database: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// A fresh, empty database, dropped by [`TestDatabase::drop_database`].
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create(admin_url: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let name = format!("chargeplan_t_{}_{nanos:x}", std::process::id());
        let mut admin = PgConnection::connect(admin_url)
            .await
            .expect("CHARGEPLAN_TEST_DATABASE_URL is set but PostgreSQL is unreachable");
        admin
            .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("create database");
        let url = with_database(admin_url, &name);
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        }
    }

    async fn drop_database(self) {
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .expect("reconnect as admin");
        admin
            .execute(format!(r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#, self.name).as_str())
            .await
            .expect("drop database");
    }
}

#[test]
fn with_database_replaces_only_the_database_name() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h/admin?sslmode=disable", "t1"),
        "postgres://u:p@h/t1?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "t1"),
        "postgres://h:5432/t1"
    );
}

#[tokio::test]
async fn migrate_and_readyz_work_on_a_fresh_postgresql_database() {
    let Some(admin_url) = admin_url() else {
        eprintln!("skipped: CHARGEPLAN_TEST_DATABASE_URL is not set");
        return;
    };
    let database = TestDatabase::create(&admin_url).await;
    let cwd = tempfile::tempdir().expect("cwd");
    let env = [("CHARGEPLAN__DATABASE__URL", database.url.as_str())];

    let migrated = run(cwd.path(), &["migrate"], &env);
    let mut app = spawn_app(cwd.path(), &env);
    let (status, body) = app.get_json("/readyz").await;
    let exit = app.terminate();
    let logs = app.stderr_text();
    let url = database.url.clone();
    drop(app);
    database.drop_database().await;

    assert_eq!(
        migrated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let printed = String::from_utf8_lossy(&migrated.stdout);
    assert!(printed.contains("postgres store migrated"), "{printed}");
    assert_eq!(status, 200, "{logs}");
    assert_eq!(body, json!({"status": "ready", "store": "postgres"}));
    assert_eq!(exit.and_then(|e| e.code()), Some(0), "{logs}");
    assert!(
        !logs.contains(&url),
        "the database URL must never be logged:\n{logs}"
    );
}
