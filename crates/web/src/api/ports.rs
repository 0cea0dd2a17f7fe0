//! A site's ports: list them; create or replace one with its vendor mapping (the vendor
//! account's OCPI location, EVSE and connector ids; admins only); and, as any operator of the
//! site, mark one controllable again (a port the dispatcher marked uncontrolled after a
//! refused limit comes back this way) or say whether others may unplug its cable.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chargeplan_core::{CircuitId, Phases, Port, PortId, SiteId, VendorAccountId, VendorRef};
use chargeplan_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{
    ApiError, ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError,
};
use super::input::{Body, Path, power, relabel};
use super::paths::{PortPath, SitePath};
use super::{log_change, site_changed};
use crate::AppState;
use crate::access::ApiCaller;

/// A port as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PortView {
    id: String,
    /// The circuit it draws from.
    circuit_id: String,
    /// How the vendor cloud names it.
    vendor: VendorView,
    /// Rated maximum power, in kW.
    max_power_kw: f64,
    /// 1 or 3.
    phases: u8,
    /// Line-to-neutral voltage, in V.
    voltage_v: f64,
    /// Whether we send it limits; an uncontrolled port counts at its maximum against caps.
    controllable: bool,
    /// Whether others may unplug its cable once its owner says OK (the board then shows "OK
    /// to unplug"); false for connectors that lock the cable. Kept across vendor refreshes
    /// and replacements of the mapping.
    cable_movable: bool,
}

impl PortView {
    fn new(port: &Port) -> Self {
        Self {
            id: port.id.to_string(),
            circuit_id: port.circuit_id.to_string(),
            vendor: VendorView {
                vendor_account: port.vendor.vendor_account.to_string(),
                location_id: port.vendor.location_id.clone(),
                evse_uid: port.vendor.evse_uid.clone(),
                connector_id: port.vendor.connector_id.clone(),
            },
            max_power_kw: port.max_power.get(),
            phases: port.phases.count(),
            voltage_v: port.voltage_v,
            controllable: port.controllable,
            cable_movable: port.cable_movable,
        }
    }
}

/// The vendor cloud's names for a port (OCPI).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VendorView {
    /// The vendor account (see `chargeplan vendor list`).
    #[schema(example = "acme")]
    vendor_account: String,
    /// OCPI `location_id`, 1 to 36 characters.
    #[schema(example = "LOC1")]
    location_id: String,
    /// OCPI `evse_uid`, 1 to 36 characters.
    #[schema(example = "EVSE-1")]
    evse_uid: String,
    /// OCPI `connector_id`, 1 to 36 characters.
    #[schema(example = "1")]
    connector_id: String,
}

/// The site's ports.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PortList {
    ports: Vec<PortView>,
}

/// The body of a create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PortBody {
    /// A circuit of this site.
    #[schema(example = "main")]
    circuit_id: String,
    vendor: VendorView,
    /// Rated maximum power in kW, more than 0.
    #[schema(example = 7.2)]
    max_power_kw: f64,
    /// 1 or 3.
    #[schema(example = 1)]
    phases: u8,
    /// Line-to-neutral voltage, 100 to 1000 V.
    #[schema(example = 240)]
    voltage_v: f64,
    /// Default true.
    #[serde(default)]
    controllable: Option<bool>,
}

/// The body of a `PATCH`: one field or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PortPatch {
    /// Whether we may send the port limits (re-plans the site).
    #[serde(default)]
    #[schema(example = true)]
    controllable: Option<bool>,
    /// Whether others may unplug the port's cable once its owner says OK (does not change
    /// the plan).
    #[serde(default)]
    #[schema(example = true)]
    cable_movable: Option<bool>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/ports",
    operation_id = "list_ports",
    tag = "ports",
    params(SitePath),
    responses(
        (status = 200, description = "the site's ports", body = PortList),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<PortList>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let ports = state.store.list_ports(&site.id).await?;
    Ok(Json(PortList {
        ports: ports.iter().map(PortView::new).collect(),
    }))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/ports/{port_id}",
    operation_id = "put_port",
    tag = "ports",
    description = "Creates or replaces the port with this id and its vendor mapping (admins \
                   only), then re-plans the site. An id that is not a valid id answers 422 \
                   (`port_id`); a port id or vendor connector already used elsewhere, 409.",
    params(PortPath),
    request_body = PortBody,
    responses(
        (status = 200, description = "the port, replaced", body = PortView),
        (status = 201, description = "the port, created", body = PortView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        ConflictError,
        InvalidError,
    ),
)]
pub(crate) async fn put(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<PortPath>,
    body: Result<Body<PortBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let site = caller.known_site(&state, &path.site_id).await?;
    let id = PortId::parse(&path.port_id)?;
    let Body(body) = body?;
    let port = validate(&state, &site.id, id, body).await?;
    if let Some(other) = state.store.find_port_by_vendor(&port.vendor).await?
        && other.id != port.id
    {
        return Err(ApiError::Conflict(format!(
            "vendor: this connector is already mapped to port '{}'",
            other.id
        )));
    }
    let existed = state
        .store
        .list_ports(&site.id)
        .await?
        .iter()
        .any(|p| p.id == port.id);
    state.store.upsert_port(&port).await?;
    site_changed(&state, &caller, &site.id, "port");
    // An existing port keeps its `cable_movable` flag, which the body does not carry.
    let port = state
        .store
        .list_ports(&site.id)
        .await?
        .into_iter()
        .find(|p| p.id == port.id)
        .unwrap_or(port);
    let view = Json(PortView::new(&port));
    if existed {
        return Ok((StatusCode::OK, view).into_response());
    }
    let location = format!("/api/v1/sites/{}/ports/{}", site.id, port.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], view).into_response())
}

