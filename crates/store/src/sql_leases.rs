//! Shared SQL for site leases and live instances (see `sql_store`). Taking a lease is one
//! `INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING` statement, atomic on both
//! backends; a fenced plan is one conditional `INSERT ... SELECT`, after locking the lease row
//! on PostgreSQL so that no takeover can commit between the check and the write.

use chargeplan_core::SiteId;

use crate::time::from_micros;
use crate::{Lease, StoreError};

pub(crate) const LEASE_COLUMNS: &str = "site_id, owner, fencing_token, expires_at";

pub(crate) type LeaseRow = (String, String, i64, i64);

pub(crate) fn lease_from_row(row: LeaseRow) -> Result<Lease, StoreError> {
    Ok(Lease {
        site_id: SiteId::parse(&row.0).map_err(|error| StoreError::corrupt("site lease", error))?,
        owner: row.1,
        fencing_token: row.2,
        expires_at: from_micros(row.3)?,
    })
}

/// Takes a free or expired lease (new token) or renews the owner's own (same token).
pub(crate) const ACQUIRE_SQL: &str = "INSERT INTO site_leases (site_id, owner, fencing_token, expires_at) \
     VALUES ($1, $2, 1, $3) \
     ON CONFLICT (site_id) DO UPDATE SET \
       fencing_token = CASE WHEN site_leases.owner = excluded.owner \
         THEN site_leases.fencing_token ELSE site_leases.fencing_token + 1 END, \
       owner = excluded.owner, \
       expires_at = excluded.expires_at \
     WHERE site_leases.owner = excluded.owner OR site_leases.expires_at <= $4 \
     RETURNING site_id, owner, fencing_token, expires_at";

/// Stores a plan only while the lease is held with the token (binds 1-7: the plan, 8: owner,
/// 9: token, 10: now).
pub(crate) const FENCED_PLAN_SQL: &str = "INSERT INTO plans (id, site_id, created_at, start_at, slot_minutes, horizon_slots, sessions_json) \
     SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS ( \
       SELECT 1 FROM site_leases WHERE site_id = $2 AND owner = $8 AND fencing_token = $9 AND expires_at > $10)";

macro_rules! impl_lease_store {
    ($store:ty, db = $db:ty, lock = $lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::LeaseStore for $store {
            async fn acquire_site_lease(
                &self,
                site: &chargeplan_core::SiteId,
                owner: &str,
                now: chrono::DateTime<chrono::Utc>,
                ttl: chrono::Duration,
            ) -> Result<Option<$crate::Lease>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::sql_leases::LeaseRow>($crate::sql_leases::ACQUIRE_SQL)
                    .bind(site.as_str())
                    .bind(owner)
                    .bind($crate::time::to_micros(now + ttl))
                    .bind($crate::time::to_micros(now))
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::sql_leases::lease_from_row)
                    .transpose()
            }

            async fn release_site_lease(
                &self,
                site: &chargeplan_core::SiteId,
                owner: &str,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE site_leases SET owner = '', expires_at = 0 WHERE site_id = $1 AND owner = $2",
                )
                .bind(site.as_str())
                .bind(owner)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn check_fence(
                &self,
                site: &chargeplan_core::SiteId,
                owner: &str,
                token: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let held: Option<i64> = sqlx::query_scalar(
                    "SELECT fencing_token FROM site_leases \
                     WHERE site_id = $1 AND owner = $2 AND fencing_token = $3 AND expires_at > $4",
                )
                .bind(site.as_str())
                .bind(owner)
                .bind(token)
                .bind($crate::time::to_micros(now))
                .fetch_optional(&self.pool)
                .await?;
                Ok(held.is_some())
            }

            async fn list_site_leases(&self) -> Result<Vec<$crate::Lease>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM site_leases ORDER BY site_id", $crate::sql_leases::LEASE_COLUMNS);
                sqlx::query_as::<_, $crate::sql_leases::LeaseRow>(&sql)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::sql_leases::lease_from_row)
                    .collect()
            }

            async fn save_plan_fenced(
                &self,
                plan: &chargeplan_core::Plan,
                owner: &str,
                token: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let sessions = serde_json::to_string(&plan.sessions).map_err(|error| $crate::StoreError::corrupt("plan", error))?;
                let mut tx = self.write_tx().await?;
                let lock = $lock;
                if !lock.is_empty() {
                    // Holds back any takeover of the lease until this transaction ends.
                    sqlx::query(&format!("SELECT 1 FROM site_leases WHERE site_id = $1 {lock}"))
                        .bind(plan.site_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                let done = sqlx::query($crate::sql_leases::FENCED_PLAN_SQL)
                    .bind(plan.id.as_str())
                    .bind(plan.site_id.as_str())
                    .bind($crate::time::to_micros(plan.created_at))
                    .bind($crate::time::to_micros(plan.start))
                    .bind(i64::from(plan.slot_minutes.get()))
                    .bind(i64::from(plan.horizon_slots))
                    .bind(sessions)
                    .bind(owner)
                    .bind(token)
                    .bind($crate::time::to_micros(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn announce_instance(
                &self,
                instance: &str,
                now: chrono::DateTime<chrono::Utc>,
                ttl: chrono::Duration,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO control_instances (instance_id, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (instance_id) DO UPDATE SET expires_at = excluded.expires_at",
                )
                .bind(instance)
                .bind($crate::time::to_micros(now + ttl))
                .execute(&self.pool)
                .await?;
                // Forget instances long gone, so the table stays small.
                sqlx::query("DELETE FROM control_instances WHERE expires_at < $1")
                    .bind($crate::time::to_micros(now - chrono::Duration::days(1)))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn live_instances(
                &self,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<String>, $crate::StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT instance_id FROM control_instances WHERE expires_at > $1 ORDER BY instance_id",
                )
                .bind($crate::time::to_micros(now))
                .fetch_all(&self.pool)
                .await?)
            }

            fn site_signals(&self) -> std::sync::Arc<dyn $crate::SiteSignals> {
                self.signals()
            }
        }
    };
}

pub(crate) use impl_lease_store;
