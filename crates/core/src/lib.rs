#![doc = include_str!("../README.md")]

pub mod billed_peak;
pub mod circuit;
pub mod clock;
pub mod error;
pub mod ids;
pub mod interval_energy;
pub mod member_id;
pub mod participant;
pub mod phone;
pub mod plan;
pub mod plate;
pub mod port;
pub mod projection;
pub mod request;
pub mod session;
pub mod setpoint;
pub mod sharing;
pub mod site;
pub mod tariff;
pub mod time_format;
pub mod typed_phone;
pub mod units;
pub mod window;

pub use billed_peak::BilledPeak;
pub use circuit::{
    CapOverride, Circuit, CircuitTree, MAX_OVERRIDE_DAYS, MAX_OVERRIDE_REASON_CHARS, ScheduledCap,
    effective_cap,
};
pub use clock::{Clock, ManualClock, ScaledClock, SystemClock};
pub use error::{MAX_NAME_CHARS, ValueError};
pub use ids::{
    CircuitId, ID_PUNCTUATION, MAX_ID_LEN, MAX_TOKEN_UID_LEN, ParticipantId, PlanId, PortId,
    SessionId, SetpointId, SiteId, TokenUid, VendorAccountId,
};
pub use member_id::{MEMBER_ID_LEN, MemberId, ThreadCode};
pub use participant::{MAX_TOKENS_PER_PARTICIPANT, Participant};
pub use phone::PhoneNumber;
pub use plan::{Plan, SessionPlan};
pub use plate::{MAX_PLATE_CHARS, MAX_PLATE_REGION_CHARS, Plate};
pub use port::{MAX_OCPI_ID_CHARS, PORT_VOLTAGES_V, Phases, Port, VendorRef};
pub use projection::{Projection, ShortfallCause, format_local_time};
pub use request::{
    ChargingRequest, EnergyNeed, MAX_DEPARTURE_DAYS, MAX_REQUEST_KWH, MAX_REQUEST_MILES,
    RequestedEnergy,
};
pub use session::{MeterSample, Session, SessionStatus};
pub use setpoint::{LimitPeriod, Setpoint, SetpointState};
pub use sharing::{SHARING_LIMITS, SharingSettings};
pub use site::{Site, local_to_utc, parse_time_zone, start_of_local_day};
pub use tariff::{
    BILLING_PERIOD_START_DAYS, MAX_DEMAND_CHARGE_PER_KW, MAX_PRICE_PER_KWH, PriceWindow, Tariff,
};
pub use time_format::{ClockFormat, TypedTime};
pub use typed_phone::Country;
pub use units::{KilowattHours, Kilowatts, SlotMinutes, WhPerMile};
pub use window::{DAY_NAMES, LocalWindow, WeekdaySet};
