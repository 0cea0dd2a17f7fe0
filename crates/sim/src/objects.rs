//! Builds the OCPI Session and Location objects from the simulated world.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::site::{EvseSpec, LocationSpec, PowerType};
use crate::wire::{CdrToken, ChargingPeriodJson, Dimension, SessionJson, format_datetime, round4};
use crate::world::{SessionState, World};

/// The CPO's identity, stamped on every object.
#[derive(Debug, Clone)]
pub(crate) struct Cpo {
    pub country_code: String,
    pub party_id: String,
    pub currency: String,
}

/// The Session object for `s` as of `now`.
pub(crate) fn session_json(s: &SessionState, cpo: &Cpo, now: DateTime<Utc>) -> SessionJson {
    let charging_periods = (0..s.periods.len())
        .map(|k| period_json(s, k, now))
        .collect();
    SessionJson {
        country_code: cpo.country_code.clone(),
        party_id: cpo.party_id.clone(),
        id: s.id.clone(),
        start_date_time: s.start,
        end_date_time: s.end,
        kwh: round4(s.kwh),
        cdr_token: CdrToken {
            country_code: cpo.country_code.clone(),
            party_id: cpo.party_id.clone(),
            uid: s.token_uid.clone(),
            kind: "RFID",
            contract_id: format!("{}-{}-C{}", cpo.country_code, cpo.party_id, s.token_uid),
        },
        auth_method: "WHITELIST",
        location_id: s.location_id.clone(),
        evse_uid: s.evse.uid.clone(),
        connector_id: "1".into(),
        currency: cpo.currency.clone(),
        charging_periods,
        status: if s.is_active() { "ACTIVE" } else { "COMPLETED" },
        last_updated: s.last_updated,
    }
}

/// Charging period `k` of `s`: energy in the period, average power over it, state of charge at its end.
pub(crate) fn period_json(s: &SessionState, k: usize, now: DateTime<Utc>) -> ChargingPeriodJson {
    let p = &s.periods[k];
    let end = s
        .periods
        .get(k + 1)
        .map(|n| n.start)
        .or(s.end)
        .unwrap_or(now);
    let hours = (end - p.start).num_milliseconds() as f64 / 3_600_000.0;
    let power = if hours > 0.0 {
        p.energy_kwh / hours
    } else {
        p.start_power_kw
    };
    ChargingPeriodJson {
        start_date_time: p.start,
        dimensions: vec![
            Dimension {
                kind: "ENERGY",
                volume: round4(p.energy_kwh),
            },
            Dimension {
                kind: "POWER",
                volume: round4(power),
            },
            Dimension {
                kind: "STATE_OF_CHARGE",
                volume: round4(p.soc_end * 100.0),
            },
        ],
    }
}

fn power_type(p: PowerType) -> &'static str {
    match p {
        PowerType::Ac1Phase => "AC_1_PHASE",
        PowerType::Ac2Phase => "AC_2_PHASE",
        PowerType::Ac3Phase => "AC_3_PHASE",
        PowerType::Dc => "DC",
    }
}

/// `last_updated` of an EVSE.
pub(crate) fn evse_updated(world: &World, e: &EvseSpec) -> DateTime<Utc> {
    world.evse_updated.get(&e.uid).copied().unwrap_or(world.now)
}

/// `last_updated` of a location: the latest of its EVSEs (a child update bumps the parent).
pub(crate) fn location_updated(world: &World, l: &LocationSpec) -> DateTime<Utc> {
    l.evses
        .iter()
        .map(|e| evse_updated(world, e))
        .max()
        .unwrap_or(world.now)
}

/// The Connector object (always id `"1"`).
pub(crate) fn connector_json(world: &World, e: &EvseSpec) -> Value {
    let mut c = json!({
        "id": "1",
        "standard": if e.power_type == PowerType::Dc { "IEC_62196_T2_COMBO" } else { "IEC_62196_T2" },
        "format": if e.power_type == PowerType::Dc { "CABLE" } else { "SOCKET" },
        "power_type": power_type(e.power_type),
        "max_voltage": e.max_voltage,
        "max_amperage": e.max_amperage,
        "last_updated": format_datetime(evse_updated(world, e)),
    });
    if let Some(w) = e.max_electric_power {
        c["max_electric_power"] = json!(w);
    }
    c
}

/// The EVSE object, status `CHARGING` while a session is active on it.
pub(crate) fn evse_json(world: &World, e: &EvseSpec) -> Value {
    let busy = world.occupied.contains_key(&e.uid);
    let mut capabilities = vec!["REMOTE_START_STOP_CAPABLE", "RFID_READER"];
    if e.charging_profile_capable {
        capabilities.insert(0, "CHARGING_PROFILE_CAPABLE");
    }
    json!({
        "uid": e.uid,
        "status": if busy { "CHARGING" } else { "AVAILABLE" },
        "capabilities": capabilities,
        "connectors": [connector_json(world, e)],
        "last_updated": format_datetime(evse_updated(world, e)),
    })
}

/// The Location object.
pub(crate) fn location_json(world: &World, cpo: &Cpo, l: &LocationSpec) -> Value {
    json!({
        "country_code": cpo.country_code,
        "party_id": cpo.party_id,
        "id": l.id,
        "publish": true,
        "name": l.name,
        "address": l.address,
        "city": l.city,
        "country": l.country,
        "coordinates": {"latitude": l.latitude, "longitude": l.longitude},
        "time_zone": l.time_zone,
        "evses": l.evses.iter().map(|e| evse_json(world, e)).collect::<Vec<_>>(),
        "last_updated": format_datetime(location_updated(world, l)),
    })
}
