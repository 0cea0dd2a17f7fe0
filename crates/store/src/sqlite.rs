//! The embedded store: one SQLite file in WAL mode.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::signals::LocalSignals;
use crate::sql_store::impl_sql_store;
use crate::{Backend, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// SQLite readers run concurrently beside the one writer WAL allows.
const MAX_CONNECTIONS: u32 = 8;

/// The SQLite implementation of [`crate::Store`].
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Site signals within this process: one instance owns every site of the file.
    signals: Arc<LocalSignals>,
}

impl SqliteStore {
    /// Opens (creating when missing) the database file at `path` and its directory.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|error| {
                StoreError::Open(format!(
                    "cannot create data directory {}: {error}",
                    dir.display()
                ))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|error| StoreError::Open(error.to_string()))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|error| {
                StoreError::Open(format!("cannot open {}: {error}", path.display()))
            })?;
        Ok(Self {
            pool,
            signals: Arc::default(),
        })
    }

    fn signals(&self) -> Arc<dyn crate::SiteSignals> {
        self.signals.clone()
    }
}

impl_sql_store!(
    SqliteStore,
    db = sqlx::Sqlite,
    backend = Backend::Sqlite,
    migrator = MIGRATOR,
    lock = "",
    skip_locked = "",
    begin = "BEGIN IMMEDIATE"
);
