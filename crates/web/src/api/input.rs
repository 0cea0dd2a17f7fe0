//! Reading what an operator sends: JSON bodies and query strings whose errors name the field
//! (`windows[1].cap_kw`), and the checks shared by several resources (powers, times, days).

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use chargeplan_core::{Kilowatts, LocalWindow, WeekdaySet};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;

/// A JSON body of type `T`. Unknown fields are rejected by `T` itself
/// (`#[serde(deny_unknown_fields)]`); a missing or mistyped field answers 422 naming it. A
/// whole number written with a fraction (`6.0`) is read as the integer it is, as JSON Schema
/// counts it one.
/// Handlers take `Result<Body<T>, ApiError>` and look at it only after checking the caller's
/// access to the site, so a body sent to another site's route learns nothing.
#[derive(Debug)]
pub(crate) struct Body<T>(pub(crate) T);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(mut value) = Json::<Value>::from_request(request, state).await?;
        whole_numbers_as_integers(&mut value);
        from_value(value).map(Self)
    }
}

/// The path parameters as `T`. A path axum cannot read (a percent-encoded byte that is not
/// UTF-8) answers 400 in the API's error shape.
#[derive(Debug)]
pub(crate) struct Path<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(path) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(path))
    }
}

/// Rewrites every number of `value` that is whole (`6.0`) as an integer (`6`), so that
/// integer fields accept it; float fields read integers as well.
fn whole_numbers_as_integers(value: &mut Value) {
    /// Beyond 2^53 a float no longer holds every integer exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() <= EXACT
            {
                #[expect(clippy::cast_possible_truncation, reason = "whole and within 2^53")]
                let whole = float as i64;
                *number = whole.into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Bool(_) | Value::Null | Value::String(_) => {}
    }
}

/// The query string as `T`: every parameter is a string there (see [`Body`] for errors). A
/// parameter given empty (`?date=`) is refused naming it: leave it out for its default.
#[derive(Debug)]
pub(crate) struct Params<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for Params<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|error| ApiError::Invalid {
                field: None,
                message: format!("the query string is not valid: {error}"),
            })?;
        let mut map = Map::new();
        for (name, value) in pairs {
            if value.trim().is_empty() {
                return Err(ApiError::invalid_at(
                    name.clone(),
                    format!("{name}: empty; leave it out for its default"),
                ));
            }
            if map.insert(name.clone(), Value::String(value)).is_some() {
                return Err(ApiError::invalid_at(
                    name.clone(),
                    format!("{name}: given more than once"),
                ));
            }
        }
        from_value(Value::Object(map)).map(Self)
    }
}

/// Deserializes `value`, naming the field at fault in the error.
fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let reason = error.inner().to_string();
        let field = field_of(&path, &reason);
        match field {
            Some(field) => ApiError::invalid_at(field.clone(), format!("{field}: {reason}")),
            None => ApiError::Invalid {
                field: None,
                message: format!("the body must be a JSON object: {reason}"),
            },
        }
    })
}

/// The field an error is about: its path, plus the name serde quotes for a missing or
/// unknown field (`missing field `cap_kw``), whose path is the object holding it.
fn field_of(path: &str, reason: &str) -> Option<String> {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| reason.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let path = (path != ".").then_some(path);
    match (path, named) {
        (Some(path), Some(name)) if !path.ends_with(name) => Some(format!("{path}.{name}")),
        (Some(path), _) => Some(path.to_owned()),
        (None, Some(name)) => Some(name.to_owned()),
        (None, None) => None,
    }
}

/// A power in kW for `field`, from 0 to the largest accepted power.
pub(crate) fn power(field: String, kw: f64) -> Result<Kilowatts, ApiError> {
    Kilowatts::new(kw).map_err(|error| relabel(field, &error))
}

/// A cap in kW for `field`: more than 0 kW.
pub(crate) fn cap(field: String, kw: f64) -> Result<Kilowatts, ApiError> {
    let cap = power(field.clone(), kw)?;
    if cap.get() <= 0.0 {
        return Err(ApiError::invalid_at(
            field.clone(),
            format!("{field}: must be more than 0 kW"),
        ));
    }
    Ok(cap)
}

/// A core validation error, reported under the API's name for the field.
pub(crate) fn relabel(field: String, error: &chargeplan_core::ValueError) -> ApiError {
    let chargeplan_core::ValueError::Invalid { reason, .. } = error;
    ApiError::invalid_at(field.clone(), format!("{field}: {reason}"))
}

/// An RFC 3339 time from the query or a body (any offset; kept as UTC).
pub(crate) fn time(field: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::invalid_at(
                field.to_owned(),
                format!("{field}: '{text}' is not an RFC 3339 time such as 2026-06-15T16:00:00Z"),
            )
        })
}

