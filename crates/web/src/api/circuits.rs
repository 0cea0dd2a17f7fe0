//! A site's circuit tree: read with each circuit's cap in force now, or replace it whole
//! (admins only).

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use chargeplan_core::{Circuit, CircuitId, CircuitTree, Site, SiteId, effective_cap};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{
    ApiError, ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError,
};
use super::input::{Body, Path, cap, relabel};
use super::local_time::local;
use super::paths::SitePath;
use super::site_changed;
use crate::AppState;
use crate::access::ApiCaller;

/// Most circuits one site may have.
pub(super) const MAX_CIRCUITS: usize = 500;

/// What sets a circuit's cap now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CapSource {
    /// The static rating.
    Static,
    /// A weekly window of the circuit's schedule.
    Schedule,
    /// An operator's override (e.g. a demand-response event).
    Override,
}

/// A circuit with its caps.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CircuitView {
    id: String,
    name: String,
    /// The circuit feeding this one; `null` for the site's service (the root).
    parent_id: Option<String>,
    /// The static rating, in kW.
    cap_kw: f64,
    /// The cap in force now, in kW: the lowest of the static rating and the scheduled windows
    /// and overrides active now (they can only lower it).
    effective_cap_kw: f64,
    /// What sets `effective_cap_kw`.
    limited_by: CapSource,
    /// The ports drawing from this circuit directly.
    port_ids: Vec<String>,
}

impl CircuitView {
    /// The circuit's id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

/// The site's circuits, root first, every circuit after its parent.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CircuitTreeView {
    site_id: String,
    /// The instant the effective caps are for (now).
    at: DateTime<Utc>,
    /// The same instant on the site's clock.
    at_local: String,
    circuits: Vec<CircuitView>,
}

impl CircuitTreeView {
    /// The circuit with this id, taken out of the tree.
    pub(crate) fn into_circuit(self, id: &CircuitId) -> Option<CircuitView> {
        self.circuits.into_iter().find(|c| c.id() == id.as_str())
    }
}

/// The body of a replacement: the whole tree.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CircuitTreeBody {
    /// Every circuit of the site; exactly one without a parent (the service). Circuits left
    /// out are deleted, which fails with 409 while ports still draw from them.
    circuits: Vec<CircuitBody>,
}

