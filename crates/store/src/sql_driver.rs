//! Shared SQL for the driver flow and the SMS suppression list (see `sql_store`).

use chargeplan_core::{ParticipantId, PhoneNumber, SessionId, SiteId};

use crate::time::from_micros;
use crate::{DriverLink, DriverNotice, PhoneVerification, StoreError, SuppressionReason};

pub(crate) const LINK_COLUMNS: &str = "token_hash, session_id, participant_id, site_id, created_at";
pub(crate) const VERIFICATION_COLUMNS: &str =
    "id, site_id, phone, code_hash, attempts, expires_at, created_at, verified_at";
pub(crate) const NOTICE_COLUMNS: &str =
    "session_id, confirmed_revision, promised_kwh, met_notified, updated_at";

pub(crate) type LinkRow = (String, String, String, String, i64);
pub(crate) type VerificationRow = (String, String, String, String, i64, i64, i64, Option<i64>);
pub(crate) type NoticeRow = (String, i64, Option<f64>, bool, i64);

pub(crate) fn link_from_row(row: LinkRow) -> Result<DriverLink, StoreError> {
    let corrupt = |error| StoreError::corrupt("driver link", error);
    Ok(DriverLink {
        token_hash: row.0,
        session_id: SessionId::parse(&row.1).map_err(corrupt)?,
        participant_id: ParticipantId::parse(&row.2).map_err(corrupt)?,
        site_id: SiteId::parse(&row.3).map_err(corrupt)?,
        created_at: from_micros(row.4)?,
    })
}

pub(crate) fn verification_from_row(row: VerificationRow) -> Result<PhoneVerification, StoreError> {
    let corrupt = |error| StoreError::corrupt("phone verification", error);
    Ok(PhoneVerification {
        id: row.0,
        site_id: SiteId::parse(&row.1).map_err(corrupt)?,
        phone: PhoneNumber::parse(&row.2).map_err(corrupt)?,
        code_hash: row.3,
        attempts: u32::try_from(row.4)
            .map_err(|error| StoreError::corrupt("phone verification", error))?,
        expires_at: from_micros(row.5)?,
        created_at: from_micros(row.6)?,
        verified_at: row.7.map(from_micros).transpose()?,
    })
}

pub(crate) fn notice_from_row(row: NoticeRow) -> Result<DriverNotice, StoreError> {
    Ok(DriverNotice {
        session_id: SessionId::parse(&row.0)
            .map_err(|error| StoreError::corrupt("driver notice", error))?,
        confirmed_revision: u32::try_from(row.1)
            .map_err(|error| StoreError::corrupt("driver notice", error))?,
        promised_kwh: row.2,
        met_notified: row.3,
        updated_at: from_micros(row.4)?,
    })
}

pub(crate) fn suppression_from_name(name: &str) -> Result<SuppressionReason, StoreError> {
    SuppressionReason::parse(name)
        .ok_or_else(|| StoreError::corrupt("sms suppression", format!("unknown reason '{name}'")))
}

