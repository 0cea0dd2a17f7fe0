//! A circuit's static cap: set it and re-plan the site at once.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::circuits::{CircuitView, circuit_of, tree_view};
use super::error::{ApiError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Body, Path, cap};
use super::paths::CircuitPath;
use super::site_changed;
use crate::AppState;
use crate::access::ApiCaller;

/// The body of a static cap change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CapBody {
    /// The circuit's static rating in kW, more than 0.
    #[schema(example = 40)]
    cap_kw: f64,
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/circuits/{circuit_id}/cap",
    operation_id = "set_static_cap",
    tag = "caps",
    description = "Sets the circuit's static cap and re-plans the site at once.",
    params(CircuitPath),
    request_body = CapBody,
    responses(
        (status = 200, description = "the circuit with its caps", body = CircuitView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn set(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<CircuitPath>,
    body: Result<Body<CapBody>, ApiError>,
) -> Result<Json<CircuitView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let circuit = circuit_of(&state, &site.id, &path.circuit_id).await?;
    let Body(body) = body?;
    let rating = cap("cap_kw".into(), body.cap_kw)?;
    state
        .store
        .set_static_cap(&circuit.id, rating.get(), state.clock.now())
        .await?;
    site_changed(&state, &caller, &site.id, "cap");
    tree_view(&state, &site)
        .await?
        .into_circuit(&circuit.id)
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("circuit '{}' not found", circuit.id)))
}
