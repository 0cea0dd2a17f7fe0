//! Shared SQL for charge-bay sharing: site settings and the relay (see `sql_store`).

use chargeplan_core::{MemberId, ParticipantId, PhoneNumber, SessionId, SiteId, ThreadCode};

use crate::StoreError;
use crate::sharing::{RelayBlock, RelayLogEntry, RelaySender, RelayThread};
use crate::time::{from_micros, opt_from_micros};

pub(crate) const THREAD_COLUMNS: &str = "id, code, member_id, site_id, owner_id, owner_phone, waiter_phone, session_id, void_reason, opened_at, last_message_at, closes_at, closed_at, owner_shared, waiter_shared";
pub(crate) const LOG_COLUMNS: &str = "thread_id, site_id, at, sender, sender_phone, outcome, body";
pub(crate) const BLOCK_COLUMNS: &str = "id, owner_id, blocked_phone, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ThreadRow {
    id: String,
    code: String,
    member_id: String,
    site_id: Option<String>,
    owner_id: Option<String>,
    owner_phone: Option<String>,
    waiter_phone: String,
    session_id: Option<String>,
    void_reason: Option<String>,
    opened_at: i64,
    last_message_at: i64,
    closes_at: i64,
    closed_at: Option<i64>,
    owner_shared: bool,
    waiter_shared: bool,
}

impl ThreadRow {
    pub(crate) fn into_thread(self) -> Result<RelayThread, StoreError> {
        let corrupt = |error| StoreError::corrupt("relay thread", error);
        Ok(RelayThread {
            id: self.id,
            code: ThreadCode::parse(&self.code).map_err(corrupt)?,
            member_id: MemberId::parse(&self.member_id).map_err(corrupt)?,
            site_id: self
                .site_id
                .as_deref()
                .map(SiteId::parse)
                .transpose()
                .map_err(corrupt)?,
            owner: self
                .owner_id
                .as_deref()
                .map(ParticipantId::parse)
                .transpose()
                .map_err(corrupt)?,
            owner_phone: self
                .owner_phone
                .as_deref()
                .map(PhoneNumber::parse)
                .transpose()
                .map_err(corrupt)?,
            waiter_phone: PhoneNumber::parse(&self.waiter_phone).map_err(corrupt)?,
            session_id: self
                .session_id
                .as_deref()
                .map(SessionId::parse)
                .transpose()
                .map_err(corrupt)?,
            void_reason: self.void_reason,
            opened_at: from_micros(self.opened_at)?,
            last_message_at: from_micros(self.last_message_at)?,
            closes_at: from_micros(self.closes_at)?,
            closed_at: opt_from_micros(self.closed_at)?,
            owner_shared: self.owner_shared,
            waiter_shared: self.waiter_shared,
        })
    }
}

pub(crate) type LogRow = (
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    String,
    Option<String>,
);

pub(crate) fn log_from_row(row: LogRow) -> Result<RelayLogEntry, StoreError> {
    let corrupt = |error| StoreError::corrupt("relay log", error);
    Ok(RelayLogEntry {
        thread_id: row.0,
        site_id: row
            .1
            .as_deref()
            .map(SiteId::parse)
            .transpose()
            .map_err(corrupt)?,
        at: from_micros(row.2)?,
        sender: RelaySender::parse(&row.3).ok_or_else(|| {
            StoreError::corrupt("relay log", format!("unknown sender '{}'", row.3))
        })?,
        sender_phone: PhoneNumber::parse(&row.4).map_err(corrupt)?,
        outcome: row.5,
        body: row.6,
    })
}

pub(crate) type BlockRow = (String, String, String, i64);

pub(crate) fn block_from_row(row: BlockRow) -> Result<RelayBlock, StoreError> {
    let corrupt = |error| StoreError::corrupt("relay block", error);
    Ok(RelayBlock {
        id: row.0,
        owner: ParticipantId::parse(&row.1).map_err(corrupt)?,
        blocked_phone: PhoneNumber::parse(&row.2).map_err(corrupt)?,
        created_at: from_micros(row.3)?,
    })
}

