//! The board's view model: every port's state in words, and the line — built from the port
//! states alone, so it cannot carry a name, number, member ID or plate.

use chargeplan_control::waitlist::estimate;
use chargeplan_control::waitlist::ports::{DoneReason, PortState, PortStatus};
use chargeplan_core::format_local_time;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// One port as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PortRow {
    /// The port's name ("port 12").
    pub(crate) label: String,
    /// The state in words: "Free", "Charging", "Done", "Not drawing", "Held".
    pub(crate) state: &'static str,
    /// The CSS class of the state's badge.
    pub(crate) class: &'static str,
    /// Facts about the car or the hold, one short sentence each.
    pub(crate) details: Vec<String>,
}

/// The whole board at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BoardView {
    pub(crate) site_name: String,
    pub(crate) ports: Vec<PortRow>,
    pub(crate) free: usize,
    pub(crate) waiting: usize,
    /// "A charger is free now" or "Next charger expected free in about 25 min".
    pub(crate) outlook: String,
    /// When the board was made, site time ("14:05").
    pub(crate) updated: String,
}

/// The board of `site_name` from its port states at `now` with `waiting` drivers in line.
pub(crate) fn board(
    site_name: &str,
    ports: &[PortStatus],
    waiting: usize,
    tz: Tz,
    now: DateTime<Utc>,
) -> BoardView {
    let rows = ports.iter().map(|port| row(port, tz, now)).collect();
    let free = ports
        .iter()
        .filter(|p| p.state == PortState::Free && !p.offered)
        .count();
    let outlook = match estimate::wait_for_position(ports, waiting + 1, now) {
        Some(wait) if wait < Duration::minutes(1) => {
            "The next charger should be free now.".to_owned()
        }
        Some(wait) => format!(
            "Next charger expected free in {}.",
            estimate::wait_words(wait)
        ),
        None => "No estimate yet: every charger is spoken for.".to_owned(),
    };
    BoardView {
        site_name: site_name.to_owned(),
        ports: rows,
        free,
        waiting,
        outlook,
        updated: now.with_timezone(&tz).format("%H:%M").to_string(),
    }
}

fn row(port: &PortStatus, tz: Tz, now: DateTime<Utc>) -> PortRow {
    let (state, class) = match port.state {
        PortState::Free if port.offered => ("Free — offered to the next in line", "free"),
        PortState::Free => ("Free", "free"),
        PortState::Held { .. } => ("Held", "held"),
        PortState::Charging => ("Charging", "charging"),
        PortState::Done(_) => ("Done", "done"),
        PortState::Idle => ("Not drawing", "idle"),
    };
    let mut details = Vec::new();
    if let PortState::Held { until } = port.state {
        details.push(format!(
            "Held for a driver from the waitlist until {}",
            format_local_time(until, tz, now)
        ));
    }
    if let PortState::Done(reason) = port.state {
        details.push(
            match reason {
                DoneReason::RequestMet => "Has the charge it asked for",
                DoneReason::StoppedDrawing => "Stopped drawing power",
            }
            .to_owned(),
        );
    }
    if let Some(car) = &port.car {
        details.push(match car.requested_kwh {
            Some(requested) => format!("{} of {} kWh", kwh(car.energy_kwh), kwh(requested)),
            None => format!("{} kWh so far", kwh(car.energy_kwh)),
        });
        if !matches!(port.state, PortState::Done(_))
            && let Some(done) = car.planned_completion.filter(|at| *at > now)
        {
            details.push(format!("Planned to finish {}", by_time(done, tz, now)));
        }
        if let Some(back) = car.owner_back_at.filter(|at| *at > now) {
            details.push(format!(
                "Owner back around {}",
                format_local_time(back, tz, now)
            ));
        }
        if car.ok_to_unplug {
            details.push("OK to unplug".to_owned());
        }
    }
    PortRow {
        label: format!("Port {}", port.port_id.as_str()),
        state,
        class,
        details,
    }
}

/// "at 15:10", or "on Mon 07:30" on another day.
fn by_time(at: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    let words = format_local_time(at, tz, now);
    if words.contains(' ') {
        format!("on {words}")
    } else {
        format!("at {words}")
    }
}

fn kwh(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