/// A `[from, to)` range from the query. `to` defaults to now (this second included), `from`
/// to `default_span` before `to`; `from` must come before `to` and the range may span at most
/// `max_days` days.
pub(crate) fn range(
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
    default_span: Duration,
    max_days: i64,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let to = match to {
        Some(text) => time("to", text)?,
        None => now + Duration::seconds(1),
    };
    let from = match from {
        Some(text) => time("from", text)?,
        None => to - default_span,
    };
    if from >= to {
        return Err(ApiError::invalid("from", "from: must be before to"));
    }
    if to - from > Duration::days(max_days) {
        return Err(ApiError::invalid(
            "from",
            format!("from: the range may span at most {max_days} days"),
        ));
    }
    Ok((from, to))
}

/// A weekly window in site local time from its API form: day names, `HH:MM` start and end.
/// `prefix` is where it sits in the body (`windows[0]`).
pub(crate) fn window(
    prefix: &str,
    days: &[String],
    start: &str,
    end: &str,
) -> Result<LocalWindow, ApiError> {
    let mut set = WeekdaySet::EMPTY;
    for (i, day) in days.iter().enumerate() {
        let day = WeekdaySet::parse_day(day)
            .map_err(|error| relabel(format!("{prefix}.days[{i}]"), &error))?;
        set = set.with(day);
    }
    let start = clock_time(&format!("{prefix}.start"), start)?;
    let end = clock_time(&format!("{prefix}.end"), end)?;
    LocalWindow::new(set, start, end).map_err(|error| relabel(format!("{prefix}.days"), &error))
}

/// `HH:MM` (24-hour) on the site's clock.
fn clock_time(field: &str, text: &str) -> Result<NaiveTime, ApiError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
        ApiError::invalid_at(
            field.to_owned(),
            format!("{field}: '{text}' is not a time of day as HH:MM, e.g. 17:00"),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only the errors are looked at")]
    struct Outer {
        cap_kw: f64,
        windows: Option<Vec<Inner>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only the errors are looked at")]
    struct Inner {
        start: String,
    }

    fn field(value: Value) -> Option<String> {
        from_value::<Outer>(value)
            .unwrap_err()
            .field()
            .map(str::to_owned)
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_read_as_an_integer() {
        use serde_json::json;
        let mut value = json!({"a": 6.0, "b": [2.5, -3.0], "c": 7, "d": 1e300});
        whole_numbers_as_integers(&mut value);
        assert_eq!(value, json!({"a": 6, "b": [2.5, -3], "c": 7, "d": 1e300}));
    }

    #[test]
    fn errors_name_the_field_even_inside_lists() {
        use serde_json::json;
        assert_eq!(field(json!({})).as_deref(), Some("cap_kw"));
        assert_eq!(field(json!({"cap_kw": "x"})).as_deref(), Some("cap_kw"));
        assert_eq!(
            field(json!({"cap_kw": 1, "cap": 2})).as_deref(),
            Some("cap")
        );
        assert_eq!(
            field(json!({"cap_kw": 1, "windows": [{"start": "1"}, {}]})).as_deref(),
            Some("windows[1].start")
        );
        assert_eq!(
            field(json!({"cap_kw": 1, "windows": [{"start": 5}]})).as_deref(),
            Some("windows[0].start")
        );
        assert_eq!(field(json!([1])), None);
    }

    #[test]
    fn a_window_names_the_part_that_is_wrong() {
        let days = |names: &[&str]| names.iter().map(|d| (*d).to_owned()).collect::<Vec<_>>();
        let ok = window("w[0]", &days(&["mon", "FRI"]), "22:00", "06:00").unwrap();
        assert!(ok.crosses_midnight());
        let field = |e: ApiError| e.field().map(str::to_owned);
        assert_eq!(
            field(window("w[0]", &days(&["funday"]), "1:00", "2:00").unwrap_err()).as_deref(),
            Some("w[0].days[0]")
        );
        assert_eq!(
            field(window("w[0]", &days(&[]), "01:00", "02:00").unwrap_err()).as_deref(),
            Some("w[0].days")
        );
        assert_eq!(
            field(window("w[0]", &days(&["mon"]), "25:00", "02:00").unwrap_err()).as_deref(),
            Some("w[0].start")
        );
        assert_eq!(
            field(window("w[0]", &days(&["mon"]), "01:00", "5pm").unwrap_err()).as_deref(),
            Some("w[0].end")
        );
    }

    #[test]
    fn a_cap_must_be_more_than_zero_and_a_time_rfc_3339() {
        assert!(cap("cap_kw".into(), 40.0).is_ok());
        let zero = cap("cap_kw".into(), 0.0).unwrap_err();
        assert_eq!(zero.field(), Some("cap_kw"));
        assert_eq!(zero.message(), "cap_kw: must be more than 0 kW");
        let negative = cap("x[1].cap_kw".into(), -1.0).unwrap_err();
        assert_eq!(
            negative.message(),
            "x[1].cap_kw: must not be negative, got -1 kW"
        );
        assert_eq!(
            time("from", "2026-06-15T09:00:00-07:00").unwrap(),
            "2026-06-15T16:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(time("from", "yesterday").unwrap_err().field(), Some("from"));
    }
}
