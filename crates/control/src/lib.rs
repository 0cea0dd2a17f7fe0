#![doc = include_str!("../README.md")]

pub mod arrivals;
pub mod billed_peak;
mod config;
pub mod control_state;
pub mod conversation;
mod dispatch;
mod error;
pub mod feedback;
mod health;
pub mod in_force;
pub mod lease;
pub mod links;
pub mod messages;
mod metrics;
pub mod planner;
pub mod relay;
pub mod request_reply;
pub mod request_text;
pub mod safety;
mod service;
pub mod site_gauges;
pub mod snapshot;
mod supervisor;
pub mod triggers;
pub mod waitlist;
mod worker;

pub use config::ControlConfig;
pub use dispatch::{CapRules, Decided, DispatchSetup, decide_orders};
pub use error::ControlError;
pub use health::NotPlannable;
pub use metrics::{ControlMetrics, SOLVE_BUCKETS_S, result_labels};
pub use service::{ControlHandle, start};
