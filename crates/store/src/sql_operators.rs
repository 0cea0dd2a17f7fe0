//! Shared SQL for operators, their site grants, API tokens, dashboard sessions and failed
//! logins (see `sql_store`).

macro_rules! impl_operator_store {
    ($store:ty, db = $db:ty) => {
        impl $store {
            /// The operator with this id and its sites, if it exists.
            async fn operator_by_id(&self, id: &str) -> Result<Option<$crate::Operator>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM operators WHERE id = $1", $crate::operator_rows::OPERATOR_COLUMNS);
                let row = sqlx::query_as::<_, $crate::operator_rows::OperatorRow>(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => self.operator_from_row(row).await.map(Some),
                    None => Ok(None),
                }
            }

            async fn operator_from_row(
                &self,
                row: $crate::operator_rows::OperatorRow,
            ) -> Result<$crate::Operator, $crate::StoreError> {
                let sites: Vec<String> = sqlx::query_scalar("SELECT site_id FROM operator_sites WHERE operator_id = $1")
                    .bind(&row.id)
                    .fetch_all(&self.pool)
                    .await?;
                row.into_operator(sites)
            }

            /// Fails with `NotFound` unless the operator exists.
            async fn require_operator(
                tx: &mut sqlx::Transaction<'_, $db>,
                operator_id: &str,
            ) -> Result<(), $crate::StoreError> {
                let found: Option<String> = sqlx::query_scalar("SELECT id FROM operators WHERE id = $1")
                    .bind(operator_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                found.map(|_| ()).ok_or_else(|| $crate::StoreError::not_found("operator", operator_id))
            }

            /// Grants an existing site (`NotFound` otherwise); granting twice changes nothing.
            async fn write_grant(
                tx: &mut sqlx::Transaction<'_, $db>,
                operator_id: &str,
                site: &chargeplan_core::SiteId,
            ) -> Result<(), $crate::StoreError> {
                let found: Option<String> = sqlx::query_scalar("SELECT id FROM sites WHERE id = $1")
                    .bind(site.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
                if found.is_none() {
                    return Err($crate::StoreError::not_found("site", site));
                }
                sqlx::query("INSERT INTO operator_sites (operator_id, site_id) VALUES ($1, $2) ON CONFLICT (operator_id, site_id) DO NOTHING")
                    .bind(operator_id)
                    .bind(site.as_str())
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::OperatorStore for $store {
            async fn insert_operator(&self, operator: &$crate::Operator) -> Result<(), $crate::StoreError> {
                $crate::operator_rows::check_operator_name(&operator.name)?;
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(
                    "INSERT INTO operators (id, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(&operator.id)
                .bind(&operator.name)
                .bind(operator.role.as_str())
                .bind(operator.password_hash.as_deref())
                .bind($crate::time::to_micros(operator.created_at))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    let named: Option<String> = sqlx::query_scalar("SELECT id FROM operators WHERE name = $1")
                        .bind(&operator.name)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Err($crate::StoreError::Conflict(match named {
                        Some(_) => format!("an operator named '{}' already exists", operator.name),
                        None => format!("an operator with id '{}' already exists", operator.id),
                    }));
                }
                for site in &operator.sites {
                    Self::write_grant(&mut tx, &operator.id, site).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn get_operator(&self, id: &str) -> Result<$crate::Operator, $crate::StoreError> {
                self.operator_by_id(id).await?.ok_or_else(|| $crate::StoreError::not_found("operator", id))
            }

            async fn find_operator_by_name(&self, name: &str) -> Result<Option<$crate::Operator>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM operators WHERE name = $1", $crate::operator_rows::OPERATOR_COLUMNS);
                let row = sqlx::query_as::<_, $crate::operator_rows::OperatorRow>(&sql)
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => self.operator_from_row(row).await.map(Some),
                    None => Ok(None),
                }
            }

            async fn list_operators(&self) -> Result<Vec<$crate::Operator>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM operators", $crate::operator_rows::OPERATOR_COLUMNS);
                let rows = sqlx::query_as::<_, $crate::operator_rows::OperatorRow>(&sql)
                    .fetch_all(&self.pool)
                    .await?;
                let grants: Vec<(String, String)> = sqlx::query_as("SELECT operator_id, site_id FROM operator_sites")
                    .fetch_all(&self.pool)
                    .await?;
                let mut sites: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
                for (operator_id, site_id) in grants {
                    sites.entry(operator_id).or_default().push(site_id);
                }
                let mut operators = rows
                    .into_iter()
                    .map(|row| {
                        let granted = sites.remove(&row.id).unwrap_or_default();
                        row.into_operator(granted)
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                // Sorted here, not in SQL: PostgreSQL's collation would order names differently.
                operators.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(operators)
            }

            async fn set_operator_password(&self, operator_id: &str, password_hash: &str) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query("UPDATE operators SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(operator_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("operator", operator_id));
                }
                sqlx::query("DELETE FROM dashboard_sessions WHERE operator_id = $1")
                    .bind(operator_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn grant_site(&self, operator_id: &str, site: &chargeplan_core::SiteId) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                Self::require_operator(&mut tx, operator_id).await?;
                Self::write_grant(&mut tx, operator_id, site).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn revoke_site(&self, operator_id: &str, site: &chargeplan_core::SiteId) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("DELETE FROM operator_sites WHERE operator_id = $1 AND site_id = $2")
                    .bind(operator_id)
                    .bind(site.as_str())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_operator(&self, operator_id: &str) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                for table in ["dashboard_sessions", "api_tokens", "operator_sites"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE operator_id = $1"))
                        .bind(operator_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let done = sqlx::query("DELETE FROM operators WHERE id = $1").bind(operator_id).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("operator", operator_id));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn insert_api_token(&self, token: &$crate::ApiToken) -> Result<(), $crate::StoreError> {
                $crate::operator_rows::check_token_label(&token.label)?;
                let mut tx = self.write_tx().await?;
                Self::require_operator(&mut tx, &token.operator_id).await?;
                sqlx::query(
                    "INSERT INTO api_tokens (id, operator_id, label, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&token.id)
                .bind(&token.operator_id)
                .bind(&token.label)
                .bind(&token.token_hash)
                .bind($crate::time::to_micros(token.created_at))
                .bind(token.revoked_at.map($crate::time::to_micros))
                .execute(&mut *tx)
                .await
                .map_err(|error| match $crate::StoreError::from(error) {
                    $crate::StoreError::Conflict(_) => $crate::StoreError::Conflict("an API token with this id or hash already exists".into()),
                    other => other,
                })?;
                tx.commit().await?;
                Ok(())
            }

            async fn find_api_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<($crate::ApiToken, $crate::Operator)>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM api_tokens WHERE token_hash = $1", $crate::operator_rows::API_TOKEN_COLUMNS);
                let Some(row) = sqlx::query_as::<_, $crate::operator_rows::ApiTokenRow>(&sql)
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                // An operator deleted in between takes its tokens with it.
                let Some(operator) = self.operator_by_id(&row.operator_id).await? else {
                    return Ok(None);
                };
                Ok(Some((row.into_token()?, operator)))
            }

            async fn list_api_tokens(&self, operator_id: &str) -> Result<Vec<$crate::ApiToken>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM api_tokens WHERE operator_id = $1 ORDER BY created_at, id",
                    $crate::operator_rows::API_TOKEN_COLUMNS
                );
                sqlx::query_as::<_, $crate::operator_rows::ApiTokenRow>(&sql)
                    .bind(operator_id)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::operator_rows::ApiTokenRow::into_token)
                    .collect()
            }

            async fn revoke_api_token(&self, token_id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                    .bind($crate::time::to_micros(now))
                    .bind(token_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn insert_dashboard_session(&self, session: &$crate::DashboardSession) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                Self::require_operator(&mut tx, &session.operator_id).await?;
                sqlx::query(
                    "INSERT INTO dashboard_sessions (id_hash, operator_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&session.id_hash)
                .bind(&session.operator_id)
                .bind(&session.csrf_token)
                .bind($crate::time::to_micros(session.created_at))
                .bind($crate::time::to_micros(session.expires_at))
                .execute(&mut *tx)
                .await
                .map_err(|error| match $crate::StoreError::from(error) {
                    $crate::StoreError::Conflict(_) => $crate::StoreError::Conflict("a dashboard session with this id already exists".into()),
                    other => other,
                })?;
                tx.commit().await?;
                Ok(())
            }

            async fn find_dashboard_session(
                &self,
                id_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<($crate::DashboardSession, $crate::Operator)>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM dashboard_sessions WHERE id_hash = $1 AND expires_at > $2",
                    $crate::operator_rows::DASHBOARD_SESSION_COLUMNS
                );
                let Some(row) = sqlx::query_as::<_, $crate::operator_rows::DashboardSessionRow>(&sql)
                    .bind(id_hash)
                    .bind($crate::time::to_micros(now))
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                let Some(operator) = self.operator_by_id(&row.operator_id).await? else {
                    return Ok(None);
                };
                Ok(Some((row.into_session()?, operator)))
            }

            async fn delete_dashboard_session(&self, id_hash: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM dashboard_sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn record_login_failure(&self, name: &str, at: chrono::DateTime<chrono::Utc>) -> Result<(), $crate::StoreError> {
                sqlx::query("INSERT INTO login_failures (name, at) VALUES ($1, $2)")
                    .bind(name)
                    .bind($crate::time::to_micros(at))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn count_login_failures(&self, name: &str, since: chrono::DateTime<chrono::Utc>) -> Result<u64, $crate::StoreError> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE name = $1 AND at >= $2")
                    .bind(name)
                    .bind($crate::time::to_micros(since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn clear_login_failures(&self, name: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM login_failures WHERE name = $1")
                    .bind(name)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_operator_store;
