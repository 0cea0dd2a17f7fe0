//! Login attempts per client address, in this process: a sliding window that refuses an
//! address after too many attempts. (Failures per login name are counted in the store, so
//! they hold across instances.)

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Attempts per address allowed within [`WINDOW`].
pub const ATTEMPTS_PER_ADDRESS: usize = 20;
/// The sliding window of [`ATTEMPTS_PER_ADDRESS`].
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Shared by every request of the process.
#[derive(Debug, Clone, Default)]
pub struct LoginLimiter {
    attempts: Arc<Mutex<HashMap<IpAddr, VecDeque<Instant>>>>,
}

impl LoginLimiter {
    /// Counts an attempt from `address` at `now`; `Err(wait)` when the address is over its
    /// limit (the attempt is not counted then).
    pub fn attempt(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let Ok(mut attempts) = self.attempts.lock() else {
            return Ok(());
        };
        // Forget addresses whose attempts are all old, so the map cannot grow without bound.
        if attempts.len() > 10_000 {
            attempts.retain(|_, times| times.back().is_some_and(|t| now - *t < WINDOW));
        }
        let times = attempts.entry(address).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= ATTEMPTS_PER_ADDRESS {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_attempts_until_the_window_slides() {
        let limiter = LoginLimiter::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..ATTEMPTS_PER_ADDRESS {
            assert!(limiter.attempt(a, t0).is_ok());
        }
        let wait = limiter
            .attempt(a, t0 + Duration::from_secs(60))
            .unwrap_err();
        assert_eq!(wait, WINDOW - Duration::from_secs(60));
        assert!(
            limiter.attempt(b, t0).is_ok(),
            "other addresses are not affected"
        );
        assert!(limiter.attempt(a, t0 + WINDOW).is_ok());
    }
}
