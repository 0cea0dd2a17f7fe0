//! Taking vendor sessions into the store: matched to our ports, upserted idempotently (the
//! store's merge rules keep energy from moving backwards and ended sessions ended), with
//! their meter samples kept.

use chargeplan_core::{
    KilowattHours, Kilowatts, MeterSample, Session, SessionId, TokenUid, VendorAccountId, VendorRef,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, SessionUpsert, StoreError};
use chrono::{DateTime, Utc};

use crate::cloud::{VendorPort, VendorSample, VendorSession};

/// What one ingestion pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Sessions on connectors no site has mapped: counted, not stored.
    pub unmapped: usize,
    /// Sessions whose data failed validation, with the reason.
    pub invalid: Vec<String>,
}

/// Upserts `sessions` reported by `vendor`; samples at or after `samples_since` are kept.
pub async fn ingest_sessions(
    store: &dyn Store,
    vendor: &VendorAccountId,
    sessions: &[VendorSession],
    samples_since: DateTime<Utc>,
) -> Result<IngestReport, StoreError> {
    let mut report = IngestReport::default();
    for reported in sessions {
        let Ok(vendor_ref) = VendorRef::new(
            vendor.clone(),
            &reported.location_id,
            &reported.evse_uid,
            &reported.connector_id,
        ) else {
            report.invalid.push(format!(
                "session '{}': connector ids are not valid",
                reported.vendor_session_id
            ));
            continue;
        };
        let Some(port) = store.find_port_by_vendor(&vendor_ref).await? else {
            report.unmapped += 1;
            continue;
        };
        let session = match to_session(vendor, &port.site_id, &port.id, reported) {
            Ok(session) => session,
            Err(reason) => {
                report.invalid.push(format!(
                    "session '{}': {reason}",
                    reported.vendor_session_id
                ));
                continue;
            }
        };
        let (outcome, stored) = store.upsert_session(&session, &Effects::none()).await?;
        if let Some(party) = &reported.party {
            store.record_session_party(&stored.id, party).await?;
        }
        match outcome {
            SessionUpsert::Inserted => report.inserted += 1,
            SessionUpsert::Updated => report.updated += 1,
            SessionUpsert::Unchanged => report.unchanged += 1,
        }
        for sample in samples_of(reported).filter(|sample| sample.at >= samples_since) {
            if let Ok(sample) = to_sample(&stored.id, &sample) {
                store.add_meter_sample(&sample).await?;
            }
        }
    }
    Ok(report)
}

fn to_session(
    vendor: &VendorAccountId,
    site: &chargeplan_core::SiteId,
    port: &chargeplan_core::PortId,
    reported: &VendorSession,
) -> Result<Session, chargeplan_core::ValueError> {
    Ok(Session {
        // Used only when the session is new; the store keeps the id it has.
        id: SessionId::generate(),
        site_id: site.clone(),
        vendor_account: vendor.clone(),
        vendor_session_id: reported.vendor_session_id.clone(),
        port_id: Some(port.clone()),
        token_uid: TokenUid::parse(&reported.token_uid).ok(),
        started_at: reported.started_at,
        ended_at: reported.ended_at,
        energy: KilowattHours::new(reported.energy_kwh)?,
        power: Kilowatts::new(reported.power_kw.unwrap_or(0.0))?,
        status: reported.status,
        vendor_updated_at: reported.last_updated,
    })
}

/// The charging periods' samples, then the session's own latest reading.
fn samples_of(reported: &VendorSession) -> impl Iterator<Item = VendorSample> + '_ {
    let latest = VendorSample {
        at: reported.last_updated,
        energy_kwh: reported.energy_kwh,
        power_kw: reported.power_kw.unwrap_or(0.0),
        state_of_charge_pct: reported
            .samples
            .iter()
            .rev()
            .find_map(|s| s.state_of_charge_pct),
    };
    reported
        .samples
        .iter()
        .cloned()
        .chain(std::iter::once(latest))
}

fn to_sample(
    session: &SessionId,
    sample: &VendorSample,
) -> Result<MeterSample, chargeplan_core::ValueError> {
    MeterSample::new(
        session.clone(),
        sample.at,
        KilowattHours::new(sample.energy_kwh)?,
        Kilowatts::new(sample.power_kw)?,
        sample.state_of_charge_pct,
    )
}

/// What a port synchronisation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSyncReport {
    /// Mapped ports whose maximum power or controllability changed.
    pub updated: usize,
    /// Connectors the vendor lists that no site has mapped yet (location/evse/connector).
    pub unmapped: Vec<String>,
}

/// Brings mapped ports in line with what the vendor says of its connectors: the maximum power
/// follows the vendor, and a connector that lost `CHARGING_PROFILE_CAPABLE` becomes
/// uncontrolled. A port is never made controllable again here: one the dispatcher gave up on
/// stays uncontrolled until an operator says otherwise.
pub async fn sync_ports(
    store: &dyn Store,
    vendor: &VendorAccountId,
    ports: &[VendorPort],
) -> Result<PortSyncReport, StoreError> {
    let mut report = PortSyncReport::default();
    for reported in ports {
        let Ok(vendor_ref) = VendorRef::new(
            vendor.clone(),
            &reported.location_id,
            &reported.evse_uid,
            &reported.connector_id,
        ) else {
            continue;
        };
        let Some(mut port) = store.find_port_by_vendor(&vendor_ref).await? else {
            report.unmapped.push(format!(
                "{}/{}/{}",
                reported.location_id, reported.evse_uid, reported.connector_id
            ));
            continue;
        };
        let Ok(max_power) = Kilowatts::new(reported.max_kw) else {
            continue;
        };
        let controllable = port.controllable && reported.controllable;
        if port.max_power != max_power || port.controllable != controllable {
            port.max_power = max_power;
            port.controllable = controllable;
            store.upsert_port(&port).await?;
            report.updated += 1;
        }
    }
    Ok(report)
}