/// The port a body describes, every field checked.
async fn validate(
    state: &AppState,
    site: &SiteId,
    id: PortId,
    body: PortBody,
) -> Result<Port, ApiError> {
    let circuit_id =
        CircuitId::parse(&body.circuit_id).map_err(|e| relabel("circuit_id".into(), &e))?;
    let circuits = state.store.list_circuits(site).await?;
    if !circuits.iter().any(|c| c.id == circuit_id) {
        return Err(ApiError::invalid(
            "circuit_id",
            format!("circuit_id: '{circuit_id}' is not a circuit of this site"),
        ));
    }
    let account = VendorAccountId::parse(&body.vendor.vendor_account)
        .map_err(|e| relabel("vendor.vendor_account".into(), &e))?;
    match state.store.get_vendor_account(&account).await {
        Ok(_) => {}
        Err(StoreError::NotFound { .. }) => {
            return Err(ApiError::invalid(
                "vendor.vendor_account",
                format!(
                    "vendor.vendor_account: no vendor account '{account}' (see `chargeplan vendor list`)"
                ),
            ));
        }
        Err(error) => return Err(error.into()),
    }
    let vendor = VendorRef::new(
        account,
        &body.vendor.location_id,
        &body.vendor.evse_uid,
        &body.vendor.connector_id,
    )
    .map_err(|e| relabel(format!("vendor.{}", e.field()), &e))?;
    let max_power = power("max_power_kw".into(), body.max_power_kw)?;
    let phases = Phases::try_from(body.phases)?;
    Ok(Port::new(
        id,
        site.clone(),
        circuit_id,
        vendor,
        max_power,
        phases,
        body.voltage_v,
        body.controllable.unwrap_or(true),
    )?)
}

#[utoipa::path(
    patch,
    path = "/api/v1/sites/{site_id}/ports/{port_id}",
    operation_id = "patch_port",
    tag = "ports",
    description = "Marks the port controllable or not (then re-plans the site), and/or says \
                   whether others may unplug its cable (no re-plan: the plan does not depend \
                   on it). Any operator of the site may do this. A body with neither field is \
                   a 422.",
    params(PortPath),
    request_body = PortPatch,
    responses(
        (status = 200, description = "the port", body = PortView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn patch(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<PortPath>,
    body: Result<Body<PortPatch>, ApiError>,
) -> Result<Json<PortView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let mut port = port_of(&state, &site.id, &path.port_id).await?;
    let Body(body) = body?;
    if body.controllable.is_none() && body.cable_movable.is_none() {
        return Err(ApiError::Invalid {
            field: None,
            message: "the body must set controllable, cable_movable or both".into(),
        });
    }
    if let Some(cable_movable) = body.cable_movable {
        state
            .store
            .set_port_cable_movable(&port.id, cable_movable)
            .await?;
        port.cable_movable = cable_movable;
        if body.controllable.is_none() {
            // Only the sharing side changed: nothing to re-plan.
            log_change(&caller, &site.id, "port", "cable_movable");
        }
    }
    if let Some(controllable) = body.controllable {
        state
            .store
            .set_port_controllable(&port.id, controllable)
            .await?;
        site_changed(&state, &caller, &site.id, "port");
        port.controllable = controllable;
    }
    Ok(Json(PortView::new(&port)))
}

/// The port with this id when it belongs to `site`, else 404.
async fn port_of(state: &AppState, site: &SiteId, port_id: &str) -> Result<Port, ApiError> {
    let not_found = || ApiError::NotFound(format!("port '{port_id}' not found"));
    let id = PortId::parse(port_id).map_err(|_| not_found())?;
    state
        .store
        .list_ports(site)
        .await?
        .into_iter()
        .find(|port| port.id == id)
        .ok_or_else(not_found)
}
