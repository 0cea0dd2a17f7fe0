//! Shared SQL for a site's waitlist: entries, offers and holds (see `sql_store`). Every change
//! is one transaction with the texts it causes; an offer is made only under the site's lease
//! (checked in its transaction, the lease row locked on PostgreSQL) and a partial unique index
//! keeps at most one live offer per port, so two instances never offer the same port twice.

use chargeplan_core::{PhoneNumber, PortId, SiteId};

use crate::time::{from_micros, opt_from_micros};
use crate::{EntryState, OfferState, StoreError, WaitlistEntry, WaitlistOffer};

pub(crate) const ENTRY_COLUMNS: &str = "id, site_id, phone, joined_at, skips, state, ended_at";
pub(crate) const OFFER_COLUMNS: &str =
    "id, entry_id, site_id, port_id, offered_at, respond_by, state, answered_at, hold_until";

pub(crate) type EntryRow = (String, String, String, i64, i64, String, Option<i64>);
pub(crate) type OfferRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
);

pub(crate) fn entry_from_row(row: EntryRow) -> Result<WaitlistEntry, StoreError> {
    let corrupt = |error| StoreError::corrupt("waitlist entry", error);
    Ok(WaitlistEntry {
        id: row.0,
        site_id: SiteId::parse(&row.1).map_err(corrupt)?,
        phone: PhoneNumber::parse(&row.2).map_err(corrupt)?,
        joined_at: from_micros(row.3)?,
        skips: u32::try_from(row.4)
            .map_err(|error| StoreError::corrupt("waitlist entry", error))?,
        state: EntryState::parse(&row.5).ok_or_else(|| {
            StoreError::corrupt("waitlist entry", format!("unknown state '{}'", row.5))
        })?,
        ended_at: opt_from_micros(row.6)?,
    })
}

pub(crate) fn offer_from_row(row: OfferRow) -> Result<WaitlistOffer, StoreError> {
    let corrupt = |error| StoreError::corrupt("waitlist offer", error);
    Ok(WaitlistOffer {
        id: row.0,
        entry_id: row.1,
        site_id: SiteId::parse(&row.2).map_err(corrupt)?,
        port_id: PortId::parse(&row.3).map_err(corrupt)?,
        offered_at: from_micros(row.4)?,
        respond_by: from_micros(row.5)?,
        state: OfferState::parse(&row.6).ok_or_else(|| {
            StoreError::corrupt("waitlist offer", format!("unknown state '{}'", row.6))
        })?,
        answered_at: opt_from_micros(row.7)?,
        hold_until: opt_from_micros(row.8)?,
    })
}

/// The states of an active entry and of a live offer, as SQL lists.
pub(crate) const ACTIVE_ENTRY: &str = "('waiting', 'holding')";
pub(crate) const LIVE_OFFER: &str = "('open', 'taken')";

