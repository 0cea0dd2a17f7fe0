//! Settings of the control loop and the driver conversations.

use chrono::Duration;

use crate::arrivals::ArrivalHeadroom;
use crate::control_state::RetryPolicy;
use crate::dispatch::DispatchSetup;

/// How the control loop plans and talks to drivers.
#[derive(Debug, Clone)]
pub struct ControlConfig {
    /// Longest planning horizon.
    pub max_horizon: Duration,
    /// A session whose driver has not said when they leave is planned to leave this long
    /// after it started.
    pub default_stay: Duration,
    /// A car still plugged in after its stated departure is planned to stay this much longer.
    pub overstay_extension: Duration,
    /// Re-plan every site at least this often.
    pub tick: Duration,
    /// How often a site's worker looks for new events (sessions, requests, caps).
    pub event_poll: Duration,
    /// How long a driver's link keeps working after the session ended.
    pub link_grace: Duration,
    /// Where drivers' links point: the server's public base URL, without a trailing slash.
    pub public_url: String,
    /// A new SMS is sent when the projection drops by more than this many kWh (and 10 %).
    pub worse_projection_kwh: f64,
    /// When a session whose limit was refused, or whose outcome is unknown, is planned and
    /// limited again (until then it counts at its port's maximum).
    pub retry: RetryPolicy,
    /// How plans reach the vendors; `None` plans without sending limits (tests, dry runs).
    pub dispatch: Option<DispatchSetup>,
    /// Whether sites are shared among instances through leases in the store (PostgreSQL);
    /// without leases this instance owns every site (one instance on SQLite).
    pub leases: bool,
    /// This instance's name as the owner of leases; random by default, unique per process.
    pub instance_id: String,
    /// How long a lease lasts without renewal; renewed every third of it. A crashed
    /// instance's sites move to the others within this time.
    pub lease_ttl: Duration,
    /// After a failed pass a worker waits this long before its next automatic pass, doubling
    /// with each failure in a row (a trigger still runs at once).
    pub failure_backoff: std::time::Duration,
    /// The longest wait after failed passes.
    pub failure_backoff_max: std::time::Duration,
    /// What each circuit keeps free for cars that arrive before their first limit.
    pub arrival_headroom: ArrivalHeadroom,
}

impl Default for ControlConfig {
    fn default() -> Self {
        Self {
            max_horizon: Duration::hours(24),
            default_stay: Duration::hours(8),
            overstay_extension: Duration::hours(1),
            tick: Duration::minutes(5),
            event_poll: Duration::seconds(1),
            link_grace: Duration::hours(1),
            public_url: "http://127.0.0.1:8080".to_owned(),
            worse_projection_kwh: 2.0,
            retry: RetryPolicy::default(),
            dispatch: None,
            leases: false,
            instance_id: format!("instance-{:016x}", rand::random::<u64>()),
            lease_ttl: Duration::seconds(15),
            failure_backoff: std::time::Duration::from_secs(1),
            failure_backoff_max: std::time::Duration::from_secs(5 * 60),
            arrival_headroom: ArrivalHeadroom::None,
        }
    }
}
