//! Fresh databases for the conformance suite.

use std::sync::Arc;

use chargeplan_store::StoreTarget;
use chargeplan_store::prelude::*;
use sqlx::Connection;

/// The environment variable naming a PostgreSQL server to test against (an admin URL ending
/// in a database name, e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
pub const DATABASE_URL_VAR: &str = "CHARGEPLAN_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub fn postgres_configured() -> bool {
    std::env::var(DATABASE_URL_VAR).is_ok_and(|url| !url.is_empty())
}

/// A store on a database made for one test.
pub struct TestDb {
    store: Arc<dyn Store>,
    /// Keeps the SQLite file's directory alive for the test.
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL admin URL and the database to drop afterwards.
    postgres: Option<(String, String)>,
    /// Where to reach the database behind the store's back (to set up old data).
    raw: Raw,
}

/// A direct connection target.
enum Raw {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl TestDb {
    pub async fn open(kind: Kind, migrate: bool) -> Self {
        let db = match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let path = dir.path().join("data").join("chargeplan.db");
                let target = StoreTarget::Sqlite { path: path.clone() };
                let store = chargeplan_store::open(&target).await.expect("open SQLite");
                Self {
                    store,
                    _dir: Some(dir),
                    postgres: None,
                    raw: Raw::Sqlite(path),
                }
            }
            Kind::Postgres => {
                let admin_url =
                    std::env::var(DATABASE_URL_VAR).expect("checked by postgres_configured");
                let name = format!("chargeplan_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|error| {
                        panic!("{DATABASE_URL_VAR} is set but PostgreSQL is unreachable: {error}")
                    });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                admin.close().await.expect("close admin connection");
                let (base, _) = admin_url.rsplit_once('/').expect("URL ends with /database");
                let url = format!("{base}/{name}");
                let target = StoreTarget::Postgres {
                    url: url.clone(),
                    max_connections: 5,
                };
                let store = chargeplan_store::open(&target)
                    .await
                    .expect("open PostgreSQL");
                Self {
                    store,
                    _dir: None,
                    postgres: Some((admin_url, name)),
                    raw: Raw::Postgres(url),
                }
            }
        };
        if migrate {
            db.store.migrate().await.expect("migrations apply");
        }
        db
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Runs `sql` on a connection of its own, past the store (to make rows as an older
    /// version left them).
    pub async fn execute(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let mut connection = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .expect("raw SQLite connection");
                sqlx::query(sql)
                    .execute(&mut connection)
                    .await
                    .expect("raw SQL");
                connection.close().await.expect("close");
            }
            Raw::Postgres(url) => {
                let mut connection = sqlx::PgConnection::connect(url)
                    .await
                    .expect("raw PostgreSQL connection");
                sqlx::query(sql)
                    .execute(&mut connection)
                    .await
                    .expect("raw SQL");
                connection.close().await.expect("close");
            }
        }
    }

    /// Drops the PostgreSQL database (SQLite's directory goes with the value).
    pub async fn finish(self) {
        let Self {
            store, postgres, ..
        } = self;
        drop(store);
        if let Some((admin_url, name)) = postgres {
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("admin connection");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop test database");
        }
    }
}
