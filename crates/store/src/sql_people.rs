//! Shared SQL for participants and their token uids (see `sql_store`), and the filling of
//! member IDs for participants stored before they existed.

macro_rules! impl_participant_store {
    ($store:ty, db = $db:ty) => {
        impl $store {
            /// Gives every participant without a member ID a new one; returns how many. Safe
            /// to run on several instances at once: a row is only filled while still empty,
            /// and an ID someone else took is drawn again.
            async fn backfill_member_ids(&self) -> Result<usize, $crate::StoreError> {
                let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM participants WHERE member_id IS NULL ORDER BY id")
                    .fetch_all(&self.pool)
                    .await?;
                let mut filled = 0;
                for id in &ids {
                    let mut attempt = 0;
                    loop {
                        let member_id = chargeplan_core::MemberId::generate(&mut rand::rng());
                        let done = sqlx::query("UPDATE participants SET member_id = $1 WHERE id = $2 AND member_id IS NULL")
                            .bind(member_id.as_str())
                            .bind(id)
                            .execute(&self.pool)
                            .await
                            .map_err($crate::sql_people::participant_conflict);
                        match done {
                            Ok(done) => {
                                filled += usize::try_from(done.rows_affected()).unwrap_or(0);
                                break;
                            }
                            Err(error) if error.is_member_id_taken() && attempt < $crate::MEMBER_ID_ATTEMPTS => attempt += 1,
                            Err(error) => return Err(error),
                        }
                    }
                }
                Ok(filled)
            }
        }

        #[async_trait::async_trait]
        impl $crate::ParticipantStore for $store {
            async fn insert_participant(&self, participant: &chargeplan_core::Participant) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO participants (id, member_id, site_id, phone, wh_per_mile, plate, plate_region, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                    .bind(participant.id.as_str())
                    .bind(participant.member_id.as_str())
                    .bind(participant.site_id.as_str())
                    .bind(participant.phone.as_e164())
                    .bind(participant.wh_per_mile.get())
                    .bind(participant.plate.as_ref().map(|p| p.number().to_owned()))
                    .bind(participant.plate.as_ref().and_then(|p| p.region().map(str::to_owned)))
                    .bind($crate::time::to_micros(participant.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::sql_people::participant_conflict)?;
                Self::write_participant_tokens(&mut tx, participant).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_participant(&self, participant: &chargeplan_core::Participant) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(
                    "UPDATE participants SET member_id = $1, phone = $2, wh_per_mile = $3, plate = $4, plate_region = $5 \
                     WHERE id = $6 AND site_id = $7",
                )
                    .bind(participant.member_id.as_str())
                    .bind(participant.phone.as_e164())
                    .bind(participant.wh_per_mile.get())
                    .bind(participant.plate.as_ref().map(|p| p.number().to_owned()))
                    .bind(participant.plate.as_ref().and_then(|p| p.region().map(str::to_owned)))
                    .bind(participant.id.as_str())
                    .bind(participant.site_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::sql_people::participant_conflict)?;
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

            async fn find_participant_by_member_id(
                &self,
                member_id: &chargeplan_core::MemberId,
            ) -> Result<Option<chargeplan_core::Participant>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM participants WHERE member_id = $1", $crate::sql_store::PARTICIPANT_COLUMNS);
                let row = sqlx::query_as::<_, $crate::rows::ParticipantRow>(&sql)
                    .bind(member_id.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => self.participant_from_row(row).await.map(Some),
                    None => Ok(None),
                }
            }

            async fn find_participants_by_phone(
                &self,
                phone: &chargeplan_core::PhoneNumber,
            ) -> Result<Vec<chargeplan_core::Participant>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM participants WHERE phone = $1 ORDER BY id", $crate::sql_store::PARTICIPANT_COLUMNS);
                let rows = sqlx::query_as::<_, $crate::rows::ParticipantRow>(&sql)
                    .bind(phone.as_e164())
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

/// A participant's unique-key violation, named: a member ID already taken (which the
/// registering caller answers by drawing another, see [`crate::StoreError::is_member_id_taken`])
/// or a second participant with the same phone at one site.
pub(crate) fn participant_conflict(error: sqlx::Error) -> crate::StoreError {
    let on_member_id = match &error {
        // PostgreSQL names the index; SQLite names the column in its message.
        sqlx::Error::Database(db) => {
            db.constraint() == Some("participants_member_id")
                || db.message().contains("participants.member_id")
        }
        _ => false,
    };
    match crate::StoreError::from(error) {
        crate::StoreError::Conflict(_) if on_member_id => {
            crate::StoreError::Conflict(crate::error::MEMBER_ID_TAKEN.into())
        }
        crate::StoreError::Conflict(_) => crate::StoreError::Conflict(
            "a participant with this phone number is already registered at this site".into(),
        ),
        other => other,
    }
}
