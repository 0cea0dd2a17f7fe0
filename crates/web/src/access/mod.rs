//! Who is calling and what they may touch: operators authenticated by an API token (bearer)
//! or by a dashboard session cookie, each an admin (every site) or a site operator (the sites
//! granted to them).
//!
//! Secrets are stored as hashes only: API tokens and session ids as SHA-256 (they are 256-bit
//! random, so a fast hash is enough), passwords as argon2id. Every comparison of a presented
//! secret is constant-time.

mod caller;
pub(crate) mod cookies;
mod limiter;
mod login;
pub mod password;
mod secrets;
mod user;

pub(crate) use caller::ApiCaller;
pub use limiter::LoginLimiter;
pub(crate) use login::routes;
pub use secrets::{hash_secret, new_secret};
pub(crate) use user::DashboardUser;
