//! The SQL both backends share, written once and expanded for each by `impl_sql_store!`.
//!
//! Placeholders are `$1, $2, …`, which SQLite and PostgreSQL both accept. What differs per
//! backend is passed in: the pool and database types, the migrator, and the row-lock clauses
//! PostgreSQL needs for read-modify-write (`lock`) and for claiming outbox rows without two
//! workers taking the same one (`skip_locked`); SQLite serialises writers itself, with write
//! transactions started as `BEGIN IMMEDIATE` (`begin`).

pub(crate) const SITE_COLUMNS: &str = "id, name, time_zone, slot_minutes, clock_format, country";
pub(crate) const CIRCUIT_COLUMNS: &str = "id, site_id, name, parent_id, cap_kw";
pub(crate) const PORT_COLUMNS: &str = "id, site_id, circuit_id, vendor_account, location_id, evse_uid, connector_id, max_kw, phases, voltage_v, controllable, cable_movable";
pub(crate) const PARTICIPANT_COLUMNS: &str =
    "id, member_id, site_id, phone, wh_per_mile, plate, plate_region, created_at";
pub(crate) const SESSION_COLUMNS: &str = "id, site_id, vendor_account, vendor_session_id, port_id, token_uid, started_at, ended_at, energy_kwh, power_kw, status, vendor_updated_at";
pub(crate) const REQUEST_COLUMNS: &str =
    "session_id, revision, departure, energy_kwh, stated_miles, submitted_at";
pub(crate) const PLAN_COLUMNS: &str =
    "id, site_id, created_at, start_at, slot_minutes, horizon_slots, sessions_json";
pub(crate) const SETPOINT_COLUMNS: &str = "id, site_id, plan_id, port_id, session_id, starts_at, periods_json, state, reason, created_at, updated_at";
pub(crate) const VENDOR_COLUMNS: &str = "id, protocol, versions_url, outbound_token, inbound_token, token_encoding, sessions_url, locations_url, charging_profiles_url, rate_unit, enabled, created_at, updated_at";
pub(crate) const OUTBOX_COLUMNS: &str = "id, site_id, recipient, body, idempotency_key, state, attempts, not_before, claimed_until, provider_id, last_error, created_at, finished_at";

/// Names of the migrations in `migrator` whose versions are not in `applied`.
pub(crate) fn pending_migrations(
    migrator: &sqlx::migrate::Migrator,
    applied: &[i64],
) -> Vec<String> {
    migrator
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .filter(|migration| !applied.contains(&migration.version))
        .map(|migration| format!("{}_{}", migration.version, migration.description))
        .collect()
}

