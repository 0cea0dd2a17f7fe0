//! The injected source of the current time: the real clock, a sped-up clock for the demo and
//! replays, and a manual fake for tests.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};

/// Tells the current time. Everything that needs "now" takes a `Clock` (or a `now`
/// argument) instead of calling `Utc::now()`, so tests control time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at `origin` and runs `speedup` times faster than the wall clock: the
/// demo and replays run a real day in minutes, and every component that shares this clock
/// (server, simulated vendor cloud) agrees on the time.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    /// The instant `now()` returns at `started`.
    origin: DateTime<Utc>,
    /// Simulated seconds per wall-clock second (> 0).
    speedup: f64,
    /// When the clock was made, on the monotonic wall clock.
    started: std::time::Instant,
}

impl ScaledClock {
    /// A clock at `origin` now, moving `speedup` times faster than real time (values that are
    /// not finite and positive mean 1).
    pub fn new(origin: DateTime<Utc>, speedup: f64) -> Self {
        let speedup = if speedup.is_finite() && speedup > 0.0 {
            speedup
        } else {
            1.0
        };
        Self {
            origin,
            speedup,
            started: std::time::Instant::now(),
        }
    }

    /// Simulated seconds per wall-clock second.
    pub fn speedup(&self) -> f64 {
        self.speedup
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.started.elapsed().as_secs_f64() * self.speedup;
        self.origin + chrono::Duration::microseconds((elapsed * 1e6) as i64)
    }
}

/// A clock that only moves when told to; for tests in this and other crates.
#[derive(Debug)]
pub struct ManualClock {
    /// The instant `now()` returns; behind a mutex so a shared `&ManualClock` can move it.
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock to `t` (backwards is allowed).
    pub fn set(&self, t: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = t;
    }

    /// Moves the clock by `by` (negative moves it back).
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Duration;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_scaled_clock_starts_at_its_origin_and_runs_faster() {
        let clock = ScaledClock::new(t("2019-06-14T14:00:00Z"), 3600.0);
        let first = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let later = clock.now();

        assert!(first >= t("2019-06-14T14:00:00Z") && first < t("2019-06-14T14:01:00Z"));
        // 20 ms of wall time at 3600x is at least 72 s.
        assert!(later - first >= Duration::seconds(72), "{first} -> {later}");
        assert_eq!(ScaledClock::new(first, f64::NAN).speedup(), 1.0);
    }

    #[test]
    fn a_manual_clock_stays_put_until_set_or_advanced() {
        let clock = ManualClock::new(t("2026-03-08T09:00:00Z"));
        assert_eq!(clock.now(), t("2026-03-08T09:00:00Z"));
        assert_eq!(clock.now(), t("2026-03-08T09:00:00Z"));
        clock.advance(Duration::minutes(90));
        assert_eq!(clock.now(), t("2026-03-08T10:30:00Z"));
        clock.set(t("2026-01-01T00:00:00Z"));
        assert_eq!(clock.now(), t("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn a_shared_manual_clock_moves_for_every_holder() {
        let clock = Arc::new(ManualClock::new(t("2026-03-08T09:00:00Z")));
        let as_dyn: Arc<dyn Clock> = clock.clone();
        std::thread::spawn({
            let clock = clock.clone();
            move || clock.advance(Duration::seconds(5))
        })
        .join()
        .unwrap();
        assert_eq!(as_dyn.now(), t("2026-03-08T09:00:05Z"));
    }

    #[test]
    fn the_system_clock_tells_the_current_time() {
        let a = SystemClock.now();
        let b = SystemClock.now();
        assert!(a > t("2025-01-01T00:00:00Z"));
        assert!(b >= a);
    }
}
