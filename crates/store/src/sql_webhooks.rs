//! Shared SQL for webhook receipts (see `sql_store`). A claim is one
//! `INSERT ... ON CONFLICT DO NOTHING`, so the primary key decides between racing instances.

macro_rules! impl_webhook_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::WebhookStore for $store {
            async fn claim_webhook(
                &self,
                kind: $crate::WebhookKind,
                key: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO webhook_receipts (kind, sid, first_seen_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (kind, sid) DO NOTHING",
                )
                .bind(kind.as_str())
                .bind(key)
                .bind($crate::time::to_micros(now))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_webhook(
                &self,
                kind: $crate::WebhookKind,
                key: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM webhook_receipts WHERE kind = $1 AND sid = $2")
                    .bind(kind.as_str())
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn prune_webhooks(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM webhook_receipts WHERE first_seen_at < $1")
                    .bind($crate::time::to_micros(before))
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_webhook_store;
