//! Whether a session's request was met.

use chargeplan_core::{ChargingRequest, RequestedEnergy};
use serde::Serialize;

/// A request counts as fully met when the energy delivered is at least the energy requested
/// minus this much, in kWh. It forgives the rounding of vendor meter readings and the last
/// few watt-hours a car's battery management may refuse.
pub const REQUEST_MET_TOLERANCE_KWH: f64 = 0.1;

/// What the driver asked for, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// The driver made no request (not a participant, or never opened the link).
    None,
    /// A number of kWh (typed as kWh or as miles).
    Kwh,
    /// As much as possible before departure: there is no amount to meet.
    AsMuchAsPossible,
}

impl RequestKind {
    /// `none`, `kwh` or `as_much_as_possible`, as in JSON and CSV.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Kwh => "kwh",
            Self::AsMuchAsPossible => "as_much_as_possible",
        }
    }
}

/// A session's request measured against what it received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fulfilment {
    pub kind: RequestKind,
    /// The kWh asked for; only for [`RequestKind::Kwh`].
    pub requested_kwh: Option<f64>,
    /// Whether the request was fully met; only for [`RequestKind::Kwh`].
    pub met: Option<bool>,
}

pub(crate) fn fulfilment(request: Option<&ChargingRequest>, delivered_kwh: f64) -> Fulfilment {
    match request.map(|r| r.energy) {
        None => Fulfilment {
            kind: RequestKind::None,
            requested_kwh: None,
            met: None,
        },
        Some(RequestedEnergy::AsMuchAsPossible) => Fulfilment {
            kind: RequestKind::AsMuchAsPossible,
            requested_kwh: None,
            met: None,
        },
        Some(RequestedEnergy::Kwh(kwh)) => Fulfilment {
            kind: RequestKind::Kwh,
            requested_kwh: Some(kwh.get()),
            met: Some(delivered_kwh >= kwh.get() - REQUEST_MET_TOLERANCE_KWH),
        },
    }
}
