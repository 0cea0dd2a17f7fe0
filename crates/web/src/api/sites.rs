//! Sites: the caller's sites, one site, and creating or updating a site (admins only).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chargeplan_core::{ClockFormat, Country, Site, SiteId};
use chargeplan_store::StoreError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Body, Path};
use super::local_time::local;
use super::paths::SitePath;
use super::site_changed;
use crate::AppState;
use crate::access::ApiCaller;

/// A site as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SiteView {
    /// The site's id.
    id: String,
    /// Its name, as drivers and operators see it.
    name: String,
    /// IANA time zone; weekly cap windows and tariff prices are in this zone.
    time_zone: String,
    /// Length of one optimization slot, in minutes.
    slot_minutes: u32,
    /// The site's clock now, with its UTC offset.
    local_time: String,
    /// How times are written for the site's drivers: `24h` or `12h`.
    #[schema(example = "24h")]
    clock: String,
    /// ISO 3166 country code, the default region of phone numbers typed for the site.
    #[schema(example = "GB")]
    country: String,
}

impl SiteView {
    pub(crate) fn new(site: &Site, now: DateTime<Utc>) -> Self {
        Self {
            id: site.id.to_string(),
            name: site.name.clone(),
            time_zone: site.time_zone.name().to_owned(),
            slot_minutes: site.slot_minutes.get(),
            local_time: local(site.time_zone, now),
            clock: site.clock.as_str().to_owned(),
            country: site.country.to_string(),
        }
    }
}

/// The sites the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SiteList {
    sites: Vec<SiteView>,
}

/// The body of a create or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SiteBody {
    /// 1 to 200 characters.
    #[schema(example = "Lot B")]
    name: String,
    /// An IANA time zone.
    #[schema(example = "America/Los_Angeles")]
    time_zone: String,
    /// Length of one optimization slot in minutes, a divisor of 60; default 5.
    #[serde(default)]
    #[schema(example = 5)]
    slot_minutes: Option<u32>,
    /// `24h` (the default) or `12h`: how times are written for the site's drivers. Left
    /// out, an existing site keeps its setting.
    #[serde(default)]
    #[schema(example = "24h")]
    clock: Option<String>,
    /// ISO 3166 two-letter country code, such as `GB`: phone numbers typed for the site
    /// without a country code are read as this country's. Left out, an existing site keeps
    /// its country and a new one is `US`.
    #[serde(default)]
    #[schema(example = "GB")]
    country: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites",
    operation_id = "list_sites",
    tag = "sites",
    responses(
        (status = 200, description = "the caller's sites (every site for an admin)", body = SiteList),
        UnauthorizedError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
) -> Result<Json<SiteList>, ApiError> {
    let now = state.clock.now();
    let sites = state.store.list_sites().await?;
    Ok(Json(SiteList {
        sites: sites
            .iter()
            .filter(|site| caller.operator.may_access(&site.id))
            .map(|site| SiteView::new(site, now))
            .collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}",
    operation_id = "get_site",
    tag = "sites",
    params(SitePath),
    responses(
        (status = 200, description = "the site", body = SiteView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<SiteView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    Ok(Json(SiteView::new(&site, state.clock.now())))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}",
    operation_id = "put_site",
    tag = "sites",
    description = "Creates the site with this id, or updates its name, time zone, slot \
                   length, drivers' clock format and country. Admins only. An id that is not a valid id answers 422 (`site_id`).",
    params(SitePath),
    request_body = SiteBody,
    responses(
        (status = 200, description = "the site, updated", body = SiteView),
        (status = 201, description = "the site, created", body = SiteView),
        UnauthorizedError,
        ForbiddenError,
        InvalidError,
    ),
)]
pub(crate) async fn put(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    body: Result<Body<SiteBody>, ApiError>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let id = SiteId::parse(&path.site_id)?;
    let Body(body) = body?;
    let slot_minutes = body.slot_minutes.unwrap_or(5);
    let site = Site::new(id, &body.name, &body.time_zone, slot_minutes)?;
    let now = state.clock.now();
    let existing = match state.store.get_site(&site.id).await {
        Ok(existing) => Some(existing),
        Err(StoreError::NotFound { .. }) => None,
        Err(error) => return Err(error.into()),
    };
    let existed = existing.is_some();
    let clock = match body.clock.as_deref() {
        Some(clock) => ClockFormat::parse(clock)?,
        None => existing
            .as_ref()
            .map_or_else(ClockFormat::default, |s| s.clock),
    };
    let country = match body.country.as_deref() {
        Some(code) => Country::parse(code)?,
        None => existing
            .as_ref()
            .map_or_else(Country::default, |s| s.country),
    };
    let site = site.with_locale(clock, country);
    state.store.upsert_site(&site, now).await?;
    let view = Json(SiteView::new(&site, now));
    if existed {
        // A new time zone or slot length changes the plan.
        site_changed(&state, &caller, &site.id, "site");
        return Ok((StatusCode::OK, view).into_response());
    }
    let location = format!("/api/v1/sites/{}", site.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], view).into_response())
}