/// Expands the shared `Store` implementation for one backend.
macro_rules! impl_sql_store {
    (
        $store:ty,
        db = $db:ty,
        backend = $backend:expr,
        migrator = $migrator:expr,
        lock = $lock:literal,
        skip_locked = $skip_locked:literal,
        begin = $begin:literal
    ) => {
        impl $store {
            /// Starts a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`: it
            /// takes the write lock up front (waiting up to the busy timeout), where a deferred
            /// transaction that reads first fails at once with "database is locked" when another
            /// connection wrote in between.
            async fn write_tx(&self) -> Result<sqlx::Transaction<'static, $db>, sqlx::Error> {
                self.pool.begin_with($begin).await
            }

            async fn applied_migrations(&self) -> Result<Vec<i64>, $crate::StoreError> {
                let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                    .fetch_all(&self.pool)
                    .await?;
                Ok(versions)
            }

            async fn write_events(
                tx: &mut sqlx::Transaction<'_, $db>,
                events: &[$crate::NewEvent],
            ) -> Result<(), $crate::StoreError> {
                for event in events {
                    sqlx::query("INSERT INTO events (site_id, at, kind, payload_json) VALUES ($1, $2, $3, $4)")
                        .bind(event.site_id.as_str())
                        .bind($crate::time::to_micros(event.at))
                        .bind(event.kind.as_str())
                        .bind(event.payload.to_string())
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            async fn write_messages(
                tx: &mut sqlx::Transaction<'_, $db>,
                messages: &[$crate::NewOutboxMessage],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                for message in messages {
                    sqlx::query(
                        "INSERT INTO outbox (site_id, recipient, body, idempotency_key, state, attempts, not_before, created_at) \
                         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING",
                    )
                    .bind(message.site_id.as_ref().map(|id| id.as_str().to_owned()))
                    .bind(message.recipient.as_e164())
                    .bind(&message.body)
                    .bind(&message.idempotency_key)
                    .bind($crate::time::to_micros(message.not_before))
                    .bind($crate::time::to_micros(now))
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            async fn write_effects(
                tx: &mut sqlx::Transaction<'_, $db>,
                effects: &$crate::Effects,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                Self::write_events(tx, &effects.events).await?;
                Self::write_messages(tx, &effects.messages, now).await
            }

            async fn write_participant_tokens(
                tx: &mut sqlx::Transaction<'_, $db>,
                participant: &chargeplan_core::Participant,
            ) -> Result<(), $crate::StoreError> {
                for (position, uid) in (0_i64..).zip(&participant.token_uids) {
                    sqlx::query(
                        "INSERT INTO participant_tokens (site_id, token_uid, participant_id, position) VALUES ($1, $2, $3, $4)",
                    )
                        .bind(participant.site_id.as_str())
                        .bind(uid.as_str())
                        .bind(participant.id.as_str())
                        .bind(position)
                        .execute(&mut **tx)
                        .await
                        .map_err(|error| match $crate::StoreError::from(error) {
                            $crate::StoreError::Conflict(_) => $crate::StoreError::Conflict(format!(
                                "token '{}' already belongs to another participant of this site",
                                uid.as_str()
                            )),
                            other => other,
                        })?;
                }
                Ok(())
            }

            async fn participant_from_row(
                &self,
                row: $crate::rows::ParticipantRow,
            ) -> Result<chargeplan_core::Participant, $crate::StoreError> {
                let tokens: Vec<String> = sqlx::query_scalar(
                    "SELECT token_uid FROM participant_tokens WHERE participant_id = $1 ORDER BY position",
                )
                .bind(&row.id)
                .fetch_all(&self.pool)
                .await?;
                row.into_participant(tokens)
            }

            async fn find_session_row(
                tx: &mut sqlx::Transaction<'_, $db>,
                vendor: &str,
                vendor_session_id: &str,
            ) -> Result<Option<chargeplan_core::Session>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM sessions WHERE vendor_account = $1 AND vendor_session_id = $2 {}",
                    $crate::sql_store::SESSION_COLUMNS,
                    $lock
                );
                sqlx::query_as::<_, $crate::rows::SessionRow>(&sql)
                    .bind(vendor)
                    .bind(vendor_session_id)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map($crate::rows::SessionRow::into_session)
                    .transpose()
            }

            async fn write_session(
                tx: &mut sqlx::Transaction<'_, $db>,
                session: &chargeplan_core::Session,
                insert: bool,
            ) -> Result<(), $crate::StoreError> {
                let sql = if insert {
                    "INSERT INTO sessions (site_id, vendor_account, vendor_session_id, port_id, token_uid, started_at, ended_at, \
                     energy_kwh, power_kw, status, vendor_updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                } else {
                    "UPDATE sessions SET site_id = $1, vendor_account = $2, vendor_session_id = $3, port_id = $4, token_uid = $5, \
                     started_at = $6, ended_at = $7, energy_kwh = $8, power_kw = $9, status = $10, vendor_updated_at = $11 \
                     WHERE id = $12"
                };
                sqlx::query(sql)
                    .bind(session.site_id.as_str())
                    .bind(session.vendor_account.as_str())
                    .bind(&session.vendor_session_id)
                    .bind(session.port_id.as_ref().map(|id| id.as_str().to_owned()))
                    .bind(session.token_uid.as_ref().map(|uid| uid.as_str().to_owned()))
                    .bind($crate::time::to_micros(session.started_at))
                    .bind(session.ended_at.map($crate::time::to_micros))
                    .bind(session.energy.get())
                    .bind(session.power.get())
                    .bind(session.status.as_str())
                    .bind($crate::time::to_micros(session.vendor_updated_at))
                    .bind(session.id.as_str())
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::StoreAdmin for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            async fn migrate(&self) -> Result<$crate::MigrationReport, $crate::StoreError> {
                let before = self.applied_migrations().await.unwrap_or_default();
                $migrator.run(&self.pool).await?;
                let applied = $crate::sql_store::pending_migrations(&$migrator, &before);
                for name in &applied {
                    tracing::info!(migration = %name, "applied migration");
                }
                let filled = self.backfill_member_ids().await?;
                if filled > 0 {
                    tracing::info!(participants = filled, "gave member IDs to participants without one");
                }
                Ok($crate::MigrationReport { applied })
            }

            async fn check_ready(&self) -> Result<(), $crate::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                let applied = self
                    .applied_migrations()
                    .await
                    .map_err(|_| $crate::StoreError::NotReady("no migrations applied; run `chargeplan migrate`".into()))?;
                let pending = $crate::sql_store::pending_migrations(&$migrator, &applied);
                if !pending.is_empty() {
                    return Err($crate::StoreError::NotReady(format!("migrations pending: {}", pending.join(", "))));
                }
                let unfilled: Option<String> = sqlx::query_scalar("SELECT id FROM participants WHERE member_id IS NULL LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await?;
                match unfilled {
                    None => Ok(()),
                    Some(_) => Err($crate::StoreError::NotReady("participants without a member ID; run `chargeplan migrate`".into())),
                }
            }
        }

        $crate::sql_layout::impl_layout_store!($store, db = $db);
        $crate::sql_people::impl_participant_store!($store, db = $db);
        $crate::sql_vendors::impl_vendor_store!($store, db = $db);
        $crate::sql_sessions::impl_session_store!($store, db = $db, lock = $lock);
        $crate::sql_plans::impl_plan_store!($store, db = $db);
        $crate::sql_driver::impl_driver_store!($store, db = $db);
        $crate::sql_outbox::impl_outbox_store!($store, db = $db, skip_locked = $skip_locked);
        $crate::sql_leases::impl_lease_store!($store, db = $db, lock = $lock);
        $crate::sql_operators::impl_operator_store!($store, db = $db);
        $crate::sql_sharing::impl_sharing_store!($store, db = $db);
        $crate::sql_webhooks::impl_webhook_store!($store, db = $db);
        $crate::sql_waitlist::impl_waitlist_store!($store, db = $db, lock = $lock);
        $crate::sql_sharing_notes::impl_sharing_note_store!($store, db = $db);
    };
}

pub(crate) use impl_sql_store;
