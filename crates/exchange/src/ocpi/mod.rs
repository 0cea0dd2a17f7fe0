//! OCPI 2.2.1, the industry protocol between chargeplan (as a Smart Charging Service
//! Provider) and CPO clouds.

pub mod cloud;
pub mod convert;
pub mod late_result;
mod patch;
pub mod receiver;
pub mod registration;
pub mod transport;
pub mod types;

pub use cloud::{CpoEndpoints, OCPI_VERSION, OcpiCloud, discover};
pub use registration::{Registration, register};
pub use transport::{OcpiClient, TokenEncoding};
