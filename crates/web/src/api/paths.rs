//! The path parameters of the API's routes, documented once for the OpenAPI document.
//!
//! Ids are taken as text and parsed by the handlers with the core id parsers: an id that
//! cannot exist answers 404 like an unknown one.

use serde::Deserialize;
use utoipa::IntoParams;

/// `/api/v1/sites/{site_id}/...`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SitePath {
    /// The site's id, e.g. `lot-b`.
    #[param(example = "lot-b")]
    pub(crate) site_id: String,
}

/// `/api/v1/sites/{site_id}/circuits/{circuit_id}/...`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct CircuitPath {
    /// The site's id.
    #[param(example = "lot-b")]
    pub(crate) site_id: String,
    /// A circuit of the site.
    #[param(example = "main")]
    pub(crate) circuit_id: String,
}

/// `/api/v1/sites/{site_id}/ports/{port_id}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct PortPath {
    /// The site's id.
    #[param(example = "lot-b")]
    pub(crate) site_id: String,
    /// A port of the site.
    #[param(example = "p1")]
    pub(crate) port_id: String,
}

/// `/api/v1/sites/{site_id}/sessions/{session_id}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SessionPath {
    /// The site's id.
    #[param(example = "lot-b")]
    pub(crate) site_id: String,
    /// A charging session at the site.
    pub(crate) session_id: String,
}

/// `/api/v1/sites/{site_id}/plans/{plan_id}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct PlanPath {
    /// The site's id.
    #[param(example = "lot-b")]
    pub(crate) site_id: String,
    /// A plan of the site.
    pub(crate) plan_id: String,
}

/// `/api/v1/sites/{site_id}/participants/{participant_id}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct ParticipantPath {
    /// The site's id.
    #[param(example = "lot-b")]
    pub(crate) site_id: String,
    /// A participant of the site.
    pub(crate) participant_id: String,
}
