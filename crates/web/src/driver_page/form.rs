//! The driver's request form: what the browser posts, its validation into a departure instant
//! and an energy need, the per-field error messages, and the values the form starts with.

use chargeplan_core::{
    ChargingRequest, ClockFormat, EnergyNeed, MAX_REQUEST_KWH, MAX_REQUEST_MILES, RequestedEnergy,
    TypedTime, local_to_utc,
};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

use super::confirm::confirm_token;

/// Field names as posted, also the ids of the inputs and the keys of [`FormErrors`].
pub const DEPARTURE: &str = "departure";
/// See [`DEPARTURE`] (a hidden field; it never has an error).
pub const CONFIRMED: &str = "confirmed";
/// See [`DEPARTURE`].
pub const AMOUNT: &str = "amount";
/// See [`DEPARTURE`].
pub const UNIT: &str = "unit";

/// What the form needs to know about the moment and the place it is filled in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FormContext {
    /// The moment of submission; the departure is the next occurrence of the time typed.
    pub now: DateTime<Utc>,
    /// The site's time zone, in which the driver types the departure.
    pub tz: Tz,
    /// The vehicle's consumption, to check that miles do not exceed what a car holds.
    pub wh_per_mile: f64,
    /// The site's clock format, in which times are read and shown.
    pub clock: ClockFormat,
}

/// The form as posted (`application/x-www-form-urlencoded`), every field as typed.
///
/// Missing fields deserialize as empty so that a bad post gets field errors rather than a
/// rejection; the checkbox `max` is ticked when present with any value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RequestForm {
    /// Local departure time as typed: "17:30", or "5:30 pm" (see `ClockFormat::read`).
    #[serde(default)]
    pub departure: String,
    /// The amount, a decimal number in `unit`.
    #[serde(default)]
    pub amount: String,
    /// `kwh` or `mi`.
    #[serde(default)]
    pub unit: String,
    /// The "As much as possible" checkbox.
    #[serde(rename = "max", default, deserialize_with = "checkbox")]
    pub as_much_as_possible: bool,
    /// The departure the driver said "yes" to when asked (`confirm::confirm_token`), or the
    /// one of the request the form was filled with; empty otherwise.
    #[serde(default)]
    pub confirmed: String,
}

/// A valid form: when the driver leaves and what they need (miles are converted by core's
/// `ChargingRequest::new`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParsedRequest {
    /// The next occurrence of the typed local time after `now`.
    pub departure: DateTime<Utc>,
    /// The amount in the unit typed, or as much as possible.
    pub need: EnergyNeed,
}

/// Problems with a submitted form: field name → message for the driver, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    /// No errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` (replacing an earlier one for the same field).
    pub fn insert(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.iter_mut().find(|(f, _)| f == field) {
            Some(entry) => entry.1 = message,
            None => self.0.push((field.to_owned(), message)),
        }
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Whether there are no errors.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of fields with an error.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `(field, message)` pairs in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }
}

impl RequestForm {
    /// Validates the form filled in at `ctx.now`; every invalid field gets one message.
    pub fn parse(&self, ctx: &FormContext) -> Result<ParsedRequest, FormErrors> {
        let mut errors = FormErrors::new();
        let departure = match parse_departure(&self.departure, ctx) {
            Ok(at) => Some(at),
            Err(message) => {
                errors.insert(DEPARTURE, message);
                None
            }
        };
        let need = if self.as_much_as_possible {
            Some(EnergyNeed::AsMuchAsPossible)
        } else {
            self.parse_amount(ctx, &mut errors)
        };
        match (departure, need) {
            (Some(departure), Some(need)) if errors.is_empty() => {
                Ok(ParsedRequest { departure, need })
            }
            _ => Err(errors),
        }
    }

    /// The form as first shown: the current request's values, or a default of about eight
    /// hours from now (on the quarter hour, but no later than 18:00 local if that is still
    /// ahead), no amount, miles.
    pub fn prefill(request: Option<&ChargingRequest>, ctx: &FormContext) -> RequestForm {
        let Some(r) = request else {
            return RequestForm {
                departure: local_time(default_departure(ctx), ctx),
                amount: String::new(),
                unit: "mi".to_owned(),
                as_much_as_possible: false,
                confirmed: String::new(),
            };
        };
        let (amount, unit) = match (r.energy, r.stated_miles) {
            (RequestedEnergy::AsMuchAsPossible, _) => (String::new(), "mi"),
            (RequestedEnergy::Kwh(_), Some(miles)) => (plain_number(miles), "mi"),
            (RequestedEnergy::Kwh(kwh), None) => (plain_number(kwh.get()), "kwh"),
        };
        RequestForm {
            departure: local_time(r.departure, ctx),
            amount,
            unit: unit.to_owned(),
            as_much_as_possible: r.energy == RequestedEnergy::AsMuchAsPossible,
            // Saving the request again unchanged asks nothing about its departure.
            confirmed: confirm_token(r.departure),
        }
    }

