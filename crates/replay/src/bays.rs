//! Shared bays: on a site with fewer ports than cars, an arriving car takes any free port or
//! joins the line. While someone waits, the owner of a car that is done moves it a while after
//! being told (the "please move" text), and the first in line plugs in at once. A driver still
//! in line at their recorded departure leaves without charging.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

/// How a busy site shares its bays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bays {
    /// Ports in use: the first this many of the site's.
    pub ports: usize,
    /// How long an owner takes to move a car that is done, once told someone waits.
    pub move_after: Duration,
}

/// A car's battery counts as done with less room than this, kWh.
pub const DONE_ROOM_KWH: f64 = 0.05;

/// One driver in line.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    recorded: usize,
    arrival: DateTime<Utc>,
    departure: DateTime<Utc>,
}

/// The line, the free ports and what every driver went through, during one run.
#[derive(Debug, Clone)]
pub struct Line {
    bays: Bays,
    free: Vec<bool>,
    waiting: VecDeque<Waiting>,
    /// Per recorded session: how long it stood in line, s, until it got a port or left
    /// (`None`: it never waited).
    pub waited_s: Vec<Option<f64>>,
    /// Per recorded session: whether it left the line without a port.
    pub gave_up: Vec<bool>,
    /// Per recorded session: when its owner was told to move it (done while someone waited).
    told_at: Vec<Option<DateTime<Utc>>>,
}

impl Line {
    /// Every port in use free, nobody in line, for `sessions` recorded sessions.
    pub fn new(bays: Bays, site_ports: usize, sessions: usize) -> Self {
        Self {
            bays,
            free: vec![true; bays.ports.min(site_ports)],
            waiting: VecDeque::new(),
            waited_s: vec![None; sessions],
            gave_up: vec![false; sessions],
            told_at: vec![None; sessions],
        }
    }

    /// Drivers in line.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// A car arrives: the free port it takes (the lowest), or `None` when it joins the line.
    pub fn arrive(
        &mut self,
        recorded: usize,
        arrival: DateTime<Utc>,
        departure: DateTime<Utc>,
    ) -> Option<usize> {
        if let Some(port) = self.free.iter().position(|&f| f) {
            self.free[port] = false;
            return Some(port);
        }
        self.waiting.push_back(Waiting {
            recorded,
            arrival,
            departure,
        });
        None
    }

    /// `port` frees at `at`: the first in line still there takes it (their recorded session).
    pub fn freed(&mut self, port: usize, at: DateTime<Utc>) -> Option<usize> {
        self.leave_line(at);
        match self.waiting.pop_front() {
            Some(next) => {
                self.waited_s[next.recorded] =
                    Some((at - next.arrival).num_milliseconds() as f64 / 1e3);
                Some(next.recorded)
            }
            None => {
                if let Some(free) = self.free.get_mut(port) {
                    *free = true;
                }
                None
            }
        }
    }

    /// Drivers whose departure came while in line leave it without charging.
    pub fn leave_line(&mut self, at: DateTime<Utc>) {
        let (gave_up, waited_s) = (&mut self.gave_up, &mut self.waited_s);
        self.waiting.retain(|w| {
            let gone = w.departure <= at;
            if gone {
                gave_up[w.recorded] = true;
                waited_s[w.recorded] =
                    Some((w.departure - w.arrival).num_milliseconds() as f64 / 1e3);
            }
            !gone
        });
    }

    /// The next instant a driver in line leaves it.
    pub fn next_leaving(&self) -> Option<DateTime<Utc>> {
        self.waiting.iter().map(|w| w.departure).min()
    }

    /// Notes that the car of `recorded` is done at `at`: its owner is told to move it when
    /// someone waits (once).
    pub fn done(&mut self, recorded: usize, at: DateTime<Utc>) {
        if !self.waiting.is_empty() && self.told_at[recorded].is_none() {
            self.told_at[recorded] = Some(at);
        }
    }

