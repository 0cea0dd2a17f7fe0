//! Rows as the database returns them, and their conversion back into domain values.
//!
//! Values were validated when written; a row that fails validation again is reported as
//! corrupt rather than silently repaired.

use chargeplan_core::{
    CapOverride, ChargingRequest, Circuit, CircuitId, ClockFormat, Country, KilowattHours,
    Kilowatts, LimitPeriod, MeterSample, Phases, PhoneNumber, Plan, PlanId, Port, PortId,
    RequestedEnergy, ScheduledCap, Session, SessionId, SessionPlan, SessionStatus, Setpoint,
    SetpointId, SetpointState, Site, SiteId, SlotMinutes, TokenUid, VendorAccountId, VendorRef,
};

use crate::time::{from_micros, opt_from_micros};
use crate::{Event, EventKind, OutboxMessage, OutboxState, StoreError};

/// Maps a validation failure of a stored `what` to [`StoreError::Corrupt`].
fn corrupt<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> StoreError {
    move |error| StoreError::corrupt(what, error)
}

fn json<T: serde::de::DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(corrupt(what))
}

fn count(what: &'static str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(corrupt(what))
}

#[derive(sqlx::FromRow)]
pub(crate) struct SiteRow {
    id: String,
    name: String,
    time_zone: String,
    slot_minutes: i64,
    clock_format: String,
    country: String,
}