macro_rules! impl_waitlist_store {
    ($store:ty, db = $db:ty, lock = $lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::WaitlistStore for $store {
            async fn join_waitlist(
                &self,
                entry: &$crate::WaitlistEntry,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<($crate::WaitlistEntry, bool), $crate::StoreError> {
                use $crate::sql_waitlist::{ACTIVE_ENTRY, ENTRY_COLUMNS, EntryRow, entry_from_row};
                let mut tx = self.write_tx().await?;
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} FROM waitlist_entries WHERE site_id = $1 AND phone = $2 AND state IN {ACTIVE_ENTRY} {}",
                    $lock
                );
                let existing = sqlx::query_as::<_, EntryRow>(&sql)
                    .bind(entry.site_id.as_str())
                    .bind(entry.phone.as_e164())
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = existing {
                    return Ok((entry_from_row(row)?, false));
                }
                sqlx::query(
                    "INSERT INTO waitlist_entries (id, site_id, phone, joined_at, skips, state, ended_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&entry.id)
                .bind(entry.site_id.as_str())
                .bind(entry.phone.as_e164())
                .bind($crate::time::to_micros(entry.joined_at))
                .bind(i64::from(entry.skips))
                .bind(entry.state.as_str())
                .bind(entry.ended_at.map($crate::time::to_micros))
                .execute(&mut *tx)
                .await?;
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok((entry.clone(), true))
            }

            async fn list_waitlist(
                &self,
                site: &chargeplan_core::SiteId,
            ) -> Result<Vec<$crate::WaitlistEntry>, $crate::StoreError> {
                use $crate::sql_waitlist::{ACTIVE_ENTRY, ENTRY_COLUMNS, EntryRow, entry_from_row};
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} FROM waitlist_entries WHERE site_id = $1 AND state IN {ACTIVE_ENTRY} \
                     ORDER BY joined_at, id"
                );
                sqlx::query_as::<_, EntryRow>(&sql)
                    .bind(site.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(entry_from_row)
                    .collect()
            }

            async fn list_waitlist_joined(
                &self,
                site: &chargeplan_core::SiteId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::WaitlistEntry>, $crate::StoreError> {
                use $crate::sql_waitlist::{ENTRY_COLUMNS, EntryRow, entry_from_row};
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} FROM waitlist_entries WHERE site_id = $1 AND joined_at >= $2 \
                     AND joined_at < $3 ORDER BY joined_at, id"
                );
                sqlx::query_as::<_, EntryRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(from))
                    .bind($crate::time::to_micros(to))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(entry_from_row)
                    .collect()
            }

            async fn waitlist_entries_of_phone(
                &self,
                phone: &chargeplan_core::PhoneNumber,
            ) -> Result<Vec<$crate::WaitlistEntry>, $crate::StoreError> {
                use $crate::sql_waitlist::{ACTIVE_ENTRY, ENTRY_COLUMNS, EntryRow, entry_from_row};
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} FROM waitlist_entries WHERE phone = $1 AND state IN {ACTIVE_ENTRY} \
                     ORDER BY joined_at, id"
                );
                sqlx::query_as::<_, EntryRow>(&sql)
                    .bind(phone.as_e164())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(entry_from_row)
                    .collect()
            }

            async fn end_waitlist_entry(
                &self,
                entry_id: &str,
                state: $crate::EntryState,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                use $crate::sql_waitlist::{ACTIVE_ENTRY, LIVE_OFFER};
                if state.is_active() {
                    return Err($crate::StoreError::Conflict(format!(
                        "an entry cannot end as '{}'", state.as_str()
                    )));
                }
                let at = $crate::time::to_micros(now);
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(&format!(
                    "UPDATE waitlist_entries SET state = $1, ended_at = $2 WHERE id = $3 AND state IN {ACTIVE_ENTRY}"
                ))
                .bind(state.as_str())
                .bind(at)
                .bind(entry_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                sqlx::query(&format!(
                    "UPDATE waitlist_offers SET state = 'withdrawn', answered_at = COALESCE(answered_at, $1) \
                     WHERE entry_id = $2 AND state IN {LIVE_OFFER}"
                ))
                .bind(at)
                .bind(entry_id)
                .execute(&mut *tx)
                .await?;
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn create_offer(
                &self,
                offer: &$crate::WaitlistOffer,
                fence: Option<&$crate::OfferFence>,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                use $crate::sql_waitlist::LIVE_OFFER;
                let at = $crate::time::to_micros(now);
                let mut tx = self.write_tx().await?;
                if let Some(fence) = fence {
                    let lock = $lock;
                    if !lock.is_empty() {
                        // Holds back any takeover of the lease until this transaction ends.
                        sqlx::query(&format!("SELECT 1 FROM site_leases WHERE site_id = $1 {lock}"))
                            .bind(offer.site_id.as_str())
                            .fetch_optional(&mut *tx)
                            .await?;
                    }
                    let held: Option<i64> = sqlx::query_scalar(
                        "SELECT fencing_token FROM site_leases \
                         WHERE site_id = $1 AND owner = $2 AND fencing_token = $3 AND expires_at > $4",
                    )
                    .bind(offer.site_id.as_str())
                    .bind(&fence.owner)
                    .bind(fence.token)
                    .bind(at)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if held.is_none() {
                        return Ok(false);
                    }
                }
                let entry_state: Option<String> = sqlx::query_scalar(&format!(
                    "SELECT state FROM waitlist_entries WHERE id = $1 {}", $lock
                ))
                .bind(&offer.entry_id)
                .fetch_optional(&mut *tx)
                .await?;
                if entry_state.as_deref() != Some($crate::EntryState::Waiting.as_str()) {
                    return Ok(false);
                }
                let busy: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM waitlist_offers WHERE (port_id = $1 OR entry_id = $2) AND state IN {LIVE_OFFER}"
                ))
                .bind(offer.port_id.as_str())
                .bind(&offer.entry_id)
                .fetch_one(&mut *tx)
                .await?;
                if busy > 0 {
                    return Ok(false);
                }
                let inserted = sqlx::query(
                    "INSERT INTO waitlist_offers (id, entry_id, site_id, port_id, offered_at, respond_by, state, answered_at, hold_until) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&offer.id)
                .bind(&offer.entry_id)
                .bind(offer.site_id.as_str())
                .bind(offer.port_id.as_str())
                .bind($crate::time::to_micros(offer.offered_at))
                .bind($crate::time::to_micros(offer.respond_by))
                .bind(offer.state.as_str())
                .bind(offer.answered_at.map($crate::time::to_micros))
                .bind(offer.hold_until.map($crate::time::to_micros))
                .execute(&mut *tx)
                .await;
                match inserted.map_err($crate::StoreError::from) {
                    Ok(_) => {}
                    // Another writer offered the port in between (PostgreSQL without a lock).
                    Err($crate::StoreError::Conflict(_)) => return Ok(false),
                    Err(error) => return Err(error),
                }
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn transition_offer(
                &self,
                step: &$crate::OfferTransition,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let at = $crate::time::to_micros(now);
                let mut tx = self.write_tx().await?;
                let entry_id: Option<String> = sqlx::query_scalar(
                    "UPDATE waitlist_offers SET state = $1, answered_at = COALESCE(answered_at, $2), \
                     hold_until = COALESCE($3, hold_until) \
                     WHERE id = $4 AND state = $5 AND ($6 IS NULL OR respond_by > $6) RETURNING entry_id",
                )
                .bind(step.to.as_str())
                .bind(at)
                .bind(step.hold_until.map($crate::time::to_micros))
                .bind(&step.offer_id)
                .bind(step.from.as_str())
                .bind(step.before_deadline.map($crate::time::to_micros))
                .fetch_optional(&mut *tx)
                .await?;
                let Some(entry_id) = entry_id else {
                    return Ok(false);
                };
                let ended_at = (!step.entry_state.is_active()).then_some(at);
                sqlx::query("UPDATE waitlist_entries SET skips = $1, state = $2, ended_at = $3 WHERE id = $4")
                    .bind(i64::from(step.entry_skips))
                    .bind(step.entry_state.as_str())
                    .bind(ended_at)
                    .bind(&entry_id)
                    .execute(&mut *tx)
                    .await?;
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn list_live_offers(
                &self,
                site: &chargeplan_core::SiteId,
            ) -> Result<Vec<$crate::WaitlistOffer>, $crate::StoreError> {
                use $crate::sql_waitlist::{LIVE_OFFER, OFFER_COLUMNS, OfferRow, offer_from_row};
                let sql = format!(
                    "SELECT {OFFER_COLUMNS} FROM waitlist_offers WHERE site_id = $1 AND state IN {LIVE_OFFER} \
                     ORDER BY offered_at, id"
                );
                sqlx::query_as::<_, OfferRow>(&sql)
                    .bind(site.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(offer_from_row)
                    .collect()
            }

            async fn live_offer_of_entry(
                &self,
                entry_id: &str,
            ) -> Result<Option<$crate::WaitlistOffer>, $crate::StoreError> {
                use $crate::sql_waitlist::{LIVE_OFFER, OFFER_COLUMNS, OfferRow, offer_from_row};
                let sql = format!(
                    "SELECT {OFFER_COLUMNS} FROM waitlist_offers WHERE entry_id = $1 AND state IN {LIVE_OFFER}"
                );
                sqlx::query_as::<_, OfferRow>(&sql)
                    .bind(entry_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(offer_from_row)
                    .transpose()
            }

            async fn list_offers(
                &self,
                site: &chargeplan_core::SiteId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::WaitlistOffer>, $crate::StoreError> {
                use $crate::sql_waitlist::{OFFER_COLUMNS, OfferRow, offer_from_row};
                let sql = format!(
                    "SELECT {OFFER_COLUMNS} FROM waitlist_offers WHERE site_id = $1 AND offered_at >= $2 \
                     ORDER BY offered_at, id"
                );
                sqlx::query_as::<_, OfferRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(since))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map(offer_from_row)
                    .collect()
            }

            async fn sites_of_phone(
                &self,
                phone: &chargeplan_core::PhoneNumber,
            ) -> Result<Vec<chargeplan_core::SiteId>, $crate::StoreError> {
                let ids: Vec<String> = sqlx::query_scalar(
                    "SELECT DISTINCT site_id FROM participants WHERE phone = $1 ORDER BY site_id",
                )
                .bind(phone.as_e164())
                .fetch_all(&self.pool)
                .await?;
                ids.iter()
                    .map(|id| chargeplan_core::SiteId::parse(id).map_err(|error| $crate::StoreError::corrupt("participant", error)))
                    .collect()
            }
        }
    };
}

pub(crate) use impl_waitlist_store;
