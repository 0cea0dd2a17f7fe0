//! Integration tests of the optimizer: properties, known optima, validation and real data.

mod common;
mod known_optima;
mod properties;
mod real_data;
mod reference;
mod validation;
