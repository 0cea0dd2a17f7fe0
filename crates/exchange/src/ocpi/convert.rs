//! From OCPI objects to vendor-neutral ones and back, with the sanity checks the protocol's
//! quirks call for (energy volumes in Wh, power derived from voltage × current × phases).

use chargeplan_core::SessionStatus;

use super::types::{
    ChargingProfile, ChargingProfilePeriod, ChargingProfileResponse, Connector, Location, Session,
};
use crate::RejectedRecord;
use crate::cloud::{
    ProfileAnswer, ProfileRequest, RateUnit, VendorPort, VendorSample, VendorSession,
};

/// No single charging session delivers more than this; a larger `kwh` is an error.
const MAX_SESSION_KWH: f64 = 1_000.0;
/// Nor draws more than this (a 350 kW DC charger with margin).
const MAX_POWER_KW: f64 = 1_000.0;

fn reject(
    record: &'static str,
    id: &str,
    field: &'static str,
    reason: impl Into<String>,
) -> RejectedRecord {
    RejectedRecord {
        record,
        id: id.to_owned(),
        field,
        reason: reason.into(),
    }
}

fn check_kwh(id: &str, field: &'static str, kwh: f64) -> Result<f64, RejectedRecord> {
    if kwh.is_finite() && (0.0..=MAX_SESSION_KWH).contains(&kwh) {
        Ok(kwh)
    } else {
        Err(reject(
            "session",
            id,
            field,
            format!("{kwh} kWh is not a plausible session energy"),
        ))
    }
}

/// A CPO's session, checked and normalized.
pub fn session_from_ocpi(session: &Session) -> Result<VendorSession, RejectedRecord> {
    let id = session.id.as_str();
    if id.is_empty() || id.len() > 36 {
        return Err(reject("session", id, "id", "must be 1 to 36 characters"));
    }
    let energy_kwh = check_kwh(id, "kwh", session.kwh)?;
    let status = SessionStatus::parse(&session.status)
        .map_err(|error| reject("session", id, "status", error.to_string()))?;
    if let Some(end) = session.end_date_time
        && end < session.start_date_time
    {
        return Err(reject(
            "session",
            id,
            "end_date_time",
            "is before start_date_time",
        ));
    }
    let samples = samples_from_periods(session, energy_kwh)?;
    let power_kw = samples
        .last()
        .map(|sample| sample.power_kw)
        .filter(|_| !status.is_final());
    Ok(VendorSession {
        vendor_session_id: id.to_owned(),
        location_id: session.location_id.clone(),
        evse_uid: session.evse_uid.clone(),
        connector_id: session.connector_id.clone(),
        token_uid: session.cdr_token.uid.clone(),
        started_at: session.start_date_time,
        ended_at: session.end_date_time,
        energy_kwh,
        power_kw,
        status,
        last_updated: session.last_updated,
        samples,
        party: Some(chargeplan_store::SessionParty {
            country_code: session.country_code.clone(),
            party_id: session.party_id.clone(),
        }),
    })
}

/// One sample at the start of each charging period: the energy before it and the period's
/// average power. ENERGY volumes are per period; if they add up to about a thousand times
/// `kwh`, the CPO sent Wh (a known quirk) and they are scaled.
fn samples_from_periods(session: &Session, kwh: f64) -> Result<Vec<VendorSample>, RejectedRecord> {
    let id = session.id.as_str();
    let volume = |period: &super::types::ChargingPeriod, kind: &str| {
        period
            .dimensions
            .iter()
            .find(|d| d.dimension_type.eq_ignore_ascii_case(kind))
            .map(|d| d.volume)
    };
    let total: f64 = session
        .charging_periods
        .iter()
        .filter_map(|p| volume(p, "ENERGY"))
        .sum();
    let scale = if kwh > 0.0 && total > 500.0 * kwh {
        0.001
    } else {
        1.0
    };
    let mut energy: f64 = 0.0;
    let mut samples = Vec::with_capacity(session.charging_periods.len());
    for period in &session.charging_periods {
        let power_kw = volume(period, "POWER").unwrap_or(0.0);
        if !power_kw.is_finite() || !(0.0..=MAX_POWER_KW).contains(&power_kw) {
            return Err(reject(
                "session",
                id,
                "charging_periods.POWER",
                format!("{power_kw} kW is not plausible"),
            ));
        }
        let state_of_charge_pct =
            volume(period, "STATE_OF_CHARGE").filter(|soc| (0.0..=100.0).contains(soc));
        samples.push(VendorSample {
            at: period.start_date_time,
            energy_kwh: energy.min(kwh),
            power_kw,
            state_of_charge_pct,
        });
        let delivered = volume(period, "ENERGY").unwrap_or(0.0) * scale;
        if !delivered.is_finite() || delivered < 0.0 {
            return Err(reject(
                "session",
                id,
                "charging_periods.ENERGY",
                format!("{delivered} kWh is not plausible"),
            ));
        }
        energy += delivered;
    }
    Ok(samples)
}

