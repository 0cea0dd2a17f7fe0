//! Choosing and connecting a backend: an embedded SQLite file or a PostgreSQL server.

use std::path::PathBuf;
use std::sync::Arc;

use crate::{Store, StoreError, postgres::PostgresStore, sqlite::SqliteStore};

/// Where the store lives.
#[derive(Clone)]
pub enum StoreTarget {
    /// One SQLite file; its directory is created when missing.
    Sqlite { path: PathBuf },
    /// A PostgreSQL database; the URL may hold a password and is never printed.
    Postgres { url: String, max_connections: u32 },
}

impl std::fmt::Debug for StoreTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            Self::Postgres {
                max_connections, ..
            } => f
                .debug_struct("Postgres")
                .field("url", &"[REDACTED]")
                .field("max_connections", max_connections)
                .finish(),
        }
    }
}

/// Connects to the target. Does not migrate: call [`Store::migrate`].
pub async fn open(target: &StoreTarget) -> Result<Arc<dyn Store>, StoreError> {
    match target {
        StoreTarget::Sqlite { path } => Ok(Arc::new(SqliteStore::open(path).await?)),
        StoreTarget::Postgres {
            url,
            max_connections,
        } => Ok(Arc::new(
            PostgresStore::connect(url, *max_connections).await?,
        )),
    }
}
