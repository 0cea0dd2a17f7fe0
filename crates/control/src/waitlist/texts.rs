//! The words of every waitlist and "done charging" text. Nothing here names or numbers
//! another driver: waiting drivers are counted, never described.

use chargeplan_core::Site;
use chrono::{DateTime, Duration, Utc};

use super::estimate::wait_words;

/// "Your car is done (20 kWh)…", with the line when someone waits.
pub fn done(kwh: f64, reminder: bool, waiting: usize, longest: Option<Duration>) -> String {
    let lead = if reminder {
        "Reminder: your car is done"
    } else {
        "Your car is done"
    };
    format!(
        "{lead} ({}). Please move it so others can charge.{}",
        kwh_words(kwh),
        waiting_words(waiting, longest)
    )
}

fn waiting_words(waiting: usize, longest: Option<Duration>) -> String {
    let since = longest
        .filter(|d| d.num_minutes() >= 1)
        .map(|d| d.num_minutes());
    match (waiting, since) {
        (0, _) => String::new(),
        (1, Some(m)) => format!(" 1 driver has been waiting {m} min for a charger."),
        (1, None) => " 1 driver is waiting for a charger.".to_owned(),
        (n, Some(m)) => format!(" {n} drivers are waiting for a charger, the first for {m} min."),
        (n, None) => format!(" {n} drivers are waiting for a charger."),
    }
}

/// The offer of a freed port.
pub fn offer(site: &str, port: &str, minutes: u32) -> String {
    format!(
        "A charger at {site} is free (port {port}). Reply TAKE within {minutes} min to hold it, or SKIP."
    )
}

/// The one-time code of joining from the board.
pub fn verification_code(site: &str, code: &str, minutes: i64) -> String {
    format!("Your code to join the waitlist at {site} is {code}. It expires in {minutes} minutes.")
}

/// The answer to joining, or asking again while on the list.
pub fn joined(site: &str, position: usize, wait: Option<Duration>, already: bool) -> String {
    let lead = if already {
        format!("You're already on the waitlist at {site}: number {position}.")
    } else {
        format!("You're on the waitlist at {site}: number {position}.")
    };
    let estimate = match wait {
        Some(wait) if wait < Duration::minutes(1) => " A charger should be free now.".to_owned(),
        Some(wait) => format!(" Estimated wait: {}.", wait_words(wait)),
        None => " We can't estimate the wait yet.".to_owned(),
    };
    format!(
        "{lead}{estimate} We'll text you when a charger is free. Reply LEAVE to leave the list."
    )
}

/// A port held for the driver who took it, the time in the site's clock format.
pub fn held(site: &Site, port: &str, until: DateTime<Utc>) -> String {
    format!(
        "Port {port} at {} is held for you until {}. Plug in there.",
        site.name,
        site.clock.time(until.with_timezone(&site.time_zone).time())
    )
}

/// The answer to SKIP (or the text after no answer), when the driver stays in line.
pub fn still_in_line(site: &str, position: usize, timed_out: bool) -> String {
    let lead = if timed_out {
        "No answer in time, so we offered the charger to the next driver."
    } else {
        "OK, skipped."
    };
    format!("{lead} You're still number {position} on the waitlist at {site}.")
}

/// The answer to SKIP, or the text after no answer, when it was the last skip allowed.
pub fn removed_after_skips(site: &str, site_code: &str, skips: u32) -> String {
    format!(
        "You've passed on {skips} offers, so we took you off the waitlist at {site}. Text WAIT {site_code} to join again."
    )
}

/// A different car plugged into the port held for the driver.
pub fn displaced(site: &str, port: &str) -> String {
    format!(
        "Another car plugged into port {port}, which was held for you. Sorry — you're still first in line at {site}."
    )
}

/// The car took the port before the driver answered the offer.
pub fn offer_withdrawn(site: &str, port: &str) -> String {
    format!(
        "Port {port} was taken by a car before you answered. You're still first in line at {site}."
    )
}

