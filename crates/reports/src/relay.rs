//! The relay's figures of a period: threads opened between waiting drivers and owners,
//! owners' replies relayed to the waiting drivers, and how long owners took to answer.

use std::collections::HashMap;

use chargeplan_core::SiteId;
use chargeplan_store::{RelayLogEntry, RelaySender, RelayThread};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::period::PeriodBounds;
use crate::summary::{median, round3};

/// The relay's figures of the threads opened in the period (void threads to an unknown or
/// blocked ID excluded), each thread as a whole, replies after the period's end included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelaySummary {
    /// Real threads opened in the period: a waiting driver reached an owner.
    pub threads_opened: u64,
    /// Of them, those the owner replied to.
    pub threads_answered: u64,
    /// Owners' texts relayed to the waiting drivers in those threads.
    pub replies_relayed: u64,
    /// Median time from a thread's opening to the owner's first relayed reply, in minutes,
    /// over the answered threads; `None` when none was answered.
    pub median_first_reply_min: Option<f64>,
}

/// Whether a log line is an owner's text relayed to the waiting driver (`relayed`,
/// `relayed:ok`, `relayed:return_time`, …). SHARE, BLOCK and CLOSE are not replies.
fn is_owner_reply(line: &RelayLogEntry) -> bool {
    line.sender == RelaySender::Owner
        && (line.outcome == "relayed" || line.outcome.starts_with("relayed:"))
}

/// The figures of `threads` opened at `site` within `bounds`, from the log lines of those
/// threads (`log` may hold any others: they are ignored).
pub(crate) fn relay_summary(
    site: &SiteId,
    bounds: PeriodBounds,
    threads: &[RelayThread],
    log: &[RelayLogEntry],
) -> RelaySummary {
    let opened: HashMap<&str, DateTime<Utc>> = threads
        .iter()
        .filter(|t| {
            t.site_id.as_ref() == Some(site)
                && t.void_reason.is_none()
                && bounds.from <= t.opened_at
                && t.opened_at < bounds.to
        })
        .map(|t| (t.id.as_str(), t.opened_at))
        .collect();
    let mut replies = 0;
    let mut first_reply: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for line in log.iter().filter(|l| is_owner_reply(l)) {
        let Some(id) = line.thread_id.as_deref() else {
            continue;
        };
        if !opened.contains_key(id) {
            continue;
        }
        replies += 1;
        first_reply
            .entry(id)
            .and_modify(|at| *at = (*at).min(line.at))
            .or_insert(line.at);
    }
    let mut waits: Vec<f64> = first_reply
        .iter()
        .map(|(id, at)| (*at - opened[id]).num_milliseconds().max(0) as f64 / 60_000.0)
        .collect();
    waits.sort_by(f64::total_cmp);
    RelaySummary {
        threads_opened: opened.len() as u64,
        threads_answered: waits.len() as u64,
        replies_relayed: replies,
        median_first_reply_min: median(&waits).map(round3),
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::{MemberId, PhoneNumber, ThreadCode};
    use chrono::Duration;

    use super::*;
    use crate::period::Period;
    use crate::test_fixtures::{date, site_id, t};

    fn thread(id: &str, opened: &str, void: bool) -> RelayThread {
        let at = t(opened);
        RelayThread {
            id: id.into(),
            code: ThreadCode::parse("K7").expect("code"),
            member_id: MemberId::parse("K7QX2M").expect("member id"),
            site_id: Some(site_id()),
            owner: None,
            owner_phone: Some(PhoneNumber::parse("+15005550101").expect("phone")),
            waiter_phone: PhoneNumber::parse("+15005550202").expect("phone"),
            session_id: None,
            void_reason: void.then(|| "unknown_member".to_owned()),
            opened_at: at,
            last_message_at: at,
            closes_at: at + Duration::hours(4),
            closed_at: None,
            owner_shared: false,
            waiter_shared: false,
        }
    }

    fn line(thread: &str, sender: RelaySender, at: &str, outcome: &str) -> RelayLogEntry {
        RelayLogEntry {
            thread_id: Some(thread.into()),
            site_id: Some(site_id()),
            at: t(at),
            sender,
            sender_phone: PhoneNumber::parse("+15005550101").expect("phone"),
            outcome: outcome.into(),
            body: None,
        }
    }

    fn summary(threads: &[RelayThread], log: &[RelayLogEntry]) -> RelaySummary {
        let bounds = Period::day(date("2026-06-15")).bounds(chrono_tz::America::Los_Angeles);
        relay_summary(&site_id(), bounds, threads, log)
    }

    #[test]
    fn the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4.0]), Some(4.0));
        assert_eq!(median(&[1.0, 3.0, 10.0]), Some(3.0));
        assert_eq!(median(&[1.0, 3.0, 5.0, 10.0]), Some(4.0));
    }

    #[test]
    fn only_owners_relayed_replies_in_real_threads_of_the_period_count() {
        use RelaySender::{Owner, Stranger, Waiter};
        let threads = [
            thread("a", "2026-06-15T16:00:00Z", false),
            thread("b", "2026-06-15T17:00:00Z", false),
            thread("c", "2026-06-15T18:00:00Z", false),
            thread("void", "2026-06-15T18:00:00Z", true),
            thread("before", "2026-06-14T18:00:00Z", false),
        ];
        let log = [
            line("a", Waiter, "2026-06-15T16:00:00Z", "opened"),
            line("a", Owner, "2026-06-15T16:10:00Z", "relayed:return_time"),
            line("a", Owner, "2026-06-15T16:30:00Z", "relayed"),
            line("a", Owner, "2026-06-15T16:31:00Z", "shared"),
            line("b", Waiter, "2026-06-15T17:00:00Z", "opened"),
            line("b", Waiter, "2026-06-15T17:01:00Z", "relayed"),
            line("b", Owner, "2026-06-15T17:05:00Z", "blocked"),
            line("b", Owner, "2026-06-15T17:20:00Z", "relayed:ok"),
            line("c", Stranger, "2026-06-15T18:05:00Z", "refused:not_a_party"),
            line("void", Owner, "2026-06-15T18:05:00Z", "relayed"),
            line("before", Owner, "2026-06-15T16:05:00Z", "relayed"),
        ];
        assert_eq!(
            summary(&threads, &log),
            RelaySummary {
                threads_opened: 3,
                threads_answered: 2,
                replies_relayed: 3,
                median_first_reply_min: Some(15.0),
            }
        );
    }

    #[test]
    fn a_period_without_threads_has_no_median() {
        assert_eq!(
            summary(&[], &[]),
            RelaySummary {
                threads_opened: 0,
                threads_answered: 0,
                replies_relayed: 0,
                median_first_reply_min: None,
            }
        );
    }
}