    /// When the car of `recorded` leaves its port: its recorded departure, or earlier when its
    /// owner was told to move it.
    pub fn leaves_at(&self, recorded: usize, departure: DateTime<Utc>) -> DateTime<Utc> {
        self.told_at[recorded].map_or(departure, |told| departure.min(told + self.bays.move_after))
    }
}

/// What the drivers of one run went through in line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSummary {
    /// Drivers who found every port taken.
    pub queued: usize,
    /// Of them, those who left without a port.
    pub gave_up: usize,
    /// Owners told to move a car that was done while someone waited.
    pub told_to_move: usize,
    /// Time in line of those who queued, minutes: mean, median and longest.
    pub wait_min_mean: f64,
    pub wait_min_p50: f64,
    pub wait_min_max: f64,
}

impl Line {
    /// The drivers' time in line, summed up.
    pub fn summary(&self) -> LineSummary {
        let minutes: Vec<f64> = self.waited_s.iter().flatten().map(|s| s / 60.0).collect();
        LineSummary {
            queued: minutes.len(),
            gave_up: self.gave_up.iter().filter(|&&g| g).count(),
            told_to_move: self.told_at.iter().flatten().count(),
            wait_min_mean: if minutes.is_empty() {
                0.0
            } else {
                minutes.iter().sum::<f64>() / minutes.len() as f64
            },
            wait_min_p50: crate::report::quantile(&minutes, 0.5),
            wait_min_max: minutes.iter().copied().fold(0.0, f64::max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(min)
    }

    fn line(ports: usize) -> Line {
        let bays = Bays {
            ports,
            move_after: Duration::minutes(15),
        };
        Line::new(bays, 10, 5)
    }

    #[test]
    fn a_car_takes_the_lowest_free_port_and_queues_when_none_is_free() {
        let mut line = line(2);
        assert_eq!(line.arrive(0, at(0), at(600)), Some(0));
        assert_eq!(line.arrive(1, at(1), at(600)), Some(1));
        assert_eq!(line.arrive(2, at(2), at(600)), None);
        assert_eq!(line.len(), 1);
        assert_eq!(line.freed(1, at(32)), Some(2));
        assert_eq!(line.waited_s[2], Some(1800.0));
        assert!(line.is_empty());
        // Nobody waits: the port is free for the next arrival.
        assert_eq!(line.freed(0, at(40)), None);
        assert_eq!(line.arrive(3, at(41), at(600)), Some(0));
    }

    #[test]
    fn a_driver_whose_departure_comes_in_line_gives_up() {
        let mut line = line(1);
        line.arrive(0, at(0), at(600));
        line.arrive(1, at(1), at(30));
        line.arrive(2, at(2), at(600));
        assert_eq!(line.next_leaving(), Some(at(30)));
        assert_eq!(line.freed(0, at(45)), Some(2));
        assert!(line.gave_up[1]);
        assert!(!line.gave_up[2]);
        assert_eq!(line.waited_s[1], Some(29.0 * 60.0));
        let summary = line.summary();
        assert_eq!(
            (summary.queued, summary.gave_up, summary.told_to_move),
            (2, 1, 0)
        );
        assert!((summary.wait_min_mean - 36.0).abs() < 1e-9, "{summary:?}");
        assert!((summary.wait_min_max - 43.0).abs() < 1e-9, "{summary:?}");
    }

    #[test]
    fn a_done_car_is_moved_only_when_someone_waits() {
        let mut line = line(1);
        line.arrive(0, at(0), at(600));
        line.done(0, at(60));
        assert_eq!(line.leaves_at(0, at(600)), at(600));
        line.arrive(1, at(70), at(600));
        line.done(0, at(75));
        assert_eq!(line.leaves_at(0, at(600)), at(90));
        // Told once: a later note does not push the move back.
        line.done(0, at(80));
        assert_eq!(line.leaves_at(0, at(600)), at(90));
        // A departure before the move stays the departure.
        assert_eq!(line.leaves_at(0, at(85)), at(85));
    }
}
