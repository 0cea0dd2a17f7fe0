//! Timestamps as stored: microseconds since the Unix epoch, exact on both backends.

use chrono::{DateTime, Utc};

use crate::StoreError;

pub(crate) fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub(crate) fn from_micros(micros: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StoreError::corrupt("timestamp", format!("{micros} is out of range")))
}

pub(crate) fn opt_from_micros(micros: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    micros.map(from_micros).transpose()
}
