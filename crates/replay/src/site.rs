//! Site files (`config/sites/*.toml`): the circuit tree with its caps, the ports by the
//! station ids of the session file, the cars' on-board charger, and the tariff; turned into
//! the domain types the control loop plans with.

use chargeplan_control::arrivals::ArrivalHeadroom;
use std::collections::HashMap;
use std::path::Path;

use chargeplan_core::{
    Circuit, CircuitId, Kilowatts, LocalWindow, Phases, Port, PortId, PriceWindow, Site, SiteId,
    Tariff, VendorAccountId, VendorRef, WeekdaySet,
};
use chrono::NaiveTime;
use serde::Deserialize;

/// A site file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    #[serde(default = "five")]
    pub slot_minutes: u32,
    /// How often the vendor cloud is polled for sessions and meter readings, seconds.
    #[serde(default = "sixty")]
    pub poll_interval_s: u32,
    /// The most a car's on-board charger takes, kW.
    pub car_max_kw: f64,
    /// The limit a station gives a car before the server's first profile (a default profile
    /// set at the station), kW; absent: the port's maximum, as ACN's stations do.
    #[serde(default)]
    pub default_limit_kw: Option<f64>,
    /// What each circuit's plan keeps free for cars arriving before their first limit:
    /// `none` (absent), `one_port`, or a number of kW (the server's `driver.arrival_headroom`).
    #[serde(default)]
    pub arrival_headroom: Option<String>,
    pub circuits: Vec<CircuitFile>,
    pub ports: Vec<PortGroup>,
    pub tariff: Option<TariffFile>,
}

fn five() -> u32 {
    5
}
fn sixty() -> u32 {
    60
}

/// One breaker, pod or transformer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircuitFile {
    pub id: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub cap_kw: f64,
}

/// Ports of the same kind on one circuit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortGroup {
    pub circuit: String,
    /// Station ids as in the session file's `station_id`.
    pub stations: Vec<String>,
    /// Amperes per phase at the port's maximum.
    pub max_amps: f64,
    /// Line-to-neutral volts.
    pub voltage_v: f64,
    #[serde(default = "one")]
    pub phases: u8,
}

fn one() -> u8 {
    1
}

/// Time-of-use prices and the demand charge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffFile {
    pub currency: String,
    pub default_price_per_kwh: f64,
    #[serde(default)]
    pub windows: Vec<WindowFile>,
    pub demand_charge_per_kw: f64,
    #[serde(default = "first")]
    pub billing_period_start_day: u32,
}

fn first() -> u32 {
    1
}

/// A price window in local time, e.g. `days = ["mon", "tue"]`, `start = "12:00"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowFile {
    pub days: Vec<String>,
    pub start: String,
    pub end: String,
    pub price_per_kwh: f64,
}

/// The site as the replay runs it.
#[derive(Debug, Clone)]
pub struct SiteModel {
    pub site: Site,
    pub circuits: Vec<Circuit>,
    pub ports: Vec<Port>,
    /// Index into `ports` by station id.
    pub station_port: HashMap<String, usize>,
    pub tariff: Option<Tariff>,
    pub poll_interval_s: i64,
    pub car_max_kw: f64,
    /// What a car may draw before its first profile, kW (`None`: the port's maximum).
    pub default_limit_kw: Option<f64>,
    /// What the server's plans keep free on each circuit for arrivals.
    pub arrival_headroom: ArrivalHeadroom,
}

/// Why a site file is not usable.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: {1}")]
    Toml(String, String),
    #[error("{0}: {1}")]
    Invalid(String, String),
}

/// The vendor account the replay's ports belong to (it is never called).
const VENDOR: &str = "replay";

/// Reads and validates a site file.
///
/// # Errors
/// [`SiteError`] naming the file and what is wrong.
pub fn load(path: &Path) -> Result<SiteModel, SiteError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SiteError::Io(shown.clone(), e))?;
    let file: SiteFile =
        toml::from_str(&text).map_err(|e| SiteError::Toml(shown.clone(), e.to_string()))?;
    model(&file).map_err(|reason| SiteError::Invalid(shown, reason))
}