    /// The amount and unit, when an amount is needed; records errors otherwise.
    fn parse_amount(&self, ctx: &FormContext, errors: &mut FormErrors) -> Option<EnergyNeed> {
        let amount = positive_number(&self.amount).map_err(|m| errors.insert(AMOUNT, m));
        let unit = match self.unit.trim().to_ascii_lowercase().as_str() {
            "kwh" => Some(Unit::Kwh),
            "mi" => Some(Unit::Miles),
            _ => {
                errors.insert(UNIT, "Choose kWh or miles.");
                None
            }
        };
        let (v, unit) = (amount.ok()?, unit?);
        let (cap, need, message) = match unit {
            Unit::Kwh => (
                MAX_REQUEST_KWH,
                EnergyNeed::Kwh(v),
                format!("Enter at most {MAX_REQUEST_KWH} kWh; no car holds more."),
            ),
            Unit::Miles => {
                // Core converts miles to kWh; checking its 250 kWh limit here puts the
                // message next to the field instead of failing after the form is accepted.
                let wh = ctx.wh_per_mile;
                let cap = if wh.is_finite() && wh > 0.0 {
                    MAX_REQUEST_MILES.min((MAX_REQUEST_KWH * 1000.0 / wh).floor())
                } else {
                    MAX_REQUEST_MILES
                };
                let message =
                    format!("Enter at most {cap} miles; no car goes further on one charge.");
                (cap, EnergyNeed::Miles(v), message)
            }
        };
        if v > cap {
            errors.insert(AMOUNT, message);
            return None;
        }
        Some(need)
    }
}

/// A number greater than 0, as typed in the amount field.
fn positive_number(raw: &str) -> Result<f64, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Enter how much you need, or tick “As much as possible”.");
    }
    // A comma is what some phones' decimal keypads type.
    let v = raw
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or("Enter the amount as a number, for example 20.")?;
    if v <= 0.0 {
        return Err("Enter an amount greater than 0.");
    }
    Ok(v)
}

/// The two units a driver may ask in.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Kwh,
    Miles,
}

/// The next occurrence after `ctx.now` of the local time typed: today, or tomorrow if it has
/// passed (whether the driver meant that is `confirm::departure_question`'s to ask).
fn parse_departure(raw: &str, ctx: &FormContext) -> Result<DateTime<Utc>, String> {
    let example = ctx.clock.example();
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(format!("Enter the time you leave, for example {example}."));
    }
    let time = match ctx.clock.read(raw) {
        TypedTime::At(time) => time,
        TypedTime::NeedsHalfDay => {
            return Err(format!(
                "Add am or pm to the time you leave, for example {example}."
            ));
        }
        TypedTime::NotATime => {
            return Err(format!(
                "Enter the time you leave as hours and minutes, for example {example}."
            ));
        }
    };
    let today = ctx.now.with_timezone(&ctx.tz).date_naive();
    for date in [today, today + Duration::days(1)] {
        let local = date.and_time(time);
        match local_to_utc(ctx.tz, local) {
            Ok(at) if at > ctx.now => return Ok(at),
            // In the autumn fold `local_to_utc` gives the first of the two instants; if only
            // that one has passed, the driver means the second, later today.
            Ok(_) => match ctx.tz.from_local_datetime(&local).latest() {
                Some(later) if later.with_timezone(&Utc) > ctx.now => {
                    return Ok(later.with_timezone(&Utc));
                }
                _ => {}
            },
            // A time skipped today that would have passed anyway means tomorrow.
            Err(_) if local < ctx.now.with_timezone(&ctx.tz).naive_local() => {}
            Err(_) => {
                return Err(format!(
                    "{} does not exist on {}: the clocks move forward for daylight saving \
                     time. Choose a later time.",
                    ctx.clock.time(time),
                    date.format("%a %-d %b")
                ));
            }
        }
    }
    // Unreachable in practice: tomorrow's occurrence is always after now.
    Err("Enter a time later than now.".to_owned())
}

/// About eight hours from now, rounded up to the quarter hour, capped at today's 18:00 local
/// while that is still ahead.
fn default_departure(ctx: &FormContext) -> DateTime<Utc> {
    let later = ctx.now + Duration::hours(8);
    let quarter = 15 * 60;
    let secs = later.timestamp();
    let rounded = secs + (quarter - secs.rem_euclid(quarter)) % quarter;
    let later = DateTime::from_timestamp(rounded, 0).unwrap_or(later);
    let today = ctx.now.with_timezone(&ctx.tz).date_naive();
    let six_pm = NaiveTime::from_hms_opt(18, 0, 0).map(|t| local_to_utc(ctx.tz, today.and_time(t)));
    match six_pm {
        Some(Ok(six_pm)) if six_pm > ctx.now && six_pm < later => six_pm,
        _ => later,
    }
}

/// The time of day of `at` at the site, in its clock format: "17:30" or "5:30 pm".
fn local_time(at: DateTime<Utc>, ctx: &FormContext) -> String {
    ctx.clock.time(at.with_timezone(&ctx.tz).time())
}

/// A number as a person would type it: "60", "12.5", at most two decimals.
fn plain_number(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    format!("{}", rounded + 0.0)
}

/// A checkbox is ticked when the browser sends it at all (with `value="on"` by default).
fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let value = String::deserialize(d)?;
    Ok(!matches!(value.trim(), "" | "off" | "false" | "0"))
}

#[cfg(test)]
mod tests;
