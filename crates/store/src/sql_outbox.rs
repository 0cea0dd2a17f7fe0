//! Shared SQL for the SMS outbox and the event log (see `sql_store`).

macro_rules! impl_outbox_store {
    ($store:ty, db = $db:ty, skip_locked = $skip_locked:literal) => {
        #[async_trait::async_trait]
        impl $crate::OutboxStore for $store {
            async fn enqueue_messages(
                &self,
                messages: &[$crate::NewOutboxMessage],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                Self::write_messages(&mut tx, messages, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn claim_due_messages(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease: chrono::Duration,
                limit: u32,
            ) -> Result<Vec<$crate::OutboxMessage>, $crate::StoreError> {
                let sql = format!(
                    "UPDATE outbox SET state = 'sending', claimed_until = $1, attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM outbox \
                                  WHERE (state = 'pending' AND not_before <= $2) OR (state = 'sending' AND claimed_until <= $2) \
                                  ORDER BY id LIMIT $3 {}) \
                     RETURNING {}",
                    $skip_locked,
                    $crate::sql_store::OUTBOX_COLUMNS
                );
                let mut claimed = sqlx::query_as::<_, $crate::rows::OutboxRow>(&sql)
                    .bind($crate::time::to_micros(now + lease))
                    .bind($crate::time::to_micros(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::OutboxRow::into_message)
                    .collect::<Result<Vec<_>, _>>()?;
                claimed.sort_by_key(|message| message.id);
                Ok(claimed)
            }

            async fn mark_message_sent(&self, id: i64, provider_id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<(), $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE outbox SET state = 'sent', provider_id = $1, finished_at = $2, claimed_until = NULL WHERE id = $3",
                )
                .bind(provider_id)
                .bind($crate::time::to_micros(now))
                .bind(id)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("message", id));
                }
                Ok(())
            }

            async fn mark_message_failed(
                &self,
                id: i64,
                error: &str,
                retry_at: Option<chrono::DateTime<chrono::Utc>>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let query = match retry_at {
                    Some(retry_at) => sqlx::query(
                        "UPDATE outbox SET state = 'pending', not_before = $1, last_error = $2, claimed_until = NULL WHERE id = $3",
                    )
                    .bind($crate::time::to_micros(retry_at)),
                    None => sqlx::query(
                        "UPDATE outbox SET state = 'failed', finished_at = $1, last_error = $2, claimed_until = NULL WHERE id = $3",
                    )
                    .bind($crate::time::to_micros(now)),
                };
                let done = query.bind(error).bind(id).execute(&self.pool).await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("message", id));
                }
                Ok(())
            }

            async fn get_message(&self, id: i64) -> Result<$crate::OutboxMessage, $crate::StoreError> {
                let sql = format!("SELECT {} FROM outbox WHERE id = $1", $crate::sql_store::OUTBOX_COLUMNS);
                sqlx::query_as::<_, $crate::rows::OutboxRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("message", id))?
                    .into_message()
            }

            async fn outbox_depth(&self) -> Result<u64, $crate::StoreError> {
                let depth: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(depth.unsigned_abs())
            }

            async fn append_event(&self, event: &$crate::NewEvent) -> Result<i64, $crate::StoreError> {
                let id: i64 = sqlx::query_scalar("INSERT INTO events (site_id, at, kind, payload_json) VALUES ($1, $2, $3, $4) RETURNING id")
                    .bind(event.site_id.as_str())
                    .bind($crate::time::to_micros(event.at))
                    .bind(event.kind.as_str())
                    .bind(event.payload.to_string())
                    .fetch_one(&self.pool)
                    .await?;
                Ok(id)
            }

            async fn events_after(
                &self,
                site: &chargeplan_core::SiteId,
                after_id: i64,
                limit: u32,
            ) -> Result<Vec<$crate::Event>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::rows::EventRow>(
                    "SELECT id, site_id, at, kind, payload_json FROM events WHERE site_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(site.as_str())
                .bind(after_id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::rows::EventRow::into_event)
                .collect()
            }
        }
    };
}

pub(crate) use impl_outbox_store;
