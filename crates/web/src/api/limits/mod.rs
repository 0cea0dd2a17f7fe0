//! The server's limits in the OpenAPI document: the ranges, lengths, patterns and allowed
//! values of the request fields and query parameters the API validates, written onto the
//! generated schemas from the constants the validators themselves use (in `chargeplan_core`
//! and beside each handler), so that the document cannot drift from what the server accepts.
//!
//! Limits that span several fields (`from` before `to`, an override's end after its start, a
//! circuit tree with one root) are not expressible in a schema; they stay 422s with the
//! field named. Where a limit is checked on the trimmed text, the schema asks for the text
//! as it is stored (no surrounding spaces counted), which is never looser than the server.

use chargeplan_core::{
    BILLING_PERIOD_START_DAYS, DAY_NAMES, ID_PUNCTUATION, Kilowatts, MAX_DEMAND_CHARGE_PER_KW,
    MAX_ID_LEN, MAX_NAME_CHARS, MAX_OCPI_ID_CHARS, MAX_OVERRIDE_REASON_CHARS, MAX_PLATE_CHARS,
    MAX_PLATE_REGION_CHARS, MAX_PRICE_PER_KWH, MAX_TOKEN_UID_LEN, MAX_TOKENS_PER_PARTICIPANT,
    PORT_VOLTAGES_V, Phases, SlotMinutes, WhPerMile,
};
use chrono_tz::TZ_VARIANTS;

mod schema;

pub(crate) use schema::ServerLimits;