/// The hold ran out without the driver plugging in.
pub fn hold_lapsed(site: &str, site_code: &str, port: &str) -> String {
    format!(
        "Your hold on port {port} at {site} has ended, so we took you off the waitlist. Text WAIT {site_code} to join again."
    )
}

/// The answer to LEAVE.
pub fn left(sites: &[String]) -> String {
    match sites {
        [] => "You're not on a waitlist.".to_owned(),
        [one] => format!("You've left the waitlist at {one}."),
        many => format!("You've left the waitlists at {}.", many.join(", ")),
    }
}

/// TAKE or SKIP without an open offer.
pub fn no_offer(position: Option<(&str, usize)>) -> String {
    match position {
        Some((site, n)) => format!(
            "There's no charger offered to you right now. You're number {n} on the waitlist at {site}."
        ),
        None => "You're not on a waitlist. Text WAIT and the site's code to join.".to_owned(),
    }
}

/// Joining again while a port is held for the driver.
pub fn holding(site: &str) -> String {
    format!("A charger at {site} is held for you; see our last text for the port.")
}

/// TAKE after the deadline.
pub fn offer_expired() -> String {
    "Sorry, that offer has expired and went to the next driver.".to_owned()
}

/// `WAIT <code>` for a code that is no site.
pub fn unknown_site(code: &str) -> String {
    let shown: String = code.chars().filter(|c| !c.is_control()).take(20).collect();
    format!(
        "We don't know a charging site with the code \"{shown}\". Check the code on the sign at the charger."
    )
}

/// `WAIT` alone when the site is not clear.
pub fn which_site() -> String {
    "Which site? Text WAIT and the site's code, e.g. WAIT caltech. The code is on the sign at the charger.".to_owned()
}

fn kwh_words(kwh: f64) -> String {
    if kwh >= 10.0 {
        format!("{kwh:.0} kWh")
    } else {
        format!("{kwh:.1} kWh")
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{ClockFormat, Country, SiteId};

    use super::*;

    #[test]
    fn a_held_port_is_held_until_a_time_in_the_sites_clock_format() {
        let site = Site::new(
            SiteId::parse("s").unwrap(),
            "Lot B",
            "America/Los_Angeles",
            5,
        )
        .unwrap()
        .with_locale(ClockFormat::TwelveHour, Country::default());
        let until: DateTime<Utc> = "2026-06-15T23:15:00Z".parse().unwrap();
        assert_eq!(
            held(&site, "p1", until),
            "Port p1 at Lot B is held for you until 4:15 pm. Plug in there."
        );
    }

    #[test]
    fn the_done_text_counts_waiting_drivers_and_never_names_them() {
        assert_eq!(
            done(20.04, false, 0, None),
            "Your car is done (20 kWh). Please move it so others can charge."
        );
        assert_eq!(
            done(20.0, true, 2, Some(Duration::minutes(25))),
            "Reminder: your car is done (20 kWh). Please move it so others can charge. \
             2 drivers are waiting for a charger, the first for 25 min."
        );
        assert!(
            done(7.25, false, 1, Some(Duration::minutes(3)))
                .contains("1 driver has been waiting 3 min")
        );
    }

    #[test]
    fn the_offer_names_the_site_the_port_and_the_deadline() {
        assert_eq!(
            offer("Caltech garage", "12", 10),
            "A charger at Caltech garage is free (port 12). Reply TAKE within 10 min to hold it, or SKIP."
        );
    }

    #[test]
    fn joining_says_the_position_and_the_wait() {
        let text = joined("Depot", 3, Some(Duration::minutes(40)), false);
        assert!(
            text.starts_with(
                "You're on the waitlist at Depot: number 3. Estimated wait: about 40 min."
            ),
            "{text}"
        );
        assert!(joined("Depot", 1, None, true).contains("already"));
    }

    #[test]
    fn an_unknown_code_is_quoted_short_and_without_control_characters() {
        let text = unknown_site("x\u{7}yz-a-very-long-code-indeed-12345");
        assert!(text.contains("\"xyz-a-very-long-code\""), "{text}");
    }
}
