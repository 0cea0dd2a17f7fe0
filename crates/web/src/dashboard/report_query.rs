//! The reports' query string, `?period=day|week&date=YYYY-MM-DD[&table=sessions|summary]`:
//! parsed into a report period (default: the site's local today, one day), with the error to
//! show at its field when a value is not understood. The parsing itself is shared with the
//! operator API ([`crate::api::report_query`]).

use chargeplan_reports::{Period, PeriodKind};
use chrono::{Days, NaiveDate};
use serde::Deserialize;

pub(crate) use crate::api::report_query::{CsvTable, QueryError};

/// As sent by the filter form or a link.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct ReportQuery {
    pub(crate) period: Option<String>,
    pub(crate) date: Option<String>,
    /// CSV only: `sessions` (default) or `summary`.
    pub(crate) table: Option<String>,
}

impl ReportQuery {
    /// The period asked for; `today` is the site's local date now.
    pub(crate) fn period(&self, today: NaiveDate) -> Result<Period, QueryError> {
        crate::api::report_query::period(self.period.as_deref(), self.date.as_deref(), today)
    }

    /// The CSV table asked for.
    pub(crate) fn table(&self) -> Result<CsvTable, QueryError> {
        crate::api::report_query::table(self.table.as_deref())
    }
}

/// `period=day&date=2026-06-15` for a period, as links carry it.
pub(crate) fn period_query(period: &Period) -> String {
    let kind = match period.kind() {
        PeriodKind::Day => "day",
        PeriodKind::Week => "week",
    };
    format!(
        "period={kind}&date={}",
        period.first_day().format("%Y-%m-%d")
    )
}

/// The period before and after `period`, of the same kind.
pub(crate) fn neighbours(period: &Period) -> (Option<Period>, Option<Period>) {
    let days = Days::new(period.day_count());
    let make = |date: NaiveDate| match period.kind() {
        PeriodKind::Day => Period::day(date),
        PeriodKind::Week => Period::week_containing(date),
    };
    (
        period.first_day().checked_sub_days(days).map(make),
        period.first_day().checked_add_days(days).map(make),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn query(period: Option<&str>, day: Option<&str>) -> ReportQuery {
        ReportQuery {
            period: period.map(str::to_owned),
            date: day.map(str::to_owned),
            table: None,
        }
    }

    #[test]
    fn the_default_is_today_one_day() {
        let today = date("2026-06-15");
        assert_eq!(query(None, None).period(today), Ok(Period::day(today)));
        assert_eq!(
            query(Some(""), Some("")).period(today),
            Ok(Period::day(today))
        );
    }

    #[test]
    fn a_week_runs_from_monday() {
        let period = query(Some("week"), Some("2026-06-18"))
            .period(date("2026-06-01"))
            .unwrap();
        assert_eq!(period.first_day(), date("2026-06-15"));
        assert_eq!(period_query(&period), "period=week&date=2026-06-15");
        let (before, after) = neighbours(&period);
        assert_eq!(before.unwrap().first_day(), date("2026-06-08"));
        assert_eq!(after.unwrap().first_day(), date("2026-06-22"));
    }

    #[test]
    fn bad_values_are_errors_at_their_field() {
        let today = date("2026-06-15");
        assert_eq!(
            query(Some("month"), None).period(today).unwrap_err().field,
            "period"
        );
        assert_eq!(
            query(None, Some("15/06/2026"))
                .period(today)
                .unwrap_err()
                .field,
            "date"
        );
        let bad_table = ReportQuery {
            table: Some("all".into()),
            ..ReportQuery::default()
        };
        assert_eq!(bad_table.table().unwrap_err().field, "table");
    }
}
