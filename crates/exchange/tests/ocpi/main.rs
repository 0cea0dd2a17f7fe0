//! chargeplan's OCPI 2.2.1 client and receiver against the simulated CPO, over real HTTP.

mod harness;
mod polling;
mod profiles;
mod push_edges;
mod registration;
mod service;
