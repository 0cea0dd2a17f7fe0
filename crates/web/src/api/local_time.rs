//! Times as a site's operators read them: RFC 3339 with the site's UTC offset.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// `at` on the site's clock, e.g. `2026-06-15T09:00:00-07:00`.
pub(crate) fn local(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_carry_the_offset_of_the_day() {
        let winter: DateTime<Utc> = "2026-01-15T17:00:00Z".parse().unwrap();
        let summer: DateTime<Utc> = "2026-06-15T16:00:00Z".parse().unwrap();
        let la = chrono_tz::America::Los_Angeles;
        assert_eq!(local(la, winter), "2026-01-15T09:00:00-08:00");
        assert_eq!(local(la, summer), "2026-06-15T09:00:00-07:00");
    }
}