/// A connector's maximum power in kW: `max_electric_power` when given, else V × A (× phases).
pub fn connector_max_kw(connector: &Connector) -> f64 {
    if let Some(watts) = connector
        .max_electric_power
        .filter(|w| w.is_finite() && *w > 0.0)
    {
        return watts / 1000.0;
    }
    let phases = phases_of(&connector.power_type);
    let phases = if connector.power_type.eq_ignore_ascii_case("DC") {
        1.0
    } else {
        f64::from(phases)
    };
    connector.max_voltage * connector.max_amperage * phases / 1000.0
}

fn phases_of(power_type: &str) -> u8 {
    match power_type.to_ascii_uppercase().as_str() {
        "AC_3_PHASE" => 3,
        "AC_2_PHASE" | "AC_2_PHASE_SPLIT" => 2,
        _ => 1,
    }
}

/// Every connector of a location; a connector without `CHARGING_PROFILE_CAPABLE` on its EVSE
/// is uncontrolled.
pub fn ports_from_location(location: &Location) -> Vec<Result<VendorPort, RejectedRecord>> {
    let mut ports = Vec::new();
    for evse in &location.evses {
        let controllable = evse
            .capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case("CHARGING_PROFILE_CAPABLE"));
        for connector in &evse.connectors {
            let max_kw = connector_max_kw(connector);
            let id = format!("{}/{}/{}", location.id, evse.uid, connector.id);
            ports.push(
                if max_kw.is_finite() && max_kw > 0.0 && max_kw <= MAX_POWER_KW {
                    Ok(VendorPort {
                        location_id: location.id.clone(),
                        evse_uid: evse.uid.clone(),
                        connector_id: connector.id.clone(),
                        max_kw,
                        phases: phases_of(&connector.power_type),
                        voltage_v: connector.max_voltage,
                        controllable,
                    })
                } else {
                    Err(reject(
                        "connector",
                        &id,
                        "max_electric_power",
                        format!("{max_kw} kW is not a plausible maximum"),
                    ))
                },
            );
        }
    }
    ports
}

/// Limits carry at most one decimal (OCPI and OCPP both say so; some peers check strictly).
fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The OCPI charging profile for a request.
pub fn profile_to_ocpi(profile: &ProfileRequest) -> ChargingProfile {
    ChargingProfile {
        start_date_time: Some(profile.starts_at),
        duration: profile.duration_s,
        charging_rate_unit: match profile.unit {
            RateUnit::Watts => "W",
            RateUnit::Amperes => "A",
        }
        .to_owned(),
        min_charging_rate: profile.min_rate.map(one_decimal),
        charging_profile_period: profile
            .periods
            .iter()
            .map(|&(start_period, limit)| ChargingProfilePeriod {
                start_period,
                limit: one_decimal(limit.max(0.0)),
            })
            .collect(),
    }
}

/// The CPO's synchronous answer.
pub fn answer_from_ocpi(
    response: &ChargingProfileResponse,
) -> Result<ProfileAnswer, crate::OcpiError> {
    Ok(match response.result.to_ascii_uppercase().as_str() {
        "ACCEPTED" => ProfileAnswer::Accepted {
            timeout_s: response.timeout,
        },
        "REJECTED" => ProfileAnswer::Rejected,
        "NOT_SUPPORTED" => ProfileAnswer::NotSupported,
        "TOO_OFTEN" => ProfileAnswer::TooOften,
        "UNKNOWN_SESSION" => ProfileAnswer::UnknownSession,
        other => {
            return Err(crate::OcpiError::InvalidResponse(format!(
                "unknown charging profile result '{other}'"
            )));
        }
    })
}
