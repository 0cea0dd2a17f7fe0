//! The estimated wait of a place in line, from the current plan: the k-th in line gets the
//! k-th port to free. A free (or done) port frees now, a charging car's port when the plan
//! delivers its request (else at its stated departure or the default stay); a held port is
//! spoken for and does not count.

use chrono::{DateTime, Duration, Utc};

use super::ports::{PortState, PortStatus};

/// When each port is expected to be free for the line, earliest first.
pub fn freeing_times(ports: &[PortStatus], now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut times: Vec<DateTime<Utc>> = ports
        .iter()
        .filter_map(|port| match port.state {
            PortState::Held { .. } => None,
            PortState::Free => Some(now),
            PortState::Done(_) | PortState::Charging | PortState::Idle => {
                port.car.as_ref().map(|car| car.expected_free_at.max(now))
            }
        })
        .collect();
    times.sort();
    times
}

/// The wait of the `position`-th in line (1-based), or `None` when the site has fewer ports
/// that will free than that.
pub fn wait_for_position(
    ports: &[PortStatus],
    position: usize,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let times = freeing_times(ports, now);
    let at = times.get(position.checked_sub(1)?)?;
    Some(*at - now)
}

/// A wait in words: "under a minute", "about 25 min", "about 1 h 10 min".
pub fn wait_words(wait: Duration) -> String {
    let minutes = wait.num_minutes();
    if minutes < 1 {
        return "under a minute".to_owned();
    }
    // Round to 5 minutes above a quarter of an hour: the plan is not more exact than that.
    let rounded = if minutes > 15 {
        (minutes + 2) / 5 * 5
    } else {
        minutes
    };
    let (hours, rest) = (rounded / 60, rounded % 60);
    match (hours, rest) {
        (0, m) => format!("about {m} min"),
        (h, 0) => format!("about {h} h"),
        (h, m) => format!("about {h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{PortId, SessionId};

    use super::*;
    use crate::waitlist::ports::{CarStatus, DoneReason};

    fn now() -> DateTime<Utc> {
        "2026-06-15T16:00:00Z".parse().expect("time")
    }

    fn port(id: &str, state: PortState, free_in_min: Option<i64>) -> PortStatus {
        PortStatus {
            port_id: PortId::parse(id).expect("id"),
            cable_movable: false,
            state,
            offered: false,
            car: free_in_min.map(|m| CarStatus {
                session_id: SessionId::parse(&format!("s-{id}")).expect("id"),
                energy_kwh: 5.0,
                requested_kwh: Some(20.0),
                power_kw: 6.6,
                planned_completion: Some(now() + Duration::minutes(m)),
                expected_free_at: now() + Duration::minutes(m),
                owner_back_at: None,
                ok_to_unplug: false,
            }),
        }
    }

    #[test]
    fn the_kth_in_line_waits_for_the_kth_port_to_free() {
        let ports = [
            port("p1", PortState::Charging, Some(90)),
            port("p2", PortState::Charging, Some(30)),
            port("p3", PortState::Done(DoneReason::RequestMet), Some(0)),
        ];
        assert_eq!(wait_for_position(&ports, 1, now()), Some(Duration::zero()));
        assert_eq!(
            wait_for_position(&ports, 2, now()),
            Some(Duration::minutes(30))
        );
        assert_eq!(
            wait_for_position(&ports, 3, now()),
            Some(Duration::minutes(90))
        );
        assert_eq!(wait_for_position(&ports, 4, now()), None);
    }

    #[test]
    fn a_held_port_does_not_free_for_the_line() {
        let until = now() + Duration::minutes(15);
        let ports = [
            port("p1", PortState::Held { until }, None),
            port("p2", PortState::Charging, Some(45)),
        ];
        assert_eq!(
            wait_for_position(&ports, 1, now()),
            Some(Duration::minutes(45))
        );
        assert_eq!(wait_for_position(&ports, 2, now()), None);
    }

    #[test]
    fn waits_are_said_in_round_minutes_and_hours() {
        assert_eq!(wait_words(Duration::seconds(20)), "under a minute");
        assert_eq!(wait_words(Duration::minutes(7)), "about 7 min");
        assert_eq!(wait_words(Duration::minutes(24)), "about 25 min");
        assert_eq!(wait_words(Duration::minutes(60)), "about 1 h");
        assert_eq!(wait_words(Duration::minutes(71)), "about 1 h 10 min");
    }
}
