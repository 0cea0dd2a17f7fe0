//! Shared SQL for plans and setpoints (see `sql_store`).

macro_rules! impl_plan_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::PlanStore for $store {
            async fn save_plan(&self, plan: &chargeplan_core::Plan) -> Result<(), $crate::StoreError> {
                let sessions = serde_json::to_string(&plan.sessions).map_err(|error| $crate::StoreError::corrupt("plan", error))?;
                sqlx::query(
                    "INSERT INTO plans (id, site_id, created_at, start_at, slot_minutes, horizon_slots, sessions_json) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(plan.id.as_str())
                .bind(plan.site_id.as_str())
                .bind($crate::time::to_micros(plan.created_at))
                .bind($crate::time::to_micros(plan.start))
                .bind(i64::from(plan.slot_minutes.get()))
                .bind(i64::from(plan.horizon_slots))
                .bind(sessions)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_plan(&self, id: &chargeplan_core::PlanId) -> Result<chargeplan_core::Plan, $crate::StoreError> {
                let sql = format!("SELECT {} FROM plans WHERE id = $1", $crate::sql_store::PLAN_COLUMNS);
                sqlx::query_as::<_, $crate::rows::PlanRow>(&sql)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("plan", id))?
                    .into_plan()
            }

            async fn latest_plan(&self, site: &chargeplan_core::SiteId) -> Result<Option<chargeplan_core::Plan>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM plans WHERE site_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
                    $crate::sql_store::PLAN_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::PlanRow>(&sql)
                    .bind(site.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::rows::PlanRow::into_plan)
                    .transpose()
            }

            async fn list_plans(
                &self,
                site: &chargeplan_core::SiteId,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> Result<Vec<chargeplan_core::Plan>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM plans WHERE site_id = $1 AND created_at >= $2 AND created_at < $3 \
                     ORDER BY created_at DESC, id DESC LIMIT $4",
                    $crate::sql_store::PLAN_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::PlanRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(from))
                    .bind($crate::time::to_micros(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::PlanRow::into_plan)
                    .collect()
            }

            async fn insert_setpoint(&self, setpoint: &chargeplan_core::Setpoint) -> Result<(), $crate::StoreError> {
                chargeplan_core::Setpoint::validate_periods(&setpoint.periods)?;
                let periods = serde_json::to_string(&setpoint.periods).map_err(|error| $crate::StoreError::corrupt("setpoint", error))?;
                sqlx::query(
                    "INSERT INTO setpoints (id, site_id, plan_id, port_id, session_id, starts_at, periods_json, state, reason, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(setpoint.id.as_str())
                .bind(setpoint.site_id.as_str())
                .bind(setpoint.plan_id.as_ref().map(|id| id.as_str().to_owned()))
                .bind(setpoint.port_id.as_str())
                .bind(setpoint.session_id.as_str())
                .bind($crate::time::to_micros(setpoint.starts_at))
                .bind(periods)
                .bind(setpoint.state.as_str())
                .bind(setpoint.reason.as_deref())
                .bind($crate::time::to_micros(setpoint.created_at))
                .bind($crate::time::to_micros(setpoint.updated_at))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn set_setpoint_state(
                &self,
                id: &chargeplan_core::SetpointId,
                state: chargeplan_core::SetpointState,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let done = sqlx::query("UPDATE setpoints SET state = $1, updated_at = $2 WHERE id = $3")
                    .bind(state.as_str())
                    .bind($crate::time::to_micros(at))
                    .bind(id.as_str())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("setpoint", id));
                }
                Ok(())
            }

            async fn settle_setpoint(
                &self,
                id: &chargeplan_core::SetpointId,
                state: chargeplan_core::SetpointState,
                reason: Option<&str>,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                // A final answer (accepted, rejected) replaces a pending or unknown (failed)
                // outcome; an unknown outcome replaces only a pending one, so a late answer
                // that overtook our own bookkeeping is never overwritten.
                let done = sqlx::query(
                    "UPDATE setpoints SET state = $1, reason = $2, updated_at = $3 \
                     WHERE id = $4 AND (state = 'pending' OR (state = 'failed' AND $5))",
                )
                .bind(state.as_str())
                .bind(reason)
                .bind($crate::time::to_micros(at))
                .bind(id.as_str())
                .bind(matches!(state, chargeplan_core::SetpointState::Accepted | chargeplan_core::SetpointState::Rejected))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn get_setpoint(&self, id: &chargeplan_core::SetpointId) -> Result<chargeplan_core::Setpoint, $crate::StoreError> {
                let sql = format!("SELECT {} FROM setpoints WHERE id = $1", $crate::sql_store::SETPOINT_COLUMNS);
                sqlx::query_as::<_, $crate::rows::SetpointRow>(&sql)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("setpoint", id))?
                    .into_setpoint()
            }

            async fn list_session_setpoints(
                &self,
                session: &chargeplan_core::SessionId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chargeplan_core::Setpoint>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM setpoints WHERE session_id = $1 AND created_at >= $2 ORDER BY created_at, id",
                    $crate::sql_store::SETPOINT_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::SetpointRow>(&sql)
                    .bind(session.as_str())
                    .bind($crate::time::to_micros(since))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::SetpointRow::into_setpoint)
                    .collect()
            }

            async fn latest_setpoint(
                &self,
                session: &chargeplan_core::SessionId,
            ) -> Result<Option<chargeplan_core::Setpoint>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM setpoints WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
                    $crate::sql_store::SETPOINT_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::SetpointRow>(&sql)
                    .bind(session.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::rows::SetpointRow::into_setpoint)
                    .transpose()
            }

            async fn list_setpoints(
                &self,
                site: &chargeplan_core::SiteId,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chargeplan_core::Setpoint>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM setpoints WHERE site_id = $1 AND created_at >= $2 ORDER BY created_at, id",
                    $crate::sql_store::SETPOINT_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::SetpointRow>(&sql)
                    .bind(site.as_str())
                    .bind($crate::time::to_micros(since))
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::SetpointRow::into_setpoint)
                    .collect()
            }
        }
    };
}

pub(crate) use impl_plan_store;
