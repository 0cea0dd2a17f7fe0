//! [`SiteSignals`] for each backend: PostgreSQL NOTIFY/LISTEN between instances, and an
//! in-process broadcast for SQLite, where one instance owns every site.

use async_trait::async_trait;
use chargeplan_core::SiteId;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use crate::{SiteSignals, SiteSubscription, StoreError};

/// The PostgreSQL channel that carries site ids.
pub const SITE_CHANNEL: &str = "chargeplan_site";

/// Signals through `NOTIFY chargeplan_site, '<site id>'` and `LISTEN chargeplan_site`.
#[derive(Debug, Clone)]
pub(crate) struct PgSignals {
    pub(crate) pool: PgPool,
}

#[async_trait]
impl SiteSignals for PgSignals {
    async fn notify(&self, site: &SiteId) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(SITE_CHANNEL)
            .bind(site.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn subscribe(&self) -> Result<Box<dyn SiteSubscription>, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(SITE_CHANNEL).await?;
        Ok(Box::new(PgSubscription { listener }))
    }
}

struct PgSubscription {
    listener: PgListener,
}

#[async_trait]
impl SiteSubscription for PgSubscription {
    async fn next(&mut self) -> Result<SiteId, StoreError> {
        loop {
            // `recv` reconnects by itself after a lost connection (signals meanwhile are lost).
            let notification = self.listener.recv().await?;
            match SiteId::parse(notification.payload()) {
                Ok(site) => return Ok(site),
                Err(error) => tracing::warn!(error = %error, "ignored a malformed site signal"),
            }
        }
    }
}

/// Signals within this process only.
#[derive(Debug, Clone)]
pub(crate) struct LocalSignals {
    sender: broadcast::Sender<SiteId>,
}

impl Default for LocalSignals {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }
}

#[async_trait]
impl SiteSignals for LocalSignals {
    async fn notify(&self, site: &SiteId) -> Result<(), StoreError> {
        // No subscriber is not an error: nobody needed the signal.
        let _ = self.sender.send(site.clone());
        Ok(())
    }

    async fn subscribe(&self) -> Result<Box<dyn SiteSubscription>, StoreError> {
        Ok(Box::new(LocalSubscription {
            receiver: self.sender.subscribe(),
        }))
    }
}

struct LocalSubscription {
    receiver: broadcast::Receiver<SiteId>,
}

#[async_trait]
impl SiteSubscription for LocalSubscription {
    async fn next(&mut self) -> Result<SiteId, StoreError> {
        loop {
            match self.receiver.recv().await {
                Ok(site) => return Ok(site),
                // Like a dropped connection on PostgreSQL: some signals are lost.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    return Err(StoreError::NotReady("the store was closed".into()));
                }
            }
        }
    }
}
