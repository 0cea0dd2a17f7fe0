//! Small valid domain values for the unit tests (site `lot-a` in Los Angeles).

use chargeplan_core::{
    ChargingRequest, CircuitId, KilowattHours, Kilowatts, LocalWindow, MeterSample, Phases, Port,
    PortId, PriceWindow, RequestedEnergy, Session, SessionId, SessionStatus, Site, SiteId, Tariff,
    VendorAccountId, VendorRef, WeekdaySet,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::input::{ReportInput, SessionInput};
use crate::period::Period;

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 instant")
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub fn site_id() -> SiteId {
    SiteId::parse("lot-a").expect("site id")
}

pub fn site() -> Site {
    Site::new(site_id(), "Lot A", "America/Los_Angeles", 5).expect("site")
}

pub fn port(id: &str, max_kw: f64) -> Port {
    Port::new(
        PortId::parse(id).expect("port id"),
        site_id(),
        CircuitId::parse("main").expect("circuit id"),
        VendorRef::new(
            VendorAccountId::parse("cpo").expect("vendor"),
            "LOC",
            id,
            "1",
        )
        .expect("vendor ref"),
        Kilowatts::new(max_kw).expect("power"),
        Phases::One,
        240.0,
        true,
    )
    .expect("port")
}

/// A completed session (or active when `end` is `None`, last reported at `start`).
pub fn session(id: &str, port: Option<&str>, start: &str, end: Option<&str>, kwh: f64) -> Session {
    Session {
        id: SessionId::parse(id).expect("session id"),
        site_id: site_id(),
        vendor_account: VendorAccountId::parse("cpo").expect("vendor"),
        vendor_session_id: format!("v-{id}"),
        port_id: port.map(|p| PortId::parse(p).expect("port id")),
        token_uid: None,
        started_at: t(start),
        ended_at: end.map(t),
        energy: KilowattHours::new(kwh).expect("energy"),
        power: Kilowatts::ZERO,
        status: if end.is_some() {
            SessionStatus::Completed
        } else {
            SessionStatus::Active
        },
        vendor_updated_at: t(end.unwrap_or(start)),
    }
}

pub fn samples(session: &Session, readings: &[(&str, f64)]) -> Vec<MeterSample> {
    readings
        .iter()
        .map(|&(at, kwh)| MeterSample {
            session_id: session.id.clone(),
            at: t(at),
            energy: KilowattHours::new(kwh).expect("energy"),
            power: Kilowatts::ZERO,
            state_of_charge_pct: None,
        })
        .collect()
}

pub fn request(session: &Session, energy: RequestedEnergy, departure: &str) -> ChargingRequest {
    ChargingRequest {
        session_id: session.id.clone(),
        revision: 1,
        departure: t(departure),
        energy,
        stated_miles: None,
        submitted_at: session.started_at,
    }
}

pub fn kwh(v: f64) -> RequestedEnergy {
    RequestedEnergy::Kwh(KilowattHours::new(v).expect("energy"))
}

/// Every day `start_hour`..`end_hour` local at `price_per_kwh`.
pub fn window(start_hour: u32, end_hour: u32, price_per_kwh: f64) -> PriceWindow {
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("time");
    PriceWindow {
        window: LocalWindow::new(WeekdaySet::ALL, at(start_hour), at(end_hour)).expect("window"),
        price_per_kwh,
    }
}

pub fn tariff(default_price: f64, windows: Vec<PriceWindow>, demand_per_kw: f64) -> Tariff {
    Tariff::new(site_id(), "USD", default_price, windows, demand_per_kw, 1).expect("tariff")
}

pub fn entry(
    session: Session,
    latest_request: Option<ChargingRequest>,
    readings: &[(&str, f64)],
) -> SessionInput {
    SessionInput {
        participant: None,
        samples: samples(&session, readings),
        latest_request,
        session,
    }
}

pub fn input(
    day: &str,
    ports: Vec<Port>,
    tariff: Option<Tariff>,
    sessions: Vec<SessionInput>,
) -> ReportInput {
    ReportInput {
        site: site(),
        ports,
        tariff,
        sessions,
        period: Period::day(date(day)),
        relay_threads: Vec::new(),
        relay_log: Vec::new(),
        waitlist_entries: Vec::new(),
        waitlist_offers: Vec::new(),
    }
}
