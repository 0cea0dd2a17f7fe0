#![doc = include_str!("../README.md")]

pub mod accounts;
mod cloud;
pub mod dispatch;
mod error;
pub mod ingest;
pub mod ocpi;
pub mod outcome;
pub mod poller;
pub mod results;
pub mod service;

pub use cloud::{
    Listing, ProfileAnswer, ProfileRequest, RateUnit, VendorCloud, VendorPort, VendorSample,
    VendorSession,
};
pub use error::{OcpiError, RejectedRecord};
