//! Vendor accounts as stored, turned into working clouds, and created by registering with a CPO.

use chargeplan_core::VendorAccountId;
use chargeplan_store::VendorAccount;
use chargeplan_store::prelude::*;
use chrono::{DateTime, Utc};
use rand::RngCore;

use crate::ocpi::types::{BusinessDetails, Credentials, CredentialsRole};
use crate::ocpi::{CpoEndpoints, OcpiClient, OcpiCloud, TokenEncoding, register};
use crate::{OcpiError, RateUnit};

/// The protocol name stored for OCPI 2.2.1 accounts.
pub const OCPI_2_2_1: &str = "ocpi-2.2.1";

/// How we introduce ourselves to a CPO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OurParty {
    /// Our public base URL, as the CPO reaches it.
    pub public_url: String,
    pub country_code: String,
    pub party_id: String,
    pub name: String,
}

/// A new unguessable token (256 bits, hex) for a CPO to present to us.
pub fn new_inbound_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn parse_encoding(value: &str) -> Result<TokenEncoding, String> {
    match value {
        "base64" => Ok(TokenEncoding::Base64),
        "raw" => Ok(TokenEncoding::Raw),
        other => Err(format!(
            "token_encoding: '{other}' is neither base64 nor raw"
        )),
    }
}

pub fn parse_rate_unit(value: &str) -> Result<RateUnit, String> {
    match value {
        "W" => Ok(RateUnit::Watts),
        "A" => Ok(RateUnit::Amperes),
        other => Err(format!("rate_unit: '{other}' is neither W nor A")),
    }
}

fn encoding_name(encoding: TokenEncoding) -> &'static str {
    match encoding {
        TokenEncoding::Base64 => "base64",
        TokenEncoding::Raw => "raw",
    }
}

/// The OCPI cloud behind a stored account; `results_url` is where the CPO posts results.
pub fn cloud_for(
    account: &VendorAccount,
    http: reqwest::Client,
    results_url: &str,
) -> Result<OcpiCloud, String> {
    if account.protocol != OCPI_2_2_1 {
        return Err(format!(
            "vendor account '{}': protocol '{}' is not supported",
            account.id, account.protocol
        ));
    }
    let client = OcpiClient::new(
        http,
        account.outbound_token.clone(),
        parse_encoding(&account.token_encoding)?,
    );
    let endpoints = CpoEndpoints {
        sessions: account.sessions_url.clone(),
        locations: account.locations_url.clone(),
        charging_profiles: account.charging_profiles_url.clone(),
    };
    Ok(OcpiCloud::new(client, endpoints, results_url, 100))
}

/// Registers with the CPO at `versions_url` using its token A, and returns the account to store.
///
/// The account is stored first with its new inbound token and disabled, so our receiver
/// answers the CPO's calls during the handshake; it is stored again, enabled, once done.
#[expect(
    clippy::too_many_arguments,
    reason = "each is a distinct fact of the registration"
)]
pub async fn register_account(
    store: &dyn Store,
    id: VendorAccountId,
    versions_url: &str,
    token_a: &str,
    encoding: TokenEncoding,
    rate_unit: RateUnit,
    us: &OurParty,
    now: DateTime<Utc>,
) -> Result<VendorAccount, RegistrationError> {
    let inbound_token = new_inbound_token();
    let pending = VendorAccount {
        id: id.clone(),
        protocol: OCPI_2_2_1.into(),
        versions_url: versions_url.into(),
        outbound_token: String::new(),
        inbound_token: inbound_token.clone(),
        token_encoding: encoding_name(encoding).into(),
        sessions_url: String::new(),
        locations_url: String::new(),
        charging_profiles_url: String::new(),
        rate_unit: rate_unit_name(rate_unit).into(),
        enabled: false,
        created_at: now,
        updated_at: now,
    };
    store
        .upsert_vendor_account(&pending)
        .await
        .map_err(RegistrationError::Store)?;
    let ours = Credentials {
        token: inbound_token.clone(),
        url: format!("{}/ocpi/versions", us.public_url.trim_end_matches('/')),
        roles: vec![CredentialsRole {
            role: "SCSP".into(),
            business_details: BusinessDetails {
                name: us.name.clone(),
            },
            party_id: us.party_id.clone(),
            country_code: us.country_code.clone(),
        }],
    };
    let client = OcpiClient::new(reqwest::Client::new(), token_a, encoding);
    let registration = register(&client, versions_url, &ours).await?;
    let account = VendorAccount {
        outbound_token: registration.token_c,
        sessions_url: registration.endpoints.sessions,
        locations_url: registration.endpoints.locations,
        charging_profiles_url: registration.endpoints.charging_profiles,
        enabled: true,
        ..pending
    };
    store
        .upsert_vendor_account(&account)
        .await
        .map_err(RegistrationError::Store)?;
    Ok(account)
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error(transparent)]
    Ocpi(#[from] OcpiError),
    #[error("cannot store the vendor account: {0}")]
    Store(chargeplan_store::StoreError),
}

fn rate_unit_name(unit: RateUnit) -> &'static str {
    match unit {
        RateUnit::Watts => "W",
        RateUnit::Amperes => "A",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbound_tokens_are_long_and_never_repeat() {
        let (a, b) = (new_inbound_token(), new_inbound_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn unknown_encodings_and_units_are_named_in_the_error() {
        assert_eq!(parse_encoding("base64"), Ok(TokenEncoding::Base64));
        assert!(
            parse_encoding("b64")
                .unwrap_err()
                .contains("token_encoding")
        );
        assert!(parse_rate_unit("kW").unwrap_err().contains("rate_unit"));
    }
}
