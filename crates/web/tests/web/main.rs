//! The web routes end to end through `router` on a real SQLite store, a manual clock and
//! the running control loop: self-registration, the operator API, and the driver's link.
//!
//! One test binary (instead of one per file) so the shared support compiles and links once.

mod api;
mod api_changes;
mod api_limits;
mod api_openapi;
mod api_rejections;
mod api_relay_log;
mod api_reports;
mod api_roles;
mod api_sharing;
mod api_validation;
mod contact;
mod dashboard;
mod dashboard_caps;
mod dashboard_not_plannable;
mod dashboard_reports;
mod dashboard_sharing;
mod driver_link;
mod join;
mod join_limits;
mod login;
mod member_ids;
mod metrics;
mod operators;
mod sticker;
mod support;
