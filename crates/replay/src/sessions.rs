//! Reading ACN-style session files (plain CSV or gzip): one row a recorded session, columns
//! found by their header names; a bad row stops the read naming its line, or is skipped and
//! reported when the caller allows it.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use chrono::{DateTime, Utc};

/// One recorded session.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The line of the file it was read from (the header is line 1).
    pub line: usize,
    /// ACN's id.
    pub session_id: String,
    /// The EVSE it charged at, e.g. `CA-305`.
    pub station_id: String,
    pub arrival: DateTime<Utc>,
    pub departure: DateTime<Utc>,
    /// What the driver asked for; ACN fills in the delivered energy where they gave nothing.
    pub requested_kwh: f64,
    /// What the car actually took: the simulated car's battery accepts exactly this.
    pub delivered_kwh: f64,
    /// The driver's own estimate of when they would leave.
    pub estimated_departure: Option<DateTime<Utc>>,
    /// Whether a driver claimed the session in the app (so the request is real).
    pub claimed: bool,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// Why a session file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: the header has no column `{column}`")]
    MissingColumn { path: String, column: &'static str },
    #[error("{path}: {row} (give --skip-bad-rows to skip such rows)")]
    BadRow { path: String, row: BadRow },
    #[error("{path} holds no session")]
    Empty { path: String },
}

/// What a file held: its sessions (sorted by arrival) and the rows skipped.
#[derive(Debug, Clone, Default)]
pub struct SessionFile {
    pub sessions: Vec<Recorded>,
    pub skipped: Vec<BadRow>,
}

/// The columns read, by header name.
const COLUMNS: [&str; 8] = [
    "arrival",
    "departure",
    "requested_energy (kWh)",
    "delivered_energy (kWh)",
    "station_id",
    "session_id",
    "estimated_departure",
    "claimed",
];

/// Reads `path` (gzip when it ends in `.gz`); bad rows are an error unless `skip_bad_rows`.
///
/// # Errors
/// [`ReadError`] naming the file and, for a bad row, its line.
pub fn read_file(path: &Path, skip_bad_rows: bool) -> Result<SessionFile, ReadError> {
    let shown = path.display().to_string();
    let io = |source| ReadError::Io {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let read = read(BufReader::new(reader), skip_bad_rows).map_err(|error| match error {
        Failure::Io(source) => io(source),
        Failure::MissingColumn(column) => ReadError::MissingColumn {
            path: shown.clone(),
            column,
        },
        Failure::Row(row) => ReadError::BadRow {
            path: shown.clone(),
            row,
        },
    })?;
    if read.sessions.is_empty() {
        return Err(ReadError::Empty { path: shown });
    }
    Ok(read)
}

/// Why [`read`] stopped.
#[derive(Debug)]
pub enum Failure {
    Io(std::io::Error),
    MissingColumn(&'static str),
    Row(BadRow),
}

/// Reads sessions from CSV text; see [`read_file`].
///
/// # Errors
/// The first bad row (unless skipped), a missing column, or a read error.
pub fn read(input: impl BufRead, skip_bad_rows: bool) -> Result<SessionFile, Failure> {
    let mut lines = input.lines();
    let header = match lines.next() {
        Some(line) => line.map_err(Failure::Io)?,
        None => return Ok(SessionFile::default()),
    };
    let names: Vec<&str> = header
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(str::trim)
        .collect();
    let mut index = [0_usize; COLUMNS.len()];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|name| *name == column)
            .ok_or(Failure::MissingColumn(column))?;
    }
    let mut out = SessionFile::default();
    for (n, line) in lines.enumerate() {
        let line_no = n + 2;
        let text = line.map_err(|error| match error.kind() {
            std::io::ErrorKind::InvalidData => Failure::Row(BadRow {
                line: line_no,
                reason: "not UTF-8 text".to_owned(),
            }),
            _ => Failure::Io(error),
        })?;
        if text.trim().is_empty() {
            continue;
        }
        match parse_row(&text, &index, line_no) {
            Ok(session) => out.sessions.push(session),
            Err(reason) => {
                let row = BadRow {
                    line: line_no,
                    reason,
                };
                if !skip_bad_rows {
                    return Err(Failure::Row(row));
                }
                out.skipped.push(row);
            }
        }
    }
    out.sessions.sort_by_key(|s| s.arrival);
    Ok(out)
}

fn parse_row(text: &str, index: &[usize; COLUMNS.len()], line: usize) -> Result<Recorded, String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let field = |k: usize| {
        fields
            .get(index[k])
            .copied()
            .ok_or_else(|| format!("{} fields, no `{}`", fields.len(), COLUMNS[k]))
    };
    let time = |k: usize| {
        let value = field(k)?;
        parse_time(value).ok_or_else(|| format!("`{}` is not a time: {value:?}", COLUMNS[k]))
    };
    let kwh = |k: usize| {
        let value = field(k)?;
        value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("`{}` is not an energy in kWh: {value:?}", COLUMNS[k]))
    };
    let arrival = time(0)?;
    let departure = time(1)?;
    if departure <= arrival {
        return Err("the departure is not after the arrival".to_owned());
    }
    let station_id = field(4)?.to_owned();
    if station_id.is_empty() {
        return Err("no `station_id`".to_owned());
    }
    let estimated = field(6)?;
    let estimated_departure = if estimated.is_empty() {
        None
    } else {
        Some(
            parse_time(estimated)
                .ok_or_else(|| format!("`estimated_departure` is not a time: {estimated:?}"))?,
        )
    };
    let claimed = match field(7)? {
        "True" | "true" | "1" => true,
        "False" | "false" | "0" | "" => false,
        other => return Err(format!("`claimed` is not True or False: {other:?}")),
    };
    Ok(Recorded {
        line,
        session_id: field(5)?.to_owned(),
        station_id,
        arrival,
        departure,
        requested_kwh: kwh(2)?,
        delivered_kwh: kwh(3)?,
        estimated_departure,
        claimed,
    })
}

/// `2019-05-01 06:33:14-07:00` (ACN's form), or RFC 3339.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%:z")
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