macro_rules! impl_sharing_store {
    ($store:ty, db = $db:ty) => {
        impl $store {
            async fn write_relay_log(
                tx: &mut sqlx::Transaction<'_, $db>,
                log: &$crate::RelayLogEntry,
            ) -> Result<(), $crate::StoreError> {
                let sql = format!("INSERT INTO relay_log ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)", $crate::sql_sharing::LOG_COLUMNS);
                sqlx::query(&sql)
                    .bind(log.thread_id.as_deref())
                    .bind(log.site_id.as_ref().map(|id| id.as_str().to_owned()))
                    .bind($crate::time::to_micros(log.at))
                    .bind(log.sender.as_str())
                    .bind(log.sender_phone.as_e164())
                    .bind(&log.outcome)
                    .bind(log.body.as_deref())
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::SharingSettingsStore for $store {
            async fn get_sharing_settings(&self, site: &chargeplan_core::SiteId) -> Result<chargeplan_core::SharingSettings, $crate::StoreError> {
                let row: Option<(String, Option<String>)> = sqlx::query_as(
                    "SELECT sites.id, site_sharing_settings.settings_json FROM sites \
                     LEFT JOIN site_sharing_settings ON site_sharing_settings.site_id = sites.id WHERE sites.id = $1",
                )
                .bind(site.as_str())
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    None => Err($crate::StoreError::not_found("site", site)),
                    Some((_, None)) => Ok(chargeplan_core::SharingSettings::default()),
                    Some((_, Some(json))) => {
                        let settings: chargeplan_core::SharingSettings = serde_json::from_str(&json)
                            .map_err(|error| $crate::StoreError::corrupt("sharing settings", error))?;
                        settings.validate().map_err(|error| $crate::StoreError::corrupt("sharing settings", error))?;
                        Ok(settings)
                    }
                }
            }

            async fn set_sharing_settings(
                &self,
                site: &chargeplan_core::SiteId,
                settings: &chargeplan_core::SharingSettings,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                settings.validate()?;
                let json = serde_json::to_string(settings).map_err(|error| $crate::StoreError::corrupt("sharing settings", error))?;
                let exists: Option<String> = sqlx::query_scalar("SELECT id FROM sites WHERE id = $1")
                    .bind(site.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                if exists.is_none() {
                    return Err($crate::StoreError::not_found("site", site));
                }
                sqlx::query(
                    "INSERT INTO site_sharing_settings (site_id, settings_json, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (site_id) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at",
                )
                .bind(site.as_str())
                .bind(json)
                .bind($crate::time::to_micros(now))
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::RelayStore for $store {
            async fn open_relay_thread(
                &self,
                thread: &$crate::RelayThread,
                log: &$crate::RelayLogEntry,
                effects: &$crate::Effects,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let sql = format!(
                    "INSERT INTO relay_threads ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    $crate::sql_sharing::THREAD_COLUMNS
                );
                sqlx::query(&sql)
                    .bind(&thread.id)
                    .bind(thread.code.as_str())
                    .bind(thread.member_id.as_str())
                    .bind(thread.site_id.as_ref().map(|id| id.as_str().to_owned()))
                    .bind(thread.owner.as_ref().map(|id| id.as_str().to_owned()))
                    .bind(thread.owner_phone.as_ref().map(|phone| phone.as_e164().to_owned()))
                    .bind(thread.waiter_phone.as_e164())
                    .bind(thread.session_id.as_ref().map(|id| id.as_str().to_owned()))
                    .bind(thread.void_reason.as_deref())
                    .bind($crate::time::to_micros(thread.opened_at))
                    .bind($crate::time::to_micros(thread.last_message_at))
                    .bind($crate::time::to_micros(thread.closes_at))
                    .bind(thread.closed_at.map($crate::time::to_micros))
                    .bind(thread.owner_shared)
                    .bind(thread.waiter_shared)
                    .execute(&mut *tx)
                    .await?;
                Self::write_relay_log(&mut tx, log).await?;
                Self::write_effects(&mut tx, effects, log.at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record_relay(
                &self,
                log: &$crate::RelayLogEntry,
                thread_update: Option<&$crate::RelayThread>,
                effects: &$crate::Effects,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                if let Some(thread) = thread_update {
                    let done = sqlx::query(
                        "UPDATE relay_threads SET last_message_at = $1, closes_at = $2, closed_at = $3, owner_shared = $4, \
                         waiter_shared = $5 WHERE id = $6",
                    )
                    .bind($crate::time::to_micros(thread.last_message_at))
                    .bind($crate::time::to_micros(thread.closes_at))
                    .bind(thread.closed_at.map($crate::time::to_micros))
                    .bind(thread.owner_shared)
                    .bind(thread.waiter_shared)
                    .bind(&thread.id)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err($crate::StoreError::not_found("relay thread", &thread.id));
                    }
                }
                Self::write_relay_log(&mut tx, log).await?;
                Self::write_effects(&mut tx, effects, log.at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_relay_thread(&self, id: &str) -> Result<Option<$crate::RelayThread>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM relay_threads WHERE id = $1", $crate::sql_sharing::THREAD_COLUMNS);
                sqlx::query_as::<_, $crate::sql_sharing::ThreadRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::sql_sharing::ThreadRow::into_thread)
                    .transpose()
            }

            async fn open_threads_of_phone(
                &self,
                phone: &chargeplan_core::PhoneNumber,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::RelayThread>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM relay_threads WHERE (waiter_phone = $1 OR owner_phone = $1) AND closed_at IS NULL \
                     AND closes_at > $2 ORDER BY last_message_at DESC, opened_at DESC, id",
                    $crate::sql_sharing::THREAD_COLUMNS
                );
                sqlx::query_as::<_, $crate::sql_sharing::ThreadRow>(&sql)
                    .bind(phone.as_e164())
                    .bind($crate::time::to_micros(now))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::sql_sharing::ThreadRow::into_thread)
                    .collect()
            }

            async fn count_threads_opened_by(
                &self,
                phone: &chargeplan_core::PhoneNumber,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM relay_threads WHERE waiter_phone = $1 AND opened_at >= $2")
                    .bind(phone.as_e164())
                    .bind($crate::time::to_micros(since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn count_threads_to_member(
                &self,
                member: &chargeplan_core::MemberId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM relay_threads WHERE member_id = $1 AND opened_at >= $2")
                    .bind(member.as_str())
                    .bind($crate::time::to_micros(since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn list_relay_log(
                &self,
                site: &chargeplan_core::SiteId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::RelayLogEntry>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM relay_log WHERE site_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id",
                    $crate::sql_sharing::LOG_COLUMNS
                );
                sqlx::query_as::<_, $crate::sql_sharing::LogRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(from))
                    .bind($crate::time::to_micros(to))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::sql_sharing::log_from_row)
                    .collect()
            }

            async fn list_relay_threads(
                &self,
                site: &chargeplan_core::SiteId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::RelayThread>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM relay_threads WHERE site_id = $1 AND opened_at >= $2 AND opened_at < $3 ORDER BY opened_at, id",
                    $crate::sql_sharing::THREAD_COLUMNS
                );
                sqlx::query_as::<_, $crate::sql_sharing::ThreadRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(from))
                    .bind($crate::time::to_micros(to))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::sql_sharing::ThreadRow::into_thread)
                    .collect()
            }

            async fn purge_relay_bodies(
                &self,
                site: &chargeplan_core::SiteId,
                before: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let done = sqlx::query("UPDATE relay_log SET body = NULL WHERE site_id = $1 AND at < $2 AND body IS NOT NULL")
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(before))
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn add_relay_block(&self, block: &$crate::RelayBlock) -> Result<(), $crate::StoreError> {
                let sql = format!(
                    "INSERT INTO relay_blocks ({}) VALUES ($1, $2, $3, $4) ON CONFLICT (owner_id, blocked_phone) DO NOTHING",
                    $crate::sql_sharing::BLOCK_COLUMNS
                );
                sqlx::query(&sql)
                    .bind(&block.id)
                    .bind(block.owner.as_str())
                    .bind(block.blocked_phone.as_e164())
                    .bind($crate::time::to_micros(block.created_at))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn is_relay_blocked(
                &self,
                owner: &chargeplan_core::ParticipantId,
                phone: &chargeplan_core::PhoneNumber,
            ) -> Result<bool, $crate::StoreError> {
                let found: Option<String> = sqlx::query_scalar("SELECT id FROM relay_blocks WHERE owner_id = $1 AND blocked_phone = $2")
                    .bind(owner.as_str())
                    .bind(phone.as_e164())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(found.is_some())
            }

            async fn list_relay_blocks(&self, owner: &chargeplan_core::ParticipantId) -> Result<Vec<$crate::RelayBlock>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM relay_blocks WHERE owner_id = $1 ORDER BY created_at, id", $crate::sql_sharing::BLOCK_COLUMNS);
                sqlx::query_as::<_, $crate::sql_sharing::BlockRow>(&sql)
                    .bind(owner.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::sql_sharing::block_from_row)
                    .collect()
            }

            async fn remove_relay_block(&self, owner: &chargeplan_core::ParticipantId, id: &str) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM relay_blocks WHERE owner_id = $1 AND id = $2")
                    .bind(owner.as_str())
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

pub(crate) use impl_sharing_store;
