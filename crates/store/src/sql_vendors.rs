//! Shared SQL for vendor cloud accounts (see `sql_store`).

macro_rules! impl_vendor_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::VendorStore for $store {
            async fn upsert_vendor_account(&self, account: &$crate::VendorAccount) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO vendor_accounts (id, protocol, versions_url, outbound_token, inbound_token, token_encoding, \
                     sessions_url, locations_url, charging_profiles_url, rate_unit, enabled, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (id) DO UPDATE SET protocol = excluded.protocol, versions_url = excluded.versions_url, \
                     outbound_token = excluded.outbound_token, inbound_token = excluded.inbound_token, \
                     token_encoding = excluded.token_encoding, sessions_url = excluded.sessions_url, \
                     locations_url = excluded.locations_url, charging_profiles_url = excluded.charging_profiles_url, \
                     rate_unit = excluded.rate_unit, enabled = excluded.enabled, updated_at = excluded.updated_at",
                )
                .bind(account.id.as_str())
                .bind(&account.protocol)
                .bind(&account.versions_url)
                .bind(&account.outbound_token)
                .bind(&account.inbound_token)
                .bind(&account.token_encoding)
                .bind(&account.sessions_url)
                .bind(&account.locations_url)
                .bind(&account.charging_profiles_url)
                .bind(&account.rate_unit)
                .bind(account.enabled)
                .bind($crate::time::to_micros(account.created_at))
                .bind($crate::time::to_micros(account.updated_at))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_vendor_account(&self, id: &chargeplan_core::VendorAccountId) -> Result<$crate::VendorAccount, $crate::StoreError> {
                let sql = format!("SELECT {} FROM vendor_accounts WHERE id = $1", $crate::sql_store::VENDOR_COLUMNS);
                sqlx::query_as::<_, $crate::rows::VendorAccountRow>(&sql)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("vendor account", id))?
                    .into_account()
            }

            async fn list_vendor_accounts(&self) -> Result<Vec<$crate::VendorAccount>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM vendor_accounts ORDER BY id", $crate::sql_store::VENDOR_COLUMNS);
                sqlx::query_as::<_, $crate::rows::VendorAccountRow>(&sql)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::VendorAccountRow::into_account)
                    .collect()
            }
        }
    };
}

pub(crate) use impl_vendor_store;
