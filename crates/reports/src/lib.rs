//! Crate root: the public entry points; the crate documentation is README.md, included below.
#![doc = include_str!("../README.md")]

mod alias;
mod compute;
mod cost;
mod counterfactual;
mod csv;
mod error;
mod fulfilment;
mod input;
mod load;
mod measured;
mod period;
mod relay;
mod report;
mod rows;
mod summary;
#[cfg(test)]
mod test_fixtures;
mod waitlist;

pub use alias::driver_alias;
pub use chargeplan_core::interval_energy::INTERVAL_MINUTES;
pub use compute::compute;
pub use csv::{summary_csv, to_csv};
pub use error::ReportError;
pub use fulfilment::{REQUEST_MET_TOLERANCE_KWH, RequestKind};
pub use input::{ReportInput, SessionInput};
pub use load::load;
pub use period::{Period, PeriodBounds, PeriodKind, PeriodSummary};
pub use relay::RelaySummary;
pub use report::{CostSummary, Report, SessionRow, Summary};
pub use waitlist::WaitlistSummary;