impl SiteRow {
    pub(crate) fn into_site(self) -> Result<Site, StoreError> {
        let id = SiteId::parse(&self.id).map_err(corrupt("site"))?;
        let slot_minutes = count("site", self.slot_minutes)?;
        let clock = ClockFormat::parse(&self.clock_format).map_err(corrupt("site"))?;
        let country = Country::parse(&self.country).map_err(corrupt("site"))?;
        Ok(Site::new(id, &self.name, &self.time_zone, slot_minutes)
            .map_err(corrupt("site"))?
            .with_locale(clock, country))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CircuitRow {
    id: String,
    site_id: String,
    name: String,
    parent_id: Option<String>,
    cap_kw: f64,
}

impl CircuitRow {
    pub(crate) fn into_circuit(self) -> Result<Circuit, StoreError> {
        Ok(Circuit {
            id: CircuitId::parse(&self.id).map_err(corrupt("circuit"))?,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("circuit"))?,
            name: self.name,
            parent: self
                .parent_id
                .as_deref()
                .map(CircuitId::parse)
                .transpose()
                .map_err(corrupt("circuit"))?,
            cap: Kilowatts::new(self.cap_kw).map_err(corrupt("circuit"))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ScheduledCapRow {
    circuit_id: String,
    window_json: String,
    cap_kw: f64,
}

impl ScheduledCapRow {
    pub(crate) fn into_scheduled_cap(self) -> Result<ScheduledCap, StoreError> {
        Ok(ScheduledCap {
            circuit_id: CircuitId::parse(&self.circuit_id).map_err(corrupt("scheduled cap"))?,
            window: json("scheduled cap", &self.window_json)?,
            cap: Kilowatts::new(self.cap_kw).map_err(corrupt("scheduled cap"))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CapOverrideRow {
    circuit_id: String,
    cap_kw: f64,
    starts_at: i64,
    expires_at: i64,
    reason: String,
}

impl CapOverrideRow {
    pub(crate) fn into_cap_override(self) -> Result<CapOverride, StoreError> {
        Ok(CapOverride {
            circuit_id: CircuitId::parse(&self.circuit_id).map_err(corrupt("cap override"))?,
            cap: Kilowatts::new(self.cap_kw).map_err(corrupt("cap override"))?,
            starts_at: from_micros(self.starts_at)?,
            expires_at: from_micros(self.expires_at)?,
            reason: self.reason,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PortRow {
    id: String,
    site_id: String,
    circuit_id: String,
    vendor_account: String,
    location_id: String,
    evse_uid: String,
    connector_id: String,
    max_kw: f64,
    phases: i64,
    voltage_v: f64,
    controllable: bool,
    cable_movable: bool,
}

impl PortRow {
    pub(crate) fn into_port(self) -> Result<Port, StoreError> {
        let phases = u8::try_from(self.phases).map_err(corrupt("port"))?;
        Ok(Port {
            id: PortId::parse(&self.id).map_err(corrupt("port"))?,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("port"))?,
            circuit_id: CircuitId::parse(&self.circuit_id).map_err(corrupt("port"))?,
            vendor: VendorRef {
                vendor_account: VendorAccountId::parse(&self.vendor_account)
                    .map_err(corrupt("port"))?,
                location_id: self.location_id,
                evse_uid: self.evse_uid,
                connector_id: self.connector_id,
            },
            max_power: Kilowatts::new(self.max_kw).map_err(corrupt("port"))?,
            phases: Phases::try_from(phases).map_err(corrupt("port"))?,
            voltage_v: self.voltage_v,
            controllable: self.controllable,
            cable_movable: self.cable_movable,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ParticipantRow {
    pub(crate) id: String,
    /// `NULL` only between the migration that added it and `migrate()` filling it.
    member_id: Option<String>,
    site_id: String,
    phone: String,
    wh_per_mile: f64,
    plate: Option<String>,
    plate_region: Option<String>,
    created_at: i64,
}

impl ParticipantRow {
    pub(crate) fn into_participant(
        self,
        tokens: Vec<String>,
    ) -> Result<chargeplan_core::Participant, StoreError> {
        let token_uids = tokens
            .iter()
            .map(|uid| TokenUid::parse(uid))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt("participant"))?;
        let member_id = self
            .member_id
            .as_deref()
            .ok_or_else(|| {
                StoreError::corrupt("participant", "no member ID; run `chargeplan migrate`")
            })
            .and_then(|id| chargeplan_core::MemberId::parse(id).map_err(corrupt("participant")))?;
        let plate = self
            .plate
            .as_deref()
            .map(|number| chargeplan_core::Plate::parse(number, self.plate_region.as_deref()))
            .transpose()
            .map_err(corrupt("participant"))?;
        Ok(chargeplan_core::Participant {
            id: chargeplan_core::ParticipantId::parse(&self.id).map_err(corrupt("participant"))?,
            member_id,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("participant"))?,
            phone: PhoneNumber::parse(&self.phone).map_err(corrupt("participant"))?,
            token_uids,
            wh_per_mile: chargeplan_core::WhPerMile::new(self.wh_per_mile)
                .map_err(corrupt("participant"))?,
            plate,
            created_at: from_micros(self.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    site_id: String,
    vendor_account: String,
    vendor_session_id: String,
    port_id: Option<String>,
    token_uid: Option<String>,
    started_at: i64,
    ended_at: Option<i64>,
    energy_kwh: f64,
    power_kw: f64,
    status: String,
    vendor_updated_at: i64,
}

impl SessionRow {
    pub(crate) fn into_session(self) -> Result<Session, StoreError> {
        Ok(Session {
            id: SessionId::parse(&self.id).map_err(corrupt("session"))?,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("session"))?,
            vendor_account: VendorAccountId::parse(&self.vendor_account)
                .map_err(corrupt("session"))?,
            vendor_session_id: self.vendor_session_id,
            port_id: self
                .port_id
                .as_deref()
                .map(PortId::parse)
                .transpose()
                .map_err(corrupt("session"))?,
            token_uid: self
                .token_uid
                .as_deref()
                .map(TokenUid::parse)
                .transpose()
                .map_err(corrupt("session"))?,
            started_at: from_micros(self.started_at)?,
            ended_at: opt_from_micros(self.ended_at)?,
            energy: KilowattHours::new(self.energy_kwh).map_err(corrupt("session"))?,
            power: Kilowatts::new(self.power_kw).map_err(corrupt("session"))?,
            status: SessionStatus::parse(&self.status).map_err(corrupt("session"))?,
            vendor_updated_at: from_micros(self.vendor_updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MeterSampleRow {
    session_id: String,
    at: i64,
    energy_kwh: f64,
    power_kw: f64,
    soc_pct: Option<f64>,
}

impl MeterSampleRow {
    pub(crate) fn into_sample(self) -> Result<MeterSample, StoreError> {
        Ok(MeterSample {
            session_id: SessionId::parse(&self.session_id).map_err(corrupt("meter sample"))?,
            at: from_micros(self.at)?,
            energy: KilowattHours::new(self.energy_kwh).map_err(corrupt("meter sample"))?,
            power: Kilowatts::new(self.power_kw).map_err(corrupt("meter sample"))?,
            state_of_charge_pct: self.soc_pct,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    session_id: String,
    revision: i64,
    departure: i64,
    energy_kwh: Option<f64>,
    stated_miles: Option<f64>,
    submitted_at: i64,
}

impl RequestRow {
    pub(crate) fn into_request(self) -> Result<ChargingRequest, StoreError> {
        let energy = match self.energy_kwh {
            Some(kwh) => RequestedEnergy::Kwh(KilowattHours::new(kwh).map_err(corrupt("request"))?),
            None => RequestedEnergy::AsMuchAsPossible,
        };
        Ok(ChargingRequest {
            session_id: SessionId::parse(&self.session_id).map_err(corrupt("request"))?,
            revision: count("request", self.revision)?,
            departure: from_micros(self.departure)?,
            energy,
            stated_miles: self.stated_miles,
            submitted_at: from_micros(self.submitted_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanRow {
    id: String,
    site_id: String,
    created_at: i64,
    start_at: i64,
    slot_minutes: i64,
    horizon_slots: i64,
    sessions_json: String,
}

impl PlanRow {
    pub(crate) fn into_plan(self) -> Result<Plan, StoreError> {
        let sessions: Vec<SessionPlan> = json("plan", &self.sessions_json)?;
        Ok(Plan {
            id: PlanId::parse(&self.id).map_err(corrupt("plan"))?,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("plan"))?,
            created_at: from_micros(self.created_at)?,
            start: from_micros(self.start_at)?,
            slot_minutes: SlotMinutes::new(count("plan", self.slot_minutes)?)
                .map_err(corrupt("plan"))?,
            horizon_slots: count("plan", self.horizon_slots)?,
            sessions,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SetpointRow {
    id: String,
    site_id: String,
    plan_id: Option<String>,
    port_id: String,
    session_id: String,
    starts_at: i64,
    periods_json: String,
    state: String,
    reason: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl SetpointRow {
    pub(crate) fn into_setpoint(self) -> Result<Setpoint, StoreError> {
        let periods: Vec<LimitPeriod> = json("setpoint", &self.periods_json)?;
        Ok(Setpoint {
            id: SetpointId::parse(&self.id).map_err(corrupt("setpoint"))?,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("setpoint"))?,
            plan_id: self
                .plan_id
                .as_deref()
                .map(PlanId::parse)
                .transpose()
                .map_err(corrupt("setpoint"))?,
            port_id: PortId::parse(&self.port_id).map_err(corrupt("setpoint"))?,
            session_id: SessionId::parse(&self.session_id).map_err(corrupt("setpoint"))?,
            starts_at: from_micros(self.starts_at)?,
            periods,
            state: SetpointState::parse(&self.state).map_err(corrupt("setpoint"))?,
            reason: self.reason,
            created_at: from_micros(self.created_at)?,
            updated_at: from_micros(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    site_id: Option<String>,
    recipient: String,
    body: String,
    idempotency_key: String,
    state: String,
    attempts: i64,
    not_before: i64,
    claimed_until: Option<i64>,
    provider_id: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl OutboxRow {
    pub(crate) fn into_message(self) -> Result<OutboxMessage, StoreError> {
        Ok(OutboxMessage {
            id: self.id,
            site_id: self
                .site_id
                .as_deref()
                .map(SiteId::parse)
                .transpose()
                .map_err(corrupt("message"))?,
            recipient: PhoneNumber::parse(&self.recipient).map_err(corrupt("message"))?,
            body: self.body,
            idempotency_key: self.idempotency_key,
            state: OutboxState::parse(&self.state).ok_or_else(|| {
                StoreError::corrupt("message", format!("unknown state '{}'", self.state))
            })?,
            attempts: count("message", self.attempts)?,
            not_before: from_micros(self.not_before)?,
            claimed_until: opt_from_micros(self.claimed_until)?,
            provider_id: self.provider_id,
            last_error: self.last_error,
            created_at: from_micros(self.created_at)?,
            finished_at: opt_from_micros(self.finished_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: i64,
    site_id: String,
    at: i64,
    kind: String,
    payload_json: String,
}

impl EventRow {
    pub(crate) fn into_event(self) -> Result<Event, StoreError> {
        Ok(Event {
            id: self.id,
            site_id: SiteId::parse(&self.site_id).map_err(corrupt("event"))?,
            at: from_micros(self.at)?,
            kind: EventKind::parse(&self.kind).ok_or_else(|| {
                StoreError::corrupt("event", format!("unknown kind '{}'", self.kind))
            })?,
            payload: json("event", &self.payload_json)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct VendorAccountRow {
    id: String,
    protocol: String,
    versions_url: String,
    outbound_token: String,
    inbound_token: String,
    token_encoding: String,
    sessions_url: String,
    locations_url: String,
    charging_profiles_url: String,
    rate_unit: String,
    enabled: bool,
    created_at: i64,
    updated_at: i64,
}

impl VendorAccountRow {
    pub(crate) fn into_account(self) -> Result<crate::VendorAccount, StoreError> {
        Ok(crate::VendorAccount {
            id: VendorAccountId::parse(&self.id).map_err(corrupt("vendor account"))?,
            protocol: self.protocol,
            versions_url: self.versions_url,
            outbound_token: self.outbound_token,
            inbound_token: self.inbound_token,
            token_encoding: self.token_encoding,
            sessions_url: self.sessions_url,
            locations_url: self.locations_url,
            charging_profiles_url: self.charging_profiles_url,
            rate_unit: self.rate_unit,
            enabled: self.enabled,
            created_at: from_micros(self.created_at)?,
            updated_at: from_micros(self.updated_at)?,
        })
    }
}