/// Builds the domain types from a parsed file.
///
/// # Errors
/// What is wrong, as text.
pub fn model(file: &SiteFile) -> Result<SiteModel, String> {
    let text = |e: chargeplan_core::ValueError| e.to_string();
    let site_id = SiteId::parse(&file.id).map_err(text)?;
    let site = Site::new(
        site_id.clone(),
        &file.name,
        &file.time_zone,
        file.slot_minutes,
    )
    .map_err(text)?;
    let mut circuits = Vec::new();
    for c in &file.circuits {
        let parent = c
            .parent
            .as_deref()
            .map(CircuitId::parse)
            .transpose()
            .map_err(text)?;
        circuits.push(
            Circuit::new(
                CircuitId::parse(&c.id).map_err(text)?,
                site_id.clone(),
                &c.id,
                parent,
                Kilowatts::new(c.cap_kw).map_err(text)?,
            )
            .map_err(text)?,
        );
    }
    chargeplan_core::CircuitTree::new(circuits.clone()).map_err(text)?;
    let vendor = VendorAccountId::parse(VENDOR).map_err(text)?;
    let mut ports = Vec::new();
    let mut station_port = HashMap::new();
    for group in &file.ports {
        if !circuits.iter().any(|c| c.id.as_str() == group.circuit) {
            return Err(format!("ports on an unknown circuit `{}`", group.circuit));
        }
        let phases = match group.phases {
            1 => Phases::One,
            3 => Phases::Three,
            n => return Err(format!("phases must be 1 or 3, got {n}")),
        };
        let max_kw = group.max_amps * group.voltage_v * f64::from(group.phases) / 1000.0;
        for station in &group.stations {
            if station_port.contains_key(station) {
                return Err(format!("station `{station}` is listed twice"));
            }
            let port = Port::new(
                PortId::parse(station).map_err(text)?,
                site_id.clone(),
                CircuitId::parse(&group.circuit).map_err(text)?,
                VendorRef {
                    vendor_account: vendor.clone(),
                    location_id: file.id.clone(),
                    evse_uid: station.clone(),
                    connector_id: "1".to_owned(),
                },
                Kilowatts::new(max_kw).map_err(text)?,
                phases,
                group.voltage_v,
                true,
            )
            .map_err(text)?;
            station_port.insert(station.clone(), ports.len());
            ports.push(port);
        }
    }
    if ports.is_empty() {
        return Err("the site has no ports".to_owned());
    }
    if !(file.car_max_kw.is_finite() && file.car_max_kw > 0.0) {
        return Err("car_max_kw must be a positive number".to_owned());
    }
    let tariff = file
        .tariff
        .as_ref()
        .map(|t| tariff(t, &site_id))
        .transpose()?;
    Ok(SiteModel {
        site,
        circuits,
        ports,
        station_port,
        tariff,
        poll_interval_s: i64::from(file.poll_interval_s.max(1)),
        car_max_kw: file.car_max_kw,
        default_limit_kw: file.default_limit_kw.map(|kw| kw.max(0.0)),
        arrival_headroom: file
            .arrival_headroom
            .as_deref()
            .map_or(Ok(ArrivalHeadroom::None), str::parse)
            .map_err(|e| format!("arrival_headroom: {e}"))?,
    })
}

fn tariff(file: &TariffFile, site: &SiteId) -> Result<Tariff, String> {
    let mut windows = Vec::new();
    for w in &file.windows {
        let days = w
            .days
            .iter()
            .map(|d| WeekdaySet::parse_day(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let time = |s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| format!("`{s}` is not HH:MM"))
        };
        windows.push(PriceWindow {
            window: LocalWindow::new(WeekdaySet::from_days(&days), time(&w.start)?, time(&w.end)?)
                .map_err(|e| e.to_string())?,
            price_per_kwh: w.price_per_kwh,
        });
    }
    Tariff::new(
        site.clone(),
        &file.currency,
        file.default_price_per_kwh,
        windows,
        file.demand_charge_per_kw,
        file.billing_period_start_day,
    )
    .map_err(|e| e.to_string())
}

impl SiteModel {
    /// The same site with every root circuit's cap set to `cap_kw` (the service cap).
    ///
    /// # Errors
    /// When `cap_kw` is not a valid cap.
    pub fn with_service_cap(mut self, cap_kw: f64) -> Result<Self, String> {
        let cap = Kilowatts::new(cap_kw).map_err(|e| e.to_string())?;
        if cap.get() <= 0.0 {
            return Err("the cap must be greater than 0 kW".to_owned());
        }
        for circuit in self.circuits.iter_mut().filter(|c| c.parent.is_none()) {
            circuit.cap = cap;
        }
        Ok(self)
    }

    /// The service cap: the sum of the root circuits' caps, kW.
    pub fn service_cap_kw(&self) -> f64 {
        self.circuits
            .iter()
            .filter(|c| c.parent.is_none())
            .map(|c| c.cap.get())
            .sum()
    }
}
