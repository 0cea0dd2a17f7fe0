//! Shared SQL for the per-session sharing notes (see `sql_store`): the owner's return time and
//! "OK to unplug" that the relay records, and the "done charging" texts the control loop sends.

use chargeplan_core::{SessionId, SiteId};

use crate::time::{from_micros, opt_from_micros};
use crate::{SessionSharingNote, StoreError};

pub(crate) const NOTE_COLUMNS: &str = "n.session_id, n.site_id, n.owner_back_at, n.ok_to_unplug_at, \
     n.done_at, n.done_texts, n.last_done_text_at, n.updated_at";

pub(crate) type NoteRow = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
);

pub(crate) fn note_from_row(row: NoteRow) -> Result<SessionSharingNote, StoreError> {
    let corrupt = |error| StoreError::corrupt("session sharing note", error);
    Ok(SessionSharingNote {
        session_id: SessionId::parse(&row.0).map_err(corrupt)?,
        site_id: SiteId::parse(&row.1).map_err(corrupt)?,
        owner_back_at: opt_from_micros(row.2)?,
        ok_to_unplug_at: opt_from_micros(row.3)?,
        done_at: opt_from_micros(row.4)?,
        done_texts: u32::try_from(row.5)
            .map_err(|error| StoreError::corrupt("session sharing note", error))?,
        last_done_text_at: opt_from_micros(row.6)?,
        updated_at: from_micros(row.7)?,
    })
}

/// Creates the note of session `$1` (its site from `sessions`) with `column = $2`, or sets
/// that column on the existing note; `$3` is now.
pub(crate) fn set_column_sql(column: &str) -> String {
    format!(
        "INSERT INTO session_sharing_notes (session_id, site_id, {column}, done_texts, updated_at) \
         SELECT id, site_id, $2, 0, $3 FROM sessions WHERE id = $1 \
         ON CONFLICT (session_id) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at"
    )
}

macro_rules! impl_sharing_note_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::SharingNoteStore for $store {
            async fn set_owner_return(
                &self,
                session: &chargeplan_core::SessionId,
                back_at: chrono::DateTime<chrono::Utc>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let done = sqlx::query(&$crate::sql_sharing_notes::set_column_sql("owner_back_at"))
                    .bind(session.as_str())
                    .bind($crate::time::to_micros(back_at))
                    .bind($crate::time::to_micros(now))
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("session", session));
                }
                Ok(())
            }

            async fn set_ok_to_unplug(
                &self,
                session: &chargeplan_core::SessionId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let at = $crate::time::to_micros(now);
                let done = sqlx::query(&$crate::sql_sharing_notes::set_column_sql("ok_to_unplug_at"))
                    .bind(session.as_str())
                    .bind(at)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("session", session));
                }
                Ok(())
            }

            async fn list_open_sharing_notes(
                &self,
                site: &chargeplan_core::SiteId,
            ) -> Result<Vec<$crate::SessionSharingNote>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM session_sharing_notes n JOIN sessions s ON s.id = n.session_id \
                     WHERE n.site_id = $1 AND s.ended_at IS NULL ORDER BY n.session_id",
                    $crate::sql_sharing_notes::NOTE_COLUMNS
                );
                sqlx::query_as::<_, $crate::sql_sharing_notes::NoteRow>(&sql)
                    .bind(site.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::sql_sharing_notes::note_from_row)
                    .collect()
            }

            async fn record_done_text(
                &self,
                session: &chargeplan_core::SessionId,
                done_at: chrono::DateTime<chrono::Utc>,
                sent: u32,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let at = $crate::time::to_micros(now);
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(
                    "INSERT INTO session_sharing_notes (session_id, site_id, done_at, done_texts, last_done_text_at, updated_at) \
                     SELECT id, site_id, $2, $3 + 1, $4, $4 FROM sessions WHERE id = $1 \
                     ON CONFLICT (session_id) DO UPDATE SET \
                       done_at = COALESCE(session_sharing_notes.done_at, excluded.done_at), \
                       done_texts = excluded.done_texts, last_done_text_at = excluded.last_done_text_at, \
                       updated_at = excluded.updated_at \
                     WHERE session_sharing_notes.done_texts = $3",
                )
                .bind(session.as_str())
                .bind($crate::time::to_micros(done_at))
                .bind(i64::from(sent))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                Self::write_effects(&mut tx, effects, now).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

pub(crate) use impl_sharing_note_store;
