//! The reports' query values, `period=day|week`, `date=YYYY-MM-DD` and `table=sessions|summary`,
//! parsed for both the operator API and the dashboard: a report period (default: one day, the
//! site's local today) or a CSV table, else the field at fault with a sentence for a person;
//! and the CSV attachment both answer with.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chargeplan_core::SiteId;
use chargeplan_reports::{Period, PeriodKind, Report, summary_csv, to_csv};
use chrono::NaiveDate;

/// The report's sessions or summary as an RFC 4180 CSV attachment named
/// `chargeplan-{site}-{period}-{table}.csv`.
pub(crate) fn csv_attachment(
    report: &Report,
    site: &SiteId,
    period: Period,
    table: CsvTable,
) -> Response {
    let body = match table {
        CsvTable::Sessions => to_csv(report),
        CsvTable::Summary => summary_csv(report),
    };
    let filename = format!(
        "chargeplan-{site}-{}-{}.csv",
        period.label(),
        table.as_str()
    );
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// A query field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

/// The CSV table asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsvTable {
    Sessions,
    Summary,
}

impl CsvTable {
    /// `sessions` or `summary`, as the query and file names spell it.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Sessions => "sessions",
            Self::Summary => "summary",
        }
    }
}

/// The period named by `period` (`day`, the default, or `week`) and `date` (default `today`,
/// the site's local date now): that day, or the week from Monday that contains it.
pub(crate) fn period(
    period: Option<&str>,
    date: Option<&str>,
    today: NaiveDate,
) -> Result<Period, QueryError> {
    let kind = match period.map(str::trim) {
        None | Some("" | "day") => PeriodKind::Day,
        Some("week") => PeriodKind::Week,
        Some(_) => {
            return Err(QueryError {
                field: "period",
                message: "Choose a day or a week.".to_owned(),
            });
        }
    };
    let date = match date.map(str::trim) {
        None | Some("") => today,
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| QueryError {
            field: "date",
            message: "Enter the date as YYYY-MM-DD, for example 2026-06-15.".to_owned(),
        })?,
    };
    Ok(match kind {
        PeriodKind::Day => Period::day(date),
        PeriodKind::Week => Period::week_containing(date),
    })
}

/// The CSV table named by `table`: `sessions` (the default) or `summary`.
pub(crate) fn table(table: Option<&str>) -> Result<CsvTable, QueryError> {
    match table.map(str::trim) {
        None | Some("" | "sessions") => Ok(CsvTable::Sessions),
        Some("summary") => Ok(CsvTable::Summary),
        Some(_) => Err(QueryError {
            field: "table",
            message: "Choose the sessions or the summary table.".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_day_by_default_and_a_week_from_monday() {
        let today = date("2026-06-15");
        assert_eq!(period(None, None, today), Ok(Period::day(today)));
        assert_eq!(
            period(Some(" week "), Some("2026-06-18"), today).map(|p| p.first_day()),
            Ok(today)
        );
        assert_eq!(table(None), Ok(CsvTable::Sessions));
        assert_eq!(table(Some("summary")).map(CsvTable::as_str), Ok("summary"));
    }

    #[test]
    fn bad_values_name_their_field() {
        let today = date("2026-06-15");
        let field = |r: Result<Period, QueryError>| r.unwrap_err().field;
        assert_eq!(field(period(Some("month"), None, today)), "period");
        assert_eq!(field(period(None, Some("2026-13-01"), today)), "date");
        assert_eq!(table(Some("all")).unwrap_err().field, "table");
    }
}
