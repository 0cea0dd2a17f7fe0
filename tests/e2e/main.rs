//! End-to-end tests of the `chargeplan` binary: it is started as a real process, with no
//! configuration, and driven over HTTP, signals and its exit code.

mod cli;
mod crash;
mod demo;
mod demo_day;
mod demo_run;
mod driver;
mod garage;
mod helpers;
mod openapi_conformance;
mod operating;
mod operators;
mod optimize;
mod postgres;
mod replay;
mod screenshots;
mod serve;
mod sharing;
mod soak;
mod vendor;
mod world;
