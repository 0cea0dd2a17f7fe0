//! The question asked before a departure is taken that the driver may not have meant: a time
//! that has passed today (so it would be tomorrow) or one more than 14 hours ahead. The
//! answer is a plain form post carrying the departure confirmed, so it works without scripts.

use chrono::{DateTime, Duration, Utc};

use super::form::{FormContext, ParsedRequest, RequestForm};

/// A departure further ahead than this is asked about before it is saved.
pub const CONFIRM_AHEAD: Duration = Duration::hours(14);

/// What the page asks, and the departure a "yes" saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureQuestion {
    /// The departure the driver is asked to confirm.
    pub departure: DateTime<Utc>,
    /// "10:04 has passed — did you mean tomorrow, Sat 10:04?"
    pub question: String,
    /// The confirming button: "Yes, Sat 10:04".
    pub confirm_label: String,
}

/// The question to ask about `parsed` as typed in `form`, or `None` when its departure is
/// within [`CONFIRM_AHEAD`] or is the one the driver already confirmed (or saved before).
pub fn departure_question(
    parsed: &ParsedRequest,
    form: &RequestForm,
    ctx: &FormContext,
) -> Option<DepartureQuestion> {
    let ahead = parsed.departure - ctx.now;
    if ahead <= CONFIRM_AHEAD || form.confirmed.trim() == confirm_token(parsed.departure) {
        return None;
    }
    let local = parsed.departure.with_timezone(&ctx.tz);
    let today = ctx.now.with_timezone(&ctx.tz).date_naive();
    let typed = ctx.clock.time(local.time());
    let named = ctx.clock.with_weekday(parsed.departure, ctx.tz);
    let question = if local.date_naive() > today {
        format!("{typed} has passed — did you mean tomorrow, {named}?")
    } else {
        format!(
            "{typed} is {} hours from now — did you mean today, {named}?",
            ahead.num_hours()
        )
    };
    Some(DepartureQuestion {
        departure: parsed.departure,
        question,
        confirm_label: format!("Yes, {named}"),
    })
}

/// The value of the hidden `confirmed` field that says "yes" to `departure`.
pub fn confirm_token(departure: DateTime<Utc>) -> String {
    departure.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use chargeplan_core::ClockFormat;
    use chargeplan_core::EnergyNeed;
    use chrono_tz::Europe;

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// 10:34 BST on Friday 2026-06-05 in London.
    fn ctx(clock: ClockFormat) -> FormContext {
        FormContext {
            now: t("2026-06-05T09:34:00Z"),
            tz: Europe::London,
            wh_per_mile: 300.0,
            clock,
        }
    }

    fn form(departure: &str, confirmed: &str) -> RequestForm {
        RequestForm {
            departure: departure.into(),
            amount: "20".into(),
            unit: "kwh".into(),
            as_much_as_possible: false,
            confirmed: confirmed.into(),
        }
    }

    fn ask(f: &RequestForm, c: &FormContext) -> Option<DepartureQuestion> {
        let parsed = f.parse(c).unwrap();
        assert_eq!(parsed.need, EnergyNeed::Kwh(20.0));
        departure_question(&parsed, f, c)
    }

    #[test]
    fn a_time_that_has_passed_is_asked_about_as_tomorrow() {
        let c = ctx(ClockFormat::TwentyFourHour);
        let q = ask(&form("10:04", ""), &c).expect("a question");
        assert_eq!(q.departure, t("2026-06-06T09:04:00Z"));
        assert_eq!(
            q.question,
            "10:04 has passed — did you mean tomorrow, Sat 10:04?"
        );
        assert_eq!(q.confirm_label, "Yes, Sat 10:04");
    }

    #[test]
    fn the_question_is_in_the_sites_clock_format() {
        let c = ctx(ClockFormat::TwelveHour);
        let q = ask(&form("10:04 am", ""), &c).expect("a question");
        assert_eq!(
            q.question,
            "10:04 am has passed — did you mean tomorrow, Sat 10:04 am?"
        );
    }

    #[test]
    fn a_departure_later_today_but_more_than_14_hours_ahead_is_asked_about() {
        // 05:00 BST: 20:00 is fifteen hours away.
        let mut c = ctx(ClockFormat::TwentyFourHour);
        c.now = t("2026-06-05T04:00:00Z");
        let q = ask(&form("20:00", ""), &c).expect("a question");
        assert_eq!(
            q.question,
            "20:00 is 15 hours from now — did you mean today, Fri 20:00?"
        );
        // 19:00 is fourteen hours away: no question.
        assert_eq!(ask(&form("19:00", ""), &c), None);
    }

    #[test]
    fn an_overnight_departure_within_14_hours_is_not_asked_about() {
        // 22:00 BST: 07:00 tomorrow is nine hours away.
        let mut c = ctx(ClockFormat::TwentyFourHour);
        c.now = t("2026-06-05T21:00:00Z");
        assert_eq!(ask(&form("07:00", ""), &c), None);
    }

    #[test]
    fn a_confirmed_departure_is_not_asked_about_again() {
        let c = ctx(ClockFormat::TwentyFourHour);
        let yes = confirm_token(t("2026-06-06T09:04:00Z"));
        assert_eq!(yes, "2026-06-06T09:04:00Z");
        assert_eq!(ask(&form("10:04", &yes), &c), None);
        // A "yes" to another time does not count for this one.
        let q = ask(&form("10:05", &yes), &c).expect("still asked");
        assert_eq!(q.departure, t("2026-06-06T09:05:00Z"));
    }
}
