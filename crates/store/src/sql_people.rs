//! Shared SQL for participants and their token uids (see `sql_store`).

macro_rules! impl_participant_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::ParticipantStore for $store {
            async fn insert_participant(&self, participant: &chargeplan_core::Participant) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query("INSERT INTO participants (id, site_id, phone, wh_per_mile, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(participant.id.as_str())
                    .bind(participant.site_id.as_str())
                    .bind(participant.phone.as_e164())
                    .bind(participant.wh_per_mile.get())
                    .bind($crate::time::to_micros(participant.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::sql_people::duplicate_phone)?;
                Self::write_participant_tokens(&mut tx, participant).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_participant(&self, participant: &chargeplan_core::Participant) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query("UPDATE participants SET phone = $1, wh_per_mile = $2 WHERE id = $3 AND site_id = $4")
                    .bind(participant.phone.as_e164())
                    .bind(participant.wh_per_mile.get())
                    .bind(participant.id.as_str())
                    .bind(participant.site_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::sql_people::duplicate_phone)?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("participant", &participant.id));
                }
                sqlx::query("DELETE FROM participant_tokens WHERE participant_id = $1")
                    .bind(participant.id.as_str())
                    .execute(&mut *tx)
                    .await?;
                Self::write_participant_tokens(&mut tx, participant).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_participant(&self, id: &chargeplan_core::ParticipantId) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query("DELETE FROM participant_tokens WHERE participant_id = $1").bind(id.as_str()).execute(&mut *tx).await?;
                let done = sqlx::query("DELETE FROM participants WHERE id = $1").bind(id.as_str()).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("participant", id));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn get_participant(&self, id: &chargeplan_core::ParticipantId) -> Result<chargeplan_core::Participant, $crate::StoreError> {
                let sql = format!("SELECT {} FROM participants WHERE id = $1", $crate::sql_store::PARTICIPANT_COLUMNS);
                let row = sqlx::query_as::<_, $crate::rows::ParticipantRow>(&sql)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("participant", id))?;
                self.participant_from_row(row).await
            }

            async fn list_participants(&self, site: &chargeplan_core::SiteId) -> Result<Vec<chargeplan_core::Participant>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM participants WHERE site_id = $1 ORDER BY created_at, id", $crate::sql_store::PARTICIPANT_COLUMNS);
                let rows = sqlx::query_as::<_, $crate::rows::ParticipantRow>(&sql)
                    .bind(site.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                let mut participants = Vec::with_capacity(rows.len());
                for row in rows {
                    participants.push(self.participant_from_row(row).await?);
                }
                Ok(participants)
            }

            async fn find_participant_by_token(
                &self,
                site: &chargeplan_core::SiteId,
                token: &chargeplan_core::TokenUid,
            ) -> Result<Option<chargeplan_core::Participant>, $crate::StoreError> {
                let participant: Option<String> =
                    sqlx::query_scalar("SELECT participant_id FROM participant_tokens WHERE site_id = $1 AND token_uid = $2")
                        .bind(site.as_str())
                        .bind(token.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                match participant {
                    Some(id) => {
                        let id = chargeplan_core::ParticipantId::parse(&id)
                            .map_err(|error| $crate::StoreError::corrupt("participant token", error))?;
                        self.get_participant(&id).await.map(Some)
                    }
                    None => Ok(None),
                }
            }
        }
    };
}

pub(crate) use impl_participant_store;

/// A second participant with the same phone at one site is a conflict worth naming.
pub(crate) fn duplicate_phone(error: sqlx::Error) -> crate::StoreError {
    match crate::StoreError::from(error) {
        crate::StoreError::Conflict(_) => crate::StoreError::Conflict(
            "a participant with this phone number is already registered at this site".into(),
        ),
        other => other,
    }
}
