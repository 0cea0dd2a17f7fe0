//! Applying an OCPI session PATCH to what we stored: changed fields replace ours,
//! `charging_periods` are appended, and `last_updated` is required.

use chargeplan_core::{Session, VendorRef};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::types::ChargingPeriod;
use crate::cloud::{VendorSample, VendorSession};

/// The vendor session after `patch`, or why the patch is refused.
pub fn apply(stored: &Session, vendor: &VendorRef, patch: &Value) -> Result<VendorSession, String> {
    let last_updated: DateTime<Utc> = patch
        .get("last_updated")
        .ok_or("last_updated is required in a PATCH")
        .and_then(|value| {
            serde_json::from_value(value.clone()).map_err(|_| "last_updated: not an RFC 3339 time")
        })?;
    let energy_kwh = match patch.get("kwh") {
        Some(value) => value
            .as_f64()
            .filter(|kwh| kwh.is_finite() && (0.0..=1000.0).contains(kwh))
            .ok_or("kwh: not a plausible energy")?,
        None => stored.energy.get(),
    };
    let status = match patch.get("status").and_then(Value::as_str) {
        Some(status) => {
            chargeplan_core::SessionStatus::parse(status).map_err(|error| error.to_string())?
        }
        None => stored.status,
    };
    let ended_at = match patch.get("end_date_time") {
        Some(value) => Some(
            serde_json::from_value(value.clone())
                .map_err(|_| "end_date_time: not an RFC 3339 time")?,
        ),
        None => stored.ended_at,
    };
    let periods: Vec<ChargingPeriod> = match patch.get("charging_periods") {
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|error| format!("charging_periods: {error}"))?,
        None => Vec::new(),
    };
    let mut energy = stored.energy.get();
    let mut samples = Vec::with_capacity(periods.len());
    for period in &periods {
        let volume = |kind: &str| {
            period
                .dimensions
                .iter()
                .find(|d| d.dimension_type.eq_ignore_ascii_case(kind))
                .map(|d| d.volume)
        };
        let power_kw = volume("POWER").unwrap_or(0.0);
        if !power_kw.is_finite() || !(0.0..=1000.0).contains(&power_kw) {
            return Err(format!(
                "charging_periods.POWER: {power_kw} kW is not plausible"
            ));
        }
        samples.push(VendorSample {
            at: period.start_date_time,
            energy_kwh: energy.min(energy_kwh),
            power_kw,
            state_of_charge_pct: volume("STATE_OF_CHARGE"),
        });
        energy += volume("ENERGY")
            .filter(|kwh| kwh.is_finite() && *kwh >= 0.0)
            .unwrap_or(0.0);
    }
    let power_kw = samples
        .last()
        .map(|sample| sample.power_kw)
        .or(Some(stored.power.get()));
    Ok(VendorSession {
        vendor_session_id: stored.vendor_session_id.clone(),
        location_id: vendor.location_id.clone(),
        evse_uid: vendor.evse_uid.clone(),
        connector_id: vendor.connector_id.clone(),
        token_uid: stored
            .token_uid
            .as_ref()
            .map(|uid| uid.as_str().to_owned())
            .unwrap_or_default(),
        started_at: stored.started_at,
        ended_at,
        energy_kwh,
        power_kw: power_kw.filter(|_| !status.is_final()),
        status,
        last_updated,
        samples,
        // The party was checked against the stored one before the patch was applied.
        party: None,
    })
}