macro_rules! impl_driver_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::DriverStore for $store {
            async fn create_driver_link(
                &self,
                link: &$crate::DriverLink,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(
                    "INSERT INTO driver_links (token_hash, session_id, participant_id, site_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO NOTHING",
                )
                .bind(&link.token_hash)
                .bind(link.session_id.as_str())
                .bind(link.participant_id.as_str())
                .bind(link.site_id.as_str())
                .bind($crate::time::to_micros(link.created_at))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn find_driver_link(&self, token_hash: &str) -> Result<Option<$crate::DriverLink>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM driver_links WHERE token_hash = $1", $crate::sql_driver::LINK_COLUMNS);
                sqlx::query_as::<_, $crate::sql_driver::LinkRow>(&sql)
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::sql_driver::link_from_row)
                    .transpose()
            }

            async fn driver_link_for_session(
                &self,
                session: &chargeplan_core::SessionId,
            ) -> Result<Option<$crate::DriverLink>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM driver_links WHERE session_id = $1", $crate::sql_driver::LINK_COLUMNS);
                sqlx::query_as::<_, $crate::sql_driver::LinkRow>(&sql)
                    .bind(session.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::sql_driver::link_from_row)
                    .transpose()
            }

            async fn insert_phone_verification(
                &self,
                verification: &$crate::PhoneVerification,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO phone_verifications (id, site_id, phone, code_hash, attempts, expires_at, created_at, verified_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&verification.id)
                .bind(verification.site_id.as_str())
                .bind(verification.phone.as_e164())
                .bind(&verification.code_hash)
                .bind(i64::from(verification.attempts))
                .bind($crate::time::to_micros(verification.expires_at))
                .bind($crate::time::to_micros(verification.created_at))
                .bind(verification.verified_at.map($crate::time::to_micros))
                .execute(&mut *tx)
                .await?;
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_phone_verification(&self, id: &str) -> Result<Option<$crate::PhoneVerification>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM phone_verifications WHERE id = $1", $crate::sql_driver::VERIFICATION_COLUMNS);
                sqlx::query_as::<_, $crate::sql_driver::VerificationRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::sql_driver::verification_from_row)
                    .transpose()
            }

            async fn count_phone_verifications(
                &self,
                site: &chargeplan_core::SiteId,
                phone: &chargeplan_core::PhoneNumber,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM phone_verifications WHERE site_id = $1 AND phone = $2 AND created_at >= $3",
                )
                .bind(site.as_str())
                .bind(phone.as_e164())
                .bind($crate::time::to_micros(since))
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn count_site_verifications(
                &self,
                site: &chargeplan_core::SiteId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM phone_verifications WHERE site_id = $1 AND created_at >= $2",
                )
                .bind(site.as_str())
                .bind($crate::time::to_micros(since))
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn update_phone_verification(&self, verification: &$crate::PhoneVerification) -> Result<(), $crate::StoreError> {
                let done = sqlx::query("UPDATE phone_verifications SET attempts = $1, verified_at = $2 WHERE id = $3")
                    .bind(i64::from(verification.attempts))
                    .bind(verification.verified_at.map($crate::time::to_micros))
                    .bind(&verification.id)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("phone verification", &verification.id));
                }
                Ok(())
            }

            async fn get_driver_notice(
                &self,
                session: &chargeplan_core::SessionId,
            ) -> Result<Option<$crate::DriverNotice>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM driver_notices WHERE session_id = $1", $crate::sql_driver::NOTICE_COLUMNS);
                sqlx::query_as::<_, $crate::sql_driver::NoticeRow>(&sql)
                    .bind(session.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::sql_driver::notice_from_row)
                    .transpose()
            }

            async fn save_driver_notice(
                &self,
                notice: &$crate::DriverNotice,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO driver_notices (session_id, confirmed_revision, promised_kwh, met_notified, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO UPDATE SET \
                     confirmed_revision = excluded.confirmed_revision, promised_kwh = excluded.promised_kwh, \
                     met_notified = excluded.met_notified, updated_at = excluded.updated_at",
                )
                .bind(notice.session_id.as_str())
                .bind(i64::from(notice.confirmed_revision))
                .bind(notice.promised_kwh)
                .bind(notice.met_notified)
                .bind($crate::time::to_micros(notice.updated_at))
                .execute(&mut *tx)
                .await?;
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn event_cursor(&self, consumer: &str, site: &chargeplan_core::SiteId) -> Result<i64, $crate::StoreError> {
                let last: Option<i64> = sqlx::query_scalar(
                    "SELECT last_event_id FROM event_cursors WHERE consumer = $1 AND site_id = $2",
                )
                .bind(consumer)
                .bind(site.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(last.unwrap_or(0))
            }

            async fn set_event_cursor(
                &self,
                consumer: &str,
                site: &chargeplan_core::SiteId,
                last_event_id: i64,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO event_cursors (consumer, site_id, last_event_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (consumer, site_id) DO UPDATE SET last_event_id = excluded.last_event_id",
                )
                .bind(consumer)
                .bind(site.as_str())
                .bind(last_event_id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::SuppressionStore for $store {
            async fn suppress_number(
                &self,
                phone: &chargeplan_core::PhoneNumber,
                reason: $crate::SuppressionReason,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO sms_suppressions (phone, reason, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (phone) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at",
                )
                .bind(phone.as_e164())
                .bind(reason.as_str())
                .bind($crate::time::to_micros(now))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn lift_suppression(&self, phone: &chargeplan_core::PhoneNumber) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM sms_suppressions WHERE phone = $1")
                    .bind(phone.as_e164())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn number_suppression(
                &self,
                phone: &chargeplan_core::PhoneNumber,
            ) -> Result<Option<$crate::SuppressionReason>, $crate::StoreError> {
                let reason: Option<String> = sqlx::query_scalar("SELECT reason FROM sms_suppressions WHERE phone = $1")
                    .bind(phone.as_e164())
                    .fetch_optional(&self.pool)
                    .await?;
                reason.as_deref().map($crate::sql_driver::suppression_from_name).transpose()
            }
        }
    };
}

pub(crate) use impl_driver_store;
