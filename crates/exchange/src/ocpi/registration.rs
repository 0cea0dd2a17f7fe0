//! The OCPI credentials handshake: with the CPO's token A we learn its modules, hand it our
//! token B and our versions URL, and receive token C for everything after.

use super::cloud::{CpoEndpoints, OCPI_VERSION, discover};
use super::transport::OcpiClient;
use super::types::{Credentials, CredentialsRole};
use crate::OcpiError;

/// What registration leaves us with.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The token to present from now on (token C); never logged.
    pub token_c: String,
    pub endpoints: CpoEndpoints,
    /// The CPO's own roles as it describes them.
    pub cpo_roles: Vec<CredentialsRole>,
}

/// Runs the handshake against the CPO at `versions_url`.
///
/// `client` carries token A; `our_credentials` carries token B, our versions URL and our role.
pub async fn register(
    client: &OcpiClient,
    versions_url: &str,
    our_credentials: &Credentials,
) -> Result<Registration, OcpiError> {
    let details = discover(client, versions_url).await?;
    let credentials_url = details
        .endpoints
        .iter()
        .find(|e| e.identifier.eq_ignore_ascii_case("credentials"))
        .map(|e| e.url.clone())
        .ok_or_else(|| {
            OcpiError::InvalidResponse(format!(
                "the CPO's OCPI {OCPI_VERSION} has no credentials endpoint"
            ))
        })?;
    let theirs: Option<Credentials> = client.post(&credentials_url, our_credentials).await?;
    let theirs = theirs.ok_or_else(|| {
        OcpiError::InvalidResponse("the credentials answer carries no credentials".into())
    })?;
    if theirs.token.is_empty()
        || theirs.token.len() > 64
        || !theirs.token.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(OcpiError::InvalidResponse(
            "token C must be 1 to 64 printable ASCII characters".into(),
        ));
    }
    // Modules may differ once registered: look again with token C.
    let registered = client.with_token(theirs.token.clone());
    let details = discover(&registered, &theirs.url)
        .await
        .or(Ok::<_, OcpiError>(details))?;
    Ok(Registration {
        token_c: theirs.token,
        endpoints: CpoEndpoints::from_details(&details)?,
        cpo_roles: theirs.roles,
    })
}
