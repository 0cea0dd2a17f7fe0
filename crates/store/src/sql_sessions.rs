//! Shared SQL for sessions, meter samples and drivers' requests (see `sql_store`).

macro_rules! impl_session_store {
    ($store:ty, db = $db:ty, lock = $lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::SessionStore for $store {
            async fn upsert_session(
                &self,
                session: &chargeplan_core::Session,
                on_insert: &$crate::Effects,
            ) -> Result<($crate::SessionUpsert, chargeplan_core::Session), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let stored = Self::find_session_row(&mut tx, session.vendor_account.as_str(), &session.vendor_session_id).await?;
                let (outcome, result) = match &stored {
                    None => {
                        Self::write_session(&mut tx, session, true).await?;
                        Self::write_effects(&mut tx, on_insert, session.vendor_updated_at).await?;
                        ($crate::SessionUpsert::Inserted, session.clone())
                    }
                    Some(stored) => match $crate::merge::merge_session(stored, session) {
                        Some(merged) => {
                            Self::write_session(&mut tx, &merged, false).await?;
                            ($crate::SessionUpsert::Updated, merged)
                        }
                        None => ($crate::SessionUpsert::Unchanged, stored.clone()),
                    },
                };
                if outcome != $crate::SessionUpsert::Unchanged {
                    Self::write_events(&mut tx, &$crate::merge::session_events(stored.as_ref(), &result)).await?;
                }
                tx.commit().await?;
                Ok((outcome, result))
            }

            async fn get_session(&self, id: &chargeplan_core::SessionId) -> Result<chargeplan_core::Session, $crate::StoreError> {
                let sql = format!("SELECT {} FROM sessions WHERE id = $1", $crate::sql_store::SESSION_COLUMNS);
                sqlx::query_as::<_, $crate::rows::SessionRow>(&sql)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("session", id))?
                    .into_session()
            }

            async fn find_session_by_vendor(
                &self,
                vendor: &chargeplan_core::VendorAccountId,
                vendor_session_id: &str,
            ) -> Result<Option<chargeplan_core::Session>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM sessions WHERE vendor_account = $1 AND vendor_session_id = $2",
                    $crate::sql_store::SESSION_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::SessionRow>(&sql)
                    .bind(vendor.as_str())
                    .bind(vendor_session_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::rows::SessionRow::into_session)
                    .transpose()
            }

            async fn record_session_party(
                &self,
                session: &chargeplan_core::SessionId,
                party: &$crate::SessionParty,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO session_parties (session_id, country_code, party_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (session_id) DO NOTHING",
                )
                .bind(session.as_str())
                .bind(&party.country_code)
                .bind(&party.party_id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_party(
                &self,
                session: &chargeplan_core::SessionId,
            ) -> Result<Option<$crate::SessionParty>, $crate::StoreError> {
                let row: Option<(String, String)> = sqlx::query_as(
                    "SELECT country_code, party_id FROM session_parties WHERE session_id = $1",
                )
                .bind(session.as_str())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(country_code, party_id)| $crate::SessionParty {
                    country_code,
                    party_id,
                }))
            }

            async fn list_open_sessions(&self, site: &chargeplan_core::SiteId) -> Result<Vec<chargeplan_core::Session>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM sessions WHERE site_id = $1 AND status NOT IN ($2, $3) ORDER BY started_at, id",
                    $crate::sql_store::SESSION_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::SessionRow>(&sql)
                    .bind(site.as_str())
                    .bind(chargeplan_core::SessionStatus::Completed.as_str())
                    .bind(chargeplan_core::SessionStatus::Invalid.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::SessionRow::into_session)
                    .collect()
            }

            async fn list_sessions_started(
                &self,
                site: &chargeplan_core::SiteId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chargeplan_core::Session>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM sessions WHERE site_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id",
                    $crate::sql_store::SESSION_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::SessionRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(from))
                    .bind($crate::time::to_micros(to))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::SessionRow::into_session)
                    .collect()
            }

            async fn add_meter_sample(&self, sample: &chargeplan_core::MeterSample) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO meter_samples (session_id, at, energy_kwh, power_kw, soc_pct) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (session_id, at) DO NOTHING",
                )
                .bind(sample.session_id.as_str())
                .bind($crate::time::to_micros(sample.at))
                .bind(sample.energy.get())
                .bind(sample.power.get())
                .bind(sample.state_of_charge_pct)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn list_meter_samples(&self, session: &chargeplan_core::SessionId) -> Result<Vec<chargeplan_core::MeterSample>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::rows::MeterSampleRow>(
                    "SELECT session_id, at, energy_kwh, power_kw, soc_pct FROM meter_samples WHERE session_id = $1 ORDER BY at",
                )
                .bind(session.as_str())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::rows::MeterSampleRow::into_sample)
                .collect()
            }

            async fn list_site_meter_samples(
                &self,
                site: &chargeplan_core::SiteId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chargeplan_core::MeterSample>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::rows::MeterSampleRow>(
                    "SELECT m.session_id, m.at, m.energy_kwh, m.power_kw, m.soc_pct FROM meter_samples m \
                     JOIN sessions s ON s.id = m.session_id \
                     WHERE s.site_id = $1 AND m.at >= $2 AND m.at < $3 ORDER BY m.at, m.session_id",
                )
                .bind(site.as_str())
                .bind($crate::time::to_micros(from))
                .bind($crate::time::to_micros(to))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::rows::MeterSampleRow::into_sample)
                .collect()
            }

            async fn list_meter_samples_since(
                &self,
                session: &chargeplan_core::SessionId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chargeplan_core::MeterSample>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::rows::MeterSampleRow>(
                    "SELECT session_id, at, energy_kwh, power_kw, soc_pct FROM meter_samples WHERE session_id = $1 AND at >= $2 ORDER BY at",
                )
                .bind(session.as_str())
                .bind($crate::time::to_micros(since))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::rows::MeterSampleRow::into_sample)
                .collect()
            }

            async fn add_request_revision(
                &self,
                request: &chargeplan_core::ChargingRequest,
                effects: &$crate::Effects,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let sql = format!("SELECT {} FROM sessions WHERE id = $1 {}", $crate::sql_store::SESSION_COLUMNS, $lock);
                let session = sqlx::query_as::<_, $crate::rows::SessionRow>(&sql)
                    .bind(request.session_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("session", &request.session_id))?
                    .into_session()?;
                if session.status.is_final() {
                    return Err($crate::StoreError::Conflict("the session has ended; its request can no longer change".into()));
                }
                let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(revision) FROM charging_requests WHERE session_id = $1")
                    .bind(request.session_id.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                let expected = latest.unwrap_or(0) + 1;
                if i64::from(request.revision) != expected {
                    return Err($crate::StoreError::Conflict(format!(
                        "request revision {} is stale: the next revision is {expected}",
                        request.revision
                    )));
                }
                sqlx::query(
                    "INSERT INTO charging_requests (session_id, revision, departure, energy_kwh, stated_miles, submitted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(request.session_id.as_str())
                .bind(i64::from(request.revision))
                .bind($crate::time::to_micros(request.departure))
                .bind(request.energy.kwh())
                .bind(request.stated_miles)
                .bind($crate::time::to_micros(request.submitted_at))
                .execute(&mut *tx)
                .await?;
                let submitted = $crate::NewEvent {
                    site_id: session.site_id.clone(),
                    at: request.submitted_at,
                    kind: $crate::EventKind::RequestSubmitted,
                    payload: serde_json::json!({ "session_id": request.session_id.as_str(), "revision": request.revision }),
                };
                Self::write_events(&mut tx, &[submitted]).await?;
                Self::write_effects(&mut tx, effects, request.submitted_at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn latest_request(&self, session: &chargeplan_core::SessionId) -> Result<Option<chargeplan_core::ChargingRequest>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM charging_requests WHERE session_id = $1 ORDER BY revision DESC LIMIT 1",
                    $crate::sql_store::REQUEST_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::RequestRow>(&sql)
                    .bind(session.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::rows::RequestRow::into_request)
                    .transpose()
            }

            async fn request_history(&self, session: &chargeplan_core::SessionId) -> Result<Vec<chargeplan_core::ChargingRequest>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM charging_requests WHERE session_id = $1 ORDER BY revision",
                    $crate::sql_store::REQUEST_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::RequestRow>(&sql)
                    .bind(session.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::RequestRow::into_request)
                    .collect()
            }
        }
    };
}

pub(crate) use impl_session_store;