/// What a field or parameter may hold.
#[derive(Debug, Clone)]
pub(crate) enum Limit {
    /// A number from `min` to `max`; more than `min` when `above_min`.
    Number { min: f64, above_min: bool, max: f64 },
    /// A whole number from `min` to `max`.
    Integer { min: u32, max: u32 },
    /// One of these whole numbers.
    IntegerOf(Vec<u32>),
    /// Text of `min` to `max` characters matching `pattern` (unanchored, as in JSON Schema).
    Text {
        min: usize,
        max: usize,
        pattern: Option<String>,
    },
    /// Text matching `pattern`, of any length.
    Matching(&'static str),
    /// One of these words.
    Word(Vec<&'static str>),
    /// An RFC 3339 time.
    Time,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A list of `min` to `max` (when given) items, each limited by `each` when given.
    List {
        min: usize,
        max: Option<usize>,
        each: Option<Box<Limit>>,
    },
}

/// A phone number as people type it (`PhoneNumber::from_typed`): digits, with a leading `+`
/// for the international form, and spaces, dashes, dots and parentheses anywhere. (Whether
/// the number exists is checked against the numbering plan of its country, which a pattern
/// cannot say.)
const PHONE_PATTERN: &str = r"^[\s().-]*\+?[\s().-]*[0-9]([\s().-]*[0-9]){5,16}[\s().-]*$";

/// An identifier (`SiteId`, `CircuitId`, …): 1 to 64 ASCII letters, digits and `-_.:`.
pub(crate) fn id() -> Limit {
    let punctuation: String = ID_PUNCTUATION
        .chars()
        .flat_map(|c| ["\\]^-".contains(c).then_some('\\'), Some(c)])
        .flatten()
        .collect();
    Limit::Text {
        min: 1,
        max: MAX_ID_LEN,
        pattern: Some(format!("^[A-Za-z0-9{punctuation}]+$")),
    }
}

/// A display name: 1 to 200 characters, not only spaces.
fn name() -> Limit {
    Limit::Text {
        min: 1,
        max: MAX_NAME_CHARS,
        pattern: Some(r"\S".to_owned()),
    }
}

/// A cap in kW: more than 0, at most the largest power.
fn cap() -> Limit {
    Limit::Number {
        min: 0.0,
        above_min: true,
        max: Kilowatts::MAX,
    }
}

/// A price: 0 to `max`.
fn price(max: f64) -> Limit {
    Limit::Number {
        min: 0.0,
        above_min: false,
        max,
    }
}

/// A local time of day, `HH:MM` (24-hour; as chrono reads `%H:%M`, a single digit will do).
fn clock_time() -> Limit {
    Limit::Matching(CLOCK_TIME_PATTERN)
}

/// [`clock_time`]'s pattern.
const CLOCK_TIME_PATTERN: &str = r"^\s*([01]?[0-9]|2[0-3]):[0-5]?[0-9]\s*$";

/// The days of a weekly window: one name at least, each `mon` … `sun` (a day named twice
/// counts once).
fn days() -> Limit {
    Limit::List {
        min: 1,
        max: None,
        each: Some(Box::new(Limit::Word(DAY_NAMES.to_vec()))),
    }
}

/// (schema, field, limit) of every validated field of a request body.
pub(crate) fn body_limits() -> Vec<(&'static str, &'static str, Limit)> {
    let (first_day, last_day) = BILLING_PERIOD_START_DAYS.into_inner();
    let windows = |max| Limit::List {
        min: 0,
        max: Some(max),
        each: None,
    };
    vec![
        ("SiteBody", "name", name()),
        (
            "SiteBody",
            "time_zone",
            Limit::Word(TZ_VARIANTS.iter().map(|zone| zone.name()).collect()),
        ),
        (
            "SiteBody",
            "slot_minutes",
            Limit::IntegerOf(SlotMinutes::ALLOWED.to_vec()),
        ),
        (
            "CircuitTreeBody",
            "circuits",
            Limit::List {
                min: 1,
                max: Some(super::circuits::MAX_CIRCUITS),
                each: None,
            },
        ),
        ("CircuitBody", "id", id()),
        ("CircuitBody", "name", name()),
        ("CircuitBody", "parent_id", id()),
        ("CircuitBody", "cap_kw", cap()),
        ("CapBody", "cap_kw", cap()),
        (
            "ScheduleBody",
            "windows",
            windows(super::schedule::MAX_WINDOWS),
        ),
        ("WindowBody", "days", days()),
        ("WindowBody", "start", clock_time()),
        ("WindowBody", "end", clock_time()),
        ("WindowBody", "cap_kw", cap()),
        ("OverrideBody", "circuit_id", id()),
        ("OverrideBody", "cap_kw", cap()),
        ("OverrideBody", "starts_at", Limit::Time),
        ("OverrideBody", "expires_at", Limit::Time),
        (
            "OverrideBody",
            "duration_minutes",
            Limit::Integer {
                min: 1,
                max: super::overrides::MAX_DURATION_MINUTES,
            },
        ),
        (
            "OverrideBody",
            "reason",
            Limit::Text {
                min: 0,
                max: MAX_OVERRIDE_REASON_CHARS,
                pattern: None,
            },
        ),
        (
            "TariffBody",
            "currency",
            Limit::Text {
                min: 3,
                max: 3,
                pattern: Some("^[A-Za-z]{3}$".to_owned()),
            },
        ),
        (
            "TariffBody",
            "default_price_per_kwh",
            price(MAX_PRICE_PER_KWH),
        ),
        ("TariffBody", "windows", windows(super::tariff::MAX_WINDOWS)),
        (
            "TariffBody",
            "demand_charge_per_kw",
            price(MAX_DEMAND_CHARGE_PER_KW),
        ),
        (
            "TariffBody",
            "billing_period_start_day",
            Limit::Integer {
                min: first_day,
                max: last_day,
            },
        ),
        ("PriceWindowBody", "days", days()),
        ("PriceWindowBody", "start", clock_time()),
        ("PriceWindowBody", "end", clock_time()),
        ("PriceWindowBody", "price_per_kwh", price(MAX_PRICE_PER_KWH)),
        ("PortBody", "circuit_id", id()),
        ("PortBody", "max_power_kw", cap()),
        (
            "PortBody",
            "phases",
            Limit::IntegerOf(
                (0..=u8::MAX)
                    .filter(|n| Phases::try_from(*n).is_ok())
                    .map(u32::from)
                    .collect(),
            ),
        ),
        (
            "PortBody",
            "voltage_v",
            Limit::Number {
                min: *PORT_VOLTAGES_V.start(),
                above_min: false,
                max: *PORT_VOLTAGES_V.end(),
            },
        ),
        ("VendorView", "vendor_account", id()),
        ("VendorView", "location_id", ocpi_id()),
        ("VendorView", "evse_uid", ocpi_id()),
        ("VendorView", "connector_id", ocpi_id()),
        ("ParticipantBody", "phone", Limit::Matching(PHONE_PATTERN)),
        (
            "ParticipantBody",
            "token_uids",
            Limit::List {
                min: 1,
                max: Some(MAX_TOKENS_PER_PARTICIPANT),
                each: Some(Box::new(Limit::Text {
                    min: 1,
                    max: MAX_TOKEN_UID_LEN,
                    pattern: Some("^[!-~]+$".to_owned()),
                })),
            },
        ),
        (
            "ParticipantBody",
            "wh_per_mile",
            Limit::Number {
                min: WhPerMile::MIN,
                above_min: false,
                max: WhPerMile::MAX,
            },
        ),
        (
            "ParticipantBody",
            "plate",
            Limit::Text {
                min: 1,
                max: MAX_PLATE_CHARS,
                pattern: Some("[A-Za-z0-9]".to_owned()),
            },
        ),
        (
            "ParticipantBody",
            "plate_region",
            Limit::Text {
                min: 0,
                max: MAX_PLATE_REGION_CHARS,
                pattern: None,
            },
        ),
    ]
}

/// An OCPI identifier of a location, EVSE or connector (`CiString(36)`).
fn ocpi_id() -> Limit {
    Limit::Text {
        min: 1,
        max: MAX_OCPI_ID_CHARS,
        pattern: Some(r"\S".to_owned()),
    }
}

/// (operation id, query parameter, limit) of every validated query parameter.
pub(crate) fn query_limits() -> Vec<(&'static str, &'static str, Limit)> {
    vec![
        ("list_plans", "from", Limit::Time),
        ("list_plans", "to", Limit::Time),
        (
            "list_plans",
            "limit",
            Limit::Integer {
                min: 1,
                max: super::plans::MAX_LIMIT,
            },
        ),
        ("list_relay_log", "from", Limit::Time),
        ("list_relay_log", "to", Limit::Time),
        (
            "list_relay_log",
            "limit",
            Limit::Integer {
                min: 1,
                max: u32::try_from(super::relay_log::MAX_LIMIT).unwrap_or(u32::MAX),
            },
        ),
        ("list_sessions", "state", Limit::Word(vec!["open"])),
        ("list_sessions", "from", Limit::Time),
        ("list_sessions", "to", Limit::Time),
        ("list_setpoints", "since", Limit::Time),
        ("get_report", "period", Limit::Word(vec!["day", "week"])),
        ("get_report", "date", Limit::Date),
        ("get_report_csv", "period", Limit::Word(vec!["day", "week"])),
        ("get_report_csv", "date", Limit::Date),
        (
            "get_report_csv",
            "table",
            Limit::Word(vec!["sessions", "summary"]),
        ),
    ]
}
