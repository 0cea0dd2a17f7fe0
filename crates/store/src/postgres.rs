//! The store on a PostgreSQL server, for several instances sharing one database.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::sql_store::impl_sql_store;
use crate::{Backend, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// The PostgreSQL implementation of [`crate::Store`].
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url`; fails when the server cannot be reached within a few seconds.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            // The URL may carry a password: name the failure, never the URL.
            .map_err(|error| {
                StoreError::Open(format!(
                    "cannot connect to PostgreSQL: {}",
                    describe(&error)
                ))
            })?;
        Ok(Self { pool })
    }

    /// The connection pool, for PostgreSQL-only features (leases, LISTEN/NOTIFY).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// NOTIFY/LISTEN on this database, shared by every instance connected to it.
    fn signals(&self) -> std::sync::Arc<dyn crate::SiteSignals> {
        std::sync::Arc::new(crate::signals::PgSignals {
            pool: self.pool.clone(),
        })
    }
}

/// A connection error without anything from the URL in it.
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::PoolTimedOut => "timed out".into(),
        sqlx::Error::Tls(_) => "TLS failure".into(),
        sqlx::Error::Configuration(_) => "invalid database URL".into(),
        _ => "connection failed".into(),
    }
}

impl_sql_store!(
    PostgresStore,
    db = sqlx::Postgres,
    backend = Backend::Postgres,
    migrator = MIGRATOR,
    lock = "FOR UPDATE",
    skip_locked = "FOR UPDATE SKIP LOCKED",
    begin = "BEGIN"
);