/// One circuit of a replacement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CircuitBody {
    #[schema(example = "main")]
    id: String,
    /// 1 to 200 characters.
    #[schema(example = "Main service")]
    name: String,
    /// The circuit feeding this one; leave out (or `null`) for the root.
    #[serde(default)]
    parent_id: Option<String>,
    /// The static rating in kW, more than 0.
    #[schema(example = 150)]
    cap_kw: f64,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/circuits",
    operation_id = "get_circuits",
    tag = "circuits",
    params(SitePath),
    responses(
        (status = 200, description = "the circuit tree with each circuit's cap in force now", body = CircuitTreeView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<CircuitTreeView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    Ok(Json(tree_view(&state, &site).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/circuits",
    operation_id = "replace_circuits",
    tag = "circuits",
    description = "Replaces the site's whole circuit tree (admins only) and re-plans the site.",
    params(SitePath),
    request_body = CircuitTreeBody,
    responses(
        (status = 200, description = "the new tree", body = CircuitTreeView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        ConflictError,
        InvalidError,
    ),
)]
pub(crate) async fn replace(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    body: Result<Body<CircuitTreeBody>, ApiError>,
) -> Result<Json<CircuitTreeView>, ApiError> {
    caller.require_admin()?;
    let site = caller.known_site(&state, &path.site_id).await?;
    let Body(body) = body?;
    let circuits = validate(&site.id, body.circuits)?;
    state
        .store
        .replace_circuits(&site.id, &circuits, state.clock.now())
        .await?;
    site_changed(&state, &caller, &site.id, "circuits");
    Ok(Json(tree_view(&state, &site).await?))
}

/// The circuits of a replacement, each checked and named by its place in the list.
fn validate(site: &SiteId, bodies: Vec<CircuitBody>) -> Result<Vec<Circuit>, ApiError> {
    if bodies.len() > MAX_CIRCUITS {
        return Err(ApiError::invalid(
            "circuits",
            format!("circuits: at most {MAX_CIRCUITS} circuits per site"),
        ));
    }
    let mut circuits = Vec::with_capacity(bodies.len());
    let mut seen = HashSet::new();
    for (i, body) in bodies.iter().enumerate() {
        let at = |field: &str| format!("circuits[{i}].{field}");
        let id = CircuitId::parse(&body.id).map_err(|e| relabel(at("id"), &e))?;
        if !seen.insert(id.clone()) {
            return Err(ApiError::invalid_at(
                at("id"),
                format!("{}: circuit '{id}' is listed twice", at("id")),
            ));
        }
        let parent = body
            .parent_id
            .as_deref()
            .map(|p| CircuitId::parse(p).map_err(|e| relabel(at("parent_id"), &e)))
            .transpose()?;
        let rating = cap(at("cap_kw"), body.cap_kw)?;
        let circuit = Circuit::new(id, site.clone(), &body.name, parent, rating)
            .map_err(|e| relabel(at(e.field()), &e))?;
        circuits.push(circuit);
    }
    for (i, circuit) in circuits.iter().enumerate() {
        if let Some(parent) = &circuit.parent
            && !seen.contains(parent)
        {
            let field = format!("circuits[{i}].parent_id");
            return Err(ApiError::invalid_at(
                field.clone(),
                format!("{field}: '{parent}' is not a circuit of this tree"),
            ));
        }
    }
    CircuitTree::new(circuits.clone()).map_err(|e| relabel("circuits".into(), &e))?;
    Ok(circuits)
}

/// The site's tree with the caps in force now.
pub(crate) async fn tree_view(state: &AppState, site: &Site) -> Result<CircuitTreeView, ApiError> {
    let now = state.clock.now();
    let circuits = state.store.list_circuits(&site.id).await?;
    let scheduled = state.store.list_scheduled_caps(&site.id).await?;
    let overrides = state.store.list_cap_overrides(&site.id, now).await?;
    let ports = state.store.list_ports(&site.id).await?;
    let ordered = match CircuitTree::new(circuits.clone()) {
        Ok(tree) => root_first(&tree),
        // A site without circuits yet (or a stored tree that no longer validates).
        Err(_) => circuits,
    };
    let views = ordered
        .iter()
        .map(|circuit| {
            let effective = effective_cap(circuit, &scheduled, &overrides, site.time_zone, now);
            let limited_by = if effective >= circuit.cap {
                CapSource::Static
            } else if overrides
                .iter()
                .any(|o| o.circuit_id == circuit.id && o.is_active(now) && o.cap <= effective)
            {
                CapSource::Override
            } else {
                CapSource::Schedule
            };
            CircuitView {
                id: circuit.id.to_string(),
                name: circuit.name.clone(),
                parent_id: circuit.parent.as_ref().map(ToString::to_string),
                cap_kw: circuit.cap.get(),
                effective_cap_kw: effective.get(),
                limited_by,
                port_ids: ports
                    .iter()
                    .filter(|p| p.circuit_id == circuit.id)
                    .map(|p| p.id.to_string())
                    .collect(),
            }
        })
        .collect();
    Ok(CircuitTreeView {
        site_id: site.id.to_string(),
        at: now,
        at_local: local(site.time_zone, now),
        circuits: views,
    })
}

/// The tree's circuits, each after its parent, siblings by id.
fn root_first(tree: &CircuitTree) -> Vec<Circuit> {
    let mut ordered = Vec::with_capacity(tree.circuits().len());
    let mut stack = vec![tree.root()];
    while let Some(circuit) = stack.pop() {
        ordered.push(circuit.clone());
        let mut children = tree.children(&circuit.id);
        children.sort_by(|a, b| b.id.cmp(&a.id));
        stack.extend(children);
    }
    ordered
}

/// The circuit with this id when it belongs to `site`, else 404.
pub(crate) async fn circuit_of(
    state: &AppState,
    site: &SiteId,
    circuit_id: &str,
) -> Result<Circuit, ApiError> {
    let not_found = || ApiError::NotFound(format!("circuit '{circuit_id}' not found"));
    let id = CircuitId::parse(circuit_id).map_err(|_| not_found())?;
    state
        .store
        .list_circuits(site)
        .await?
        .into_iter()
        .find(|circuit| circuit.id == id)
        .ok_or_else(not_found)
}
