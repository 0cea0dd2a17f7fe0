//! The registration forms as posted, and their validation into domain values with one
//! message per invalid field, written for the driver.

use chargeplan_core::participant::dedup_tokens;
use chargeplan_core::{Country, PhoneNumber, TokenUid, ValueError, WhPerMile};
use serde::{Deserialize, Serialize};

use crate::driver_page::FormErrors;

/// Field names as posted, also the ids of the inputs and the keys of [`FormErrors`].
pub(super) const PHONE: &str = "phone";
/// See [`PHONE`].
pub(super) const TOKENS: &str = "tokens";
/// See [`PHONE`].
pub(super) const WH_PER_MILE: &str = "wh_per_mile";
/// See [`PHONE`].
pub(super) const CODE: &str = "code";

/// The first form as posted, every field as typed (missing fields are empty, so a bad post
/// gets field errors rather than a rejection).
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct JoinForm {
    #[serde(default)]
    pub(super) phone: String,
    /// Card or app token uids, separated by commas or spaces.
    #[serde(default)]
    pub(super) tokens: String,
    /// Empty for the default.
    #[serde(default)]
    pub(super) wh_per_mile: String,
}

/// The vehicle details carried from the first form to the code form: in the redirect's
/// query string, then in hidden fields. Also the code form as posted, with `code`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct CodeForm {
    #[serde(default, skip_serializing)]
    pub(super) code: String,
    #[serde(default)]
    pub(super) tokens: String,
    #[serde(default)]
    pub(super) wh_per_mile: String,
}

/// A valid first form.
#[derive(Debug, Clone)]
pub(super) struct Registration {
    pub(super) phone: PhoneNumber,
    pub(super) vehicle: Vehicle,
}

/// The cards and the car of a registration.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Vehicle {
    /// At least one, without duplicates.
    pub(super) tokens: Vec<TokenUid>,
    pub(super) wh_per_mile: WhPerMile,
}

impl JoinForm {
    /// Validates the form for a site in `country`; every invalid field gets one message.
    pub(super) fn parse(&self, country: Country) -> Result<Registration, FormErrors> {
        let mut errors = FormErrors::new();
        let phone = parse_phone(&self.phone, country).map_err(|m| errors.insert(PHONE, m));
        let vehicle = parse_vehicle(&self.tokens, &self.wh_per_mile, &mut errors);
        match (phone, vehicle) {
            (Ok(phone), Some(vehicle)) if errors.is_empty() => Ok(Registration { phone, vehicle }),
            _ => Err(errors),
        }
    }
}

impl CodeForm {
    /// The vehicle details of `vehicle`, normalised, for the next step.
    pub(super) fn carrying(vehicle: &Vehicle) -> Self {
        let tokens: Vec<&str> = vehicle.tokens.iter().map(TokenUid::as_str).collect();
        Self {
            code: String::new(),
            tokens: tokens.join(" "),
            wh_per_mile: vehicle.wh_per_mile.get().to_string(),
        }
    }

    /// The vehicle details again (they came back from the browser, so they are checked).
    pub(super) fn vehicle(&self) -> Result<Vehicle, FormErrors> {
        let mut errors = FormErrors::new();
        match parse_vehicle(&self.tokens, &self.wh_per_mile, &mut errors) {
            Some(vehicle) if errors.is_empty() => Ok(vehicle),
            _ => Err(errors),
        }
    }
}

fn parse_vehicle(tokens: &str, wh_per_mile: &str, errors: &mut FormErrors) -> Option<Vehicle> {
    let tokens = parse_tokens(tokens).map_err(|m| errors.insert(TOKENS, m));
    let wh_per_mile = parse_wh_per_mile(wh_per_mile).map_err(|m| errors.insert(WH_PER_MILE, m));
    Some(Vehicle {
        tokens: tokens.ok()?,
        wh_per_mile: wh_per_mile.ok()?,
    })
}

/// A mobile number as the driver types it: in the national form of the site's `country`
/// ("07400 123456" in GB, "415 555 0123" in the US) or international ("+44 7400 123456"),
/// checked against the numbering plan; the message names the form expected there.
pub(crate) fn parse_phone(typed: &str, country: Country) -> Result<PhoneNumber, String> {
    if typed.trim().is_empty() {
        return Err("Enter your mobile number.".to_owned());
    }
    PhoneNumber::from_typed(typed, Some(country)).map_err(|error| {
        let reason = match &error {
            ValueError::Invalid { reason, .. } => reason.as_str(),
        };
        let mut chars = reason.chars();
        let first = chars.next().map(|c| c.to_uppercase().to_string());
        format!("{}{}.", first.unwrap_or_default(), chars.as_str())
    })
}

/// The hint under a phone field at a site in `country`: "A GB mobile number like 07400
/// 123456, or an international number starting with +. We text a code to it."
pub(crate) fn phone_hint(country: Country) -> String {
    match country.example_mobile() {
        Some(example) => format!(
            "A {country} mobile number like {example}, or an international number starting with +. We text a code to it."
        ),
        None => {
            "An international number starting with + and the country code. We text a code to it."
                .to_owned()
        }
    }
}

/// One or more card or app token uids, separated by commas or white space.
pub(super) fn parse_tokens(typed: &str) -> Result<Vec<TokenUid>, String> {
    let mut tokens = Vec::new();
    for part in typed
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match TokenUid::parse(part) {
            Ok(token) => tokens.push(token),
            Err(_) => {
                return Err(format!(
                    "“{}” is not a card or app number we can use: use up to 36 letters, digits or symbols, without spaces.",
                    shortened(part)
                ));
            }
        }
    }
    if tokens.is_empty() {
        return Err("Enter the number of at least one charging card or app token.".to_owned());
    }
    dedup_tokens(tokens).map_err(|_| {
        format!(
            "Enter at most {} cards or app tokens.",
            chargeplan_core::MAX_TOKENS_PER_PARTICIPANT
        )
    })
}

/// Watt-hours per mile, or the default when left empty.
pub(super) fn parse_wh_per_mile(typed: &str) -> Result<WhPerMile, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(WhPerMile::DEFAULT);
    }
    let range = format!(
        "Enter a number from {} to {} Wh per mile, or leave it empty for {}.",
        WhPerMile::MIN,
        WhPerMile::MAX,
        WhPerMile::DEFAULT.get()
    );
    let value: f64 = typed.parse().map_err(|_| range.clone())?;
    WhPerMile::new(value).map_err(|_| range)
}

/// At most 40 characters of what was typed, to quote it back.
fn shortened(typed: &str) -> String {
    let mut chars = typed.chars();
    let head: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests;
