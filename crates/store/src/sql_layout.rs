//! Shared SQL for sites, the circuit tree, caps, tariffs and ports (see `sql_store`).

/// Appends a `CapChanged` event for `site` inside `tx`.
macro_rules! cap_changed {
    ($tx:expr, $site:expr, $now:expr, $payload:expr) => {
        Self::write_events(
            $tx,
            &[$crate::NewEvent {
                site_id: $site,
                at: $now,
                kind: $crate::EventKind::CapChanged,
                payload: $payload,
            }],
        )
    };
}

macro_rules! impl_layout_store {
    ($store:ty, db = $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::LayoutStore for $store {
            async fn upsert_site(&self, site: &chargeplan_core::Site, now: chrono::DateTime<chrono::Utc>) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO sites (id, name, time_zone, slot_minutes, created_at, updated_at, clock_format, country) \
                     VALUES ($1, $2, $3, $4, $5, $5, $6, $7) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, \
                     slot_minutes = excluded.slot_minutes, updated_at = excluded.updated_at, \
                     clock_format = excluded.clock_format, country = excluded.country",
                )
                .bind(site.id.as_str())
                .bind(&site.name)
                .bind(site.time_zone.name())
                .bind(i64::from(site.slot_minutes.get()))
                .bind($crate::time::to_micros(now))
                .bind(site.clock.as_str())
                .bind(site.country.to_string())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_site(&self, id: &chargeplan_core::SiteId) -> Result<chargeplan_core::Site, $crate::StoreError> {
                let sql = format!("SELECT {} FROM sites WHERE id = $1", $crate::sql_store::SITE_COLUMNS);
                sqlx::query_as::<_, $crate::rows::SiteRow>(&sql)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("site", id))?
                    .into_site()
            }

            async fn list_sites(&self) -> Result<Vec<chargeplan_core::Site>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM sites ORDER BY id", $crate::sql_store::SITE_COLUMNS);
                sqlx::query_as::<_, $crate::rows::SiteRow>(&sql)
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::SiteRow::into_site)
                    .collect()
            }

            async fn replace_circuits(
                &self,
                site: &chargeplan_core::SiteId,
                circuits: &[chargeplan_core::Circuit],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let ordered = $crate::layout::root_first(site, circuits)?;
                let mut tx = self.write_tx().await?;
                for circuit in &ordered {
                    let owner: Option<String> = sqlx::query_scalar("SELECT site_id FROM circuits WHERE id = $1")
                        .bind(circuit.id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if owner.as_deref().is_some_and(|owner| owner != site.as_str()) {
                        return Err($crate::StoreError::Conflict(format!("circuit id '{}' is used by another site", circuit.id)));
                    }
                    sqlx::query(
                        "INSERT INTO circuits (id, site_id, name, parent_id, cap_kw) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, cap_kw = excluded.cap_kw",
                    )
                    .bind(circuit.id.as_str())
                    .bind(site.as_str())
                    .bind(&circuit.name)
                    .bind(circuit.parent.as_ref().map(|id| id.as_str().to_owned()))
                    .bind(circuit.cap.get())
                    .execute(&mut *tx)
                    .await?;
                }
                let existing: Vec<String> = sqlx::query_scalar("SELECT id FROM circuits WHERE site_id = $1")
                    .bind(site.as_str())
                    .fetch_all(&mut *tx)
                    .await?;
                let kept: Vec<&str> = ordered.iter().map(|circuit| circuit.id.as_str()).collect();
                let removed: Vec<String> = existing.into_iter().filter(|id| !kept.contains(&id.as_str())).collect();
                // Detach the removed circuits from each other first, so their order does not matter.
                for id in &removed {
                    sqlx::query("UPDATE circuits SET parent_id = NULL WHERE id = $1").bind(id).execute(&mut *tx).await?;
                }
                for id in removed {
                    let ports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ports WHERE circuit_id = $1")
                        .bind(&id)
                        .fetch_one(&mut *tx)
                        .await?;
                    if ports > 0 {
                        return Err($crate::StoreError::Conflict(format!("circuit '{id}' still feeds {ports} port(s)")));
                    }
                    sqlx::query("DELETE FROM circuits WHERE id = $1").bind(&id).execute(&mut *tx).await?;
                }
                let payload = serde_json::json!({ "circuits": kept });
                $crate::sql_layout::cap_changed!(&mut tx, site.clone(), now, payload).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_circuits(&self, site: &chargeplan_core::SiteId) -> Result<Vec<chargeplan_core::Circuit>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM circuits WHERE site_id = $1 ORDER BY id", $crate::sql_store::CIRCUIT_COLUMNS);
                sqlx::query_as::<_, $crate::rows::CircuitRow>(&sql)
                    .bind(site.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::CircuitRow::into_circuit)
                    .collect()
            }

            async fn set_static_cap(
                &self,
                circuit: &chargeplan_core::CircuitId,
                cap_kw: f64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let cap = $crate::layout::positive_cap(cap_kw)?;
                let mut tx = self.write_tx().await?;
                let site: Option<String> = sqlx::query_scalar("UPDATE circuits SET cap_kw = $1 WHERE id = $2 RETURNING site_id")
                    .bind(cap.get())
                    .bind(circuit.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let site = site.ok_or_else(|| $crate::StoreError::not_found("circuit", circuit))?;
                let site = $crate::layout::stored_site_id(&site)?;
                let payload = serde_json::json!({ "circuit_id": circuit.as_str(), "cap_kw": cap.get() });
                $crate::sql_layout::cap_changed!(&mut tx, site, now, payload).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn replace_scheduled_caps(
                &self,
                circuit: &chargeplan_core::CircuitId,
                caps: &[chargeplan_core::ScheduledCap],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                $crate::layout::all_for_circuit(circuit, caps.iter().map(|cap| &cap.circuit_id))?;
                let mut tx = self.write_tx().await?;
                let site: Option<String> = sqlx::query_scalar("SELECT site_id FROM circuits WHERE id = $1")
                    .bind(circuit.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let site = site.ok_or_else(|| $crate::StoreError::not_found("circuit", circuit))?;
                sqlx::query("DELETE FROM scheduled_caps WHERE circuit_id = $1").bind(circuit.as_str()).execute(&mut *tx).await?;
                for cap in caps {
                    let window = serde_json::to_string(&cap.window).map_err(|error| $crate::StoreError::corrupt("scheduled cap", error))?;
                    sqlx::query("INSERT INTO scheduled_caps (site_id, circuit_id, window_json, cap_kw) VALUES ($1, $2, $3, $4)")
                        .bind(&site)
                        .bind(circuit.as_str())
                        .bind(window)
                        .bind(cap.cap.get())
                        .execute(&mut *tx)
                        .await?;
                }
                let payload = serde_json::json!({ "circuit_id": circuit.as_str(), "scheduled_caps": caps.len() });
                $crate::sql_layout::cap_changed!(&mut tx, $crate::layout::stored_site_id(&site)?, now, payload).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_scheduled_caps(&self, site: &chargeplan_core::SiteId) -> Result<Vec<chargeplan_core::ScheduledCap>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::rows::ScheduledCapRow>(
                    "SELECT circuit_id, window_json, cap_kw FROM scheduled_caps WHERE site_id = $1 ORDER BY id",
                )
                .bind(site.as_str())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::rows::ScheduledCapRow::into_scheduled_cap)
                .collect()
            }

            async fn add_cap_override(
                &self,
                cap: &chargeplan_core::CapOverride,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let site: Option<String> = sqlx::query_scalar("SELECT site_id FROM circuits WHERE id = $1")
                    .bind(cap.circuit_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let site = site.ok_or_else(|| $crate::StoreError::not_found("circuit", &cap.circuit_id))?;
                sqlx::query(
                    "INSERT INTO cap_overrides (site_id, circuit_id, cap_kw, starts_at, expires_at, reason) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&site)
                .bind(cap.circuit_id.as_str())
                .bind(cap.cap.get())
                .bind($crate::time::to_micros(cap.starts_at))
                .bind($crate::time::to_micros(cap.expires_at))
                .bind(&cap.reason)
                .execute(&mut *tx)
                .await?;
                let payload = serde_json::json!({
                    "circuit_id": cap.circuit_id.as_str(),
                    "override_kw": cap.cap.get(),
                    "expires_at": cap.expires_at,
                });
                $crate::sql_layout::cap_changed!(&mut tx, $crate::layout::stored_site_id(&site)?, now, payload).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_cap_overrides(
                &self,
                site: &chargeplan_core::SiteId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chargeplan_core::CapOverride>, $crate::StoreError> {
                sqlx::query_as::<_, $crate::rows::CapOverrideRow>(
                    "SELECT circuit_id, cap_kw, starts_at, expires_at, reason FROM cap_overrides \
                     WHERE site_id = $1 AND expires_at > $2 ORDER BY starts_at, id",
                )
                .bind(site.as_str())
                .bind($crate::time::to_micros(at))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::rows::CapOverrideRow::into_cap_override)
                .collect()
            }

            async fn end_cap_overrides(
                &self,
                circuit: &chargeplan_core::CircuitId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let now_micros = $crate::time::to_micros(now);
                let mut tx = self.write_tx().await?;
                let site: Option<String> = sqlx::query_scalar("SELECT site_id FROM circuits WHERE id = $1")
                    .bind(circuit.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let site = site.ok_or_else(|| $crate::StoreError::not_found("circuit", circuit))?;
                // Overrides not yet started are deleted (so no empty override is left behind);
                // the ones in force expire now; expired ones stay as they are.
                let deleted = sqlx::query(
                    "DELETE FROM cap_overrides WHERE site_id = $1 AND circuit_id = $2 AND expires_at > $3 AND starts_at >= $3",
                )
                .bind(&site)
                .bind(circuit.as_str())
                .bind(now_micros)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let ended = sqlx::query(
                    "UPDATE cap_overrides SET expires_at = $3 WHERE site_id = $1 AND circuit_id = $2 AND expires_at > $3",
                )
                .bind(&site)
                .bind(circuit.as_str())
                .bind(now_micros)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let changed = deleted + ended;
                if changed > 0 {
                    let payload = serde_json::json!({
                        "circuit_id": circuit.as_str(),
                        "overrides_ended": ended,
                        "overrides_deleted": deleted,
                    });
                    $crate::sql_layout::cap_changed!(&mut tx, $crate::layout::stored_site_id(&site)?, now, payload).await?;
                }
                tx.commit().await?;
                Ok(changed)
            }

            async fn set_tariff(&self, tariff: &chargeplan_core::Tariff, now: chrono::DateTime<chrono::Utc>) -> Result<(), $crate::StoreError> {
                let body = serde_json::to_string(tariff).map_err(|error| $crate::StoreError::corrupt("tariff", error))?;
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO tariffs (site_id, body_json, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (site_id) DO UPDATE SET body_json = excluded.body_json, updated_at = excluded.updated_at",
                )
                .bind(tariff.site_id.as_str())
                .bind(body)
                .bind($crate::time::to_micros(now))
                .execute(&mut *tx)
                .await?;
                let event = $crate::NewEvent {
                    site_id: tariff.site_id.clone(),
                    at: now,
                    kind: $crate::EventKind::TariffChanged,
                    payload: serde_json::json!({}),
                };
                Self::write_events(&mut tx, &[event]).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_tariff(&self, site: &chargeplan_core::SiteId) -> Result<Option<chargeplan_core::Tariff>, $crate::StoreError> {
                let body: Option<String> = sqlx::query_scalar("SELECT body_json FROM tariffs WHERE site_id = $1")
                    .bind(site.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                body.map(|body| serde_json::from_str(&body).map_err(|error| $crate::StoreError::corrupt("tariff", error)))
                    .transpose()
            }

            async fn billed_peak(&self, site: &chargeplan_core::SiteId) -> Result<Option<chargeplan_core::BilledPeak>, $crate::StoreError> {
                let row: Option<(i64, f64, i64)> = sqlx::query_as(
                    "SELECT period_start, kw, interval_start FROM billed_peaks WHERE site_id = $1",
                )
                .bind(site.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(period_start, kw, interval_start)| {
                    Ok(chargeplan_core::BilledPeak {
                        site_id: site.clone(),
                        period_start: $crate::time::from_micros(period_start)?,
                        kw,
                        interval_start: $crate::time::from_micros(interval_start)?,
                    })
                })
                .transpose()
            }

            async fn record_billed_peak(&self, peak: &chargeplan_core::BilledPeak, now: chrono::DateTime<chrono::Utc>) -> Result<bool, $crate::StoreError> {
                if !peak.kw.is_finite() || peak.kw < 0.0 {
                    return Err($crate::StoreError::Invalid(chargeplan_core::ValueError::invalid(
                        "billed_peak.kw",
                        format!("must be a finite number of kW, not negative, got {}", peak.kw),
                    )));
                }
                let done = sqlx::query(
                    "INSERT INTO billed_peaks (site_id, period_start, kw, interval_start, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (site_id) DO UPDATE SET period_start = excluded.period_start, kw = excluded.kw, \
                     interval_start = excluded.interval_start, updated_at = excluded.updated_at \
                     WHERE excluded.period_start > billed_peaks.period_start \
                     OR (excluded.period_start = billed_peaks.period_start AND excluded.kw > billed_peaks.kw)",
                )
                .bind(peak.site_id.as_str())
                .bind($crate::time::to_micros(peak.period_start))
                .bind(peak.kw)
                .bind($crate::time::to_micros(peak.interval_start))
                .bind($crate::time::to_micros(now))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn upsert_port(&self, port: &chargeplan_core::Port) -> Result<(), $crate::StoreError> {
                let done = sqlx::query(
                    "INSERT INTO ports (id, site_id, circuit_id, vendor_account, location_id, evse_uid, connector_id, max_kw, phases, \
                     voltage_v, controllable, cable_movable) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (id) DO UPDATE SET circuit_id = excluded.circuit_id, vendor_account = excluded.vendor_account, \
                     location_id = excluded.location_id, evse_uid = excluded.evse_uid, connector_id = excluded.connector_id, \
                     max_kw = excluded.max_kw, phases = excluded.phases, voltage_v = excluded.voltage_v, \
                     controllable = excluded.controllable WHERE ports.site_id = excluded.site_id",
                )
                .bind(port.id.as_str())
                .bind(port.site_id.as_str())
                .bind(port.circuit_id.as_str())
                .bind(port.vendor.vendor_account.as_str())
                .bind(&port.vendor.location_id)
                .bind(&port.vendor.evse_uid)
                .bind(&port.vendor.connector_id)
                .bind(port.max_power.get())
                .bind(i64::from(u8::from(port.phases)))
                .bind(port.voltage_v)
                .bind(port.controllable)
                .bind(port.cable_movable)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::Conflict(format!("port id '{}' is used by another site", port.id)));
                }
                Ok(())
            }

            async fn list_ports(&self, site: &chargeplan_core::SiteId) -> Result<Vec<chargeplan_core::Port>, $crate::StoreError> {
                let sql = format!("SELECT {} FROM ports WHERE site_id = $1 ORDER BY id", $crate::sql_store::PORT_COLUMNS);
                sqlx::query_as::<_, $crate::rows::PortRow>(&sql)
                    .bind(site.as_str())
                    .fetch_all(&self.pool)
                    .await?
                    .into_iter()
                    .map($crate::rows::PortRow::into_port)
                    .collect()
            }

            async fn find_port_by_vendor(&self, vendor: &chargeplan_core::VendorRef) -> Result<Option<chargeplan_core::Port>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM ports WHERE vendor_account = $1 AND location_id = $2 AND evse_uid = $3 AND connector_id = $4",
                    $crate::sql_store::PORT_COLUMNS
                );
                sqlx::query_as::<_, $crate::rows::PortRow>(&sql)
                    .bind(vendor.vendor_account.as_str())
                    .bind(&vendor.location_id)
                    .bind(&vendor.evse_uid)
                    .bind(&vendor.connector_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .map($crate::rows::PortRow::into_port)
                    .transpose()
            }

            async fn set_port_cable_movable(&self, port: &chargeplan_core::PortId, cable_movable: bool) -> Result<(), $crate::StoreError> {
                let done = sqlx::query("UPDATE ports SET cable_movable = $1 WHERE id = $2")
                    .bind(cable_movable)
                    .bind(port.as_str())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("port", port));
                }
                Ok(())
            }

            async fn set_port_controllable(&self, port: &chargeplan_core::PortId, controllable: bool) -> Result<(), $crate::StoreError> {
                let done = sqlx::query("UPDATE ports SET controllable = $1 WHERE id = $2")
                    .bind(controllable)
                    .bind(port.as_str())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("port", port));
                }
                Ok(())
            }
        }
    };
}

pub(crate) use {cap_changed, impl_layout_store};
