#![doc = include_str!("../README.md")]

mod config;
mod handle;
mod http;
mod objects;
mod profile;
mod replay;
mod scenario;
mod shared;
mod site;
mod vehicle;
mod wire;
mod world;
mod world_profiles;

pub use config::{
    ClockMode, FaultRates, Faults, ProfileBehaviour, ProfileMode, PushConfig, SimConfig,
};
pub use handle::{SimCloud, SimHandle};
pub use replay::{AcnSession, acn_day, acn_day_start, car_for, replay_arrivals, station_ids};
pub use scenario::{
    ArrivalSpec, AsyncResult, ProfileAnswer, ProfileLogEntry, ProfileRequestKind, SessionStatus,
    SimSession, demo_arrivals,
};
pub use site::{EvseSpec, LocationSpec, PowerType, Site};
pub use vehicle::{TAPER_END_FRACTION, TAPER_START_SOC, Vehicle};
pub use wire::{
    ChargingProfile, ChargingProfilePeriod, ChargingRateUnit, format_datetime, parse_datetime,
};

/// What can go wrong when driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address could not be bound.
    #[error("cannot bind the simulated cloud: {0}")]
    Bind(#[source] std::io::Error),
    /// The outbound HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// No EVSE has this uid.
    #[error("unknown EVSE {0}")]
    UnknownEvse(String),
    /// A car is already plugged into this EVSE.
    #[error("EVSE {0} is occupied")]
    EvseOccupied(String),
    /// No active session has this id.
    #[error("unknown or completed session {0}")]
    UnknownSession(String),
}
