//! `VendorCloud` over OCPI 2.2.1: one CPO whose module endpoints we have discovered.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Url;

use super::convert::{answer_from_ocpi, ports_from_location, profile_to_ocpi, session_from_ocpi};
use super::transport::{OcpiClient, join};
use super::types::{
    ChargingProfileResponse, Location, Session, SetChargingProfile, Version, VersionDetails,
};
use crate::OcpiError;
use crate::cloud::{
    Listing, ProfileAnswer, ProfileRequest, VendorCloud, VendorPort, VendorSession,
};

/// The OCPI version chargeplan speaks.
pub const OCPI_VERSION: &str = "2.2.1";

/// The module URLs of a CPO that chargeplan uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpoEndpoints {
    pub sessions: String,
    pub locations: String,
    pub charging_profiles: String,
}

impl CpoEndpoints {
    /// Picks our modules from a peer's version details.
    pub fn from_details(details: &VersionDetails) -> Result<Self, OcpiError> {
        let find = |identifier: &str, role: &str| {
            details
                .endpoints
                .iter()
                .find(|e| {
                    e.identifier.eq_ignore_ascii_case(identifier)
                        && e.role.eq_ignore_ascii_case(role)
                })
                .map(|e| e.url.clone())
                .ok_or_else(|| {
                    OcpiError::InvalidResponse(format!(
                        "the CPO offers no {identifier} {role} endpoint"
                    ))
                })
        };
        Ok(Self {
            sessions: find("sessions", "SENDER")?,
            locations: find("locations", "SENDER")?,
            charging_profiles: find("chargingprofiles", "RECEIVER")?,
        })
    }
}

/// Finds the 2.2.1 version details behind a versions URL.
pub async fn discover(
    client: &OcpiClient,
    versions_url: &str,
) -> Result<VersionDetails, OcpiError> {
    let versions: Vec<Version> = client.get(versions_url).await?;
    let version = versions
        .iter()
        .find(|v| v.version == OCPI_VERSION)
        .ok_or_else(|| {
            OcpiError::InvalidResponse(format!("the peer does not offer OCPI {OCPI_VERSION}"))
        })?;
    client.get(&version.url).await
}

/// A CPO reached over OCPI 2.2.1.
#[derive(Debug, Clone)]
pub struct OcpiCloud {
    client: OcpiClient,
    endpoints: CpoEndpoints,
    /// Where the CPO should POST asynchronous profile results; a response id is appended.
    results_url: String,
    /// Page size we ask for; the CPO may give less.
    page_limit: u32,
}

impl OcpiCloud {
    pub fn new(
        client: OcpiClient,
        endpoints: CpoEndpoints,
        results_url: impl Into<String>,
        page_limit: u32,
    ) -> Self {
        Self {
            client,
            endpoints,
            results_url: results_url.into(),
            page_limit,
        }
    }

    fn url_with(base: &str, params: &[(&str, String)]) -> Result<Url, OcpiError> {
        Url::parse_with_params(base, params)
            .map_err(|error| OcpiError::InvalidRequest(format!("bad URL {base}: {error}")))
    }

    fn response_url(&self, response_id: &str) -> String {
        join(&self.results_url, response_id)
    }
}

fn ocpi_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[async_trait]
impl VendorCloud for OcpiCloud {
    async fn sessions_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Listing<VendorSession>, OcpiError> {
        let url = Self::url_with(
            &self.endpoints.sessions,
            &[
                ("date_from", ocpi_time(since)),
                ("limit", self.page_limit.to_string()),
            ],
        )?;
        let sessions: Vec<Session> = self.client.get_all(url.as_str()).await?;
        let (mut items, mut rejected) = (Vec::new(), Vec::new());
        for session in &sessions {
            match session_from_ocpi(session) {
                Ok(session) => items.push(session),
                Err(record) => rejected.push(record),
            }
        }
        Ok(Listing { items, rejected })
    }

    async fn ports(&self) -> Result<Listing<VendorPort>, OcpiError> {
        let url = Self::url_with(
            &self.endpoints.locations,
            &[("limit", self.page_limit.to_string())],
        )?;
        let locations: Vec<Location> = self.client.get_all(url.as_str()).await?;
        let (mut items, mut rejected) = (Vec::new(), Vec::new());
        for port in locations.iter().flat_map(ports_from_location) {
            match port {
                Ok(port) => items.push(port),
                Err(record) => rejected.push(record),
            }
        }
        Ok(Listing { items, rejected })
    }

    async fn set_profile(
        &self,
        vendor_session_id: &str,
        profile: &ProfileRequest,
        response_id: &str,
    ) -> Result<ProfileAnswer, OcpiError> {
        let body = SetChargingProfile {
            charging_profile: profile_to_ocpi(profile),
            response_url: self.response_url(response_id),
        };
        let url = join(&self.endpoints.charging_profiles, vendor_session_id);
        let answer: Option<ChargingProfileResponse> = self.client.put(&url, &body).await?;
        answer_from_ocpi(
            &answer
                .ok_or_else(|| OcpiError::InvalidResponse("no ChargingProfileResponse".into()))?,
        )
    }

    async fn clear_profile(
        &self,
        vendor_session_id: &str,
        response_id: &str,
    ) -> Result<ProfileAnswer, OcpiError> {
        let base = join(&self.endpoints.charging_profiles, vendor_session_id);
        let url = Self::url_with(&base, &[("response_url", self.response_url(response_id))])?;
        let answer: Option<ChargingProfileResponse> = self.client.delete(url.as_str()).await?;
        answer_from_ocpi(
            &answer
                .ok_or_else(|| OcpiError::InvalidResponse("no ChargingProfileResponse".into()))?,
        )
    }
}
