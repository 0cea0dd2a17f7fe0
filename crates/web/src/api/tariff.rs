//! A site's tariff: time-of-use energy prices in weekly local-time windows, a demand charge
//! and the billing period. Read it, or replace it and re-plan the site at once.

use axum::Json;
use axum::extract::State;
use chargeplan_core::{MAX_PRICE_PER_KWH, PriceWindow, Site, Tariff};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Body, Path, window};
use super::local_time::local;
use super::paths::SitePath;
use super::schedule::WindowView;
use super::site_changed;
use crate::AppState;
use crate::access::ApiCaller;

/// Most price windows one tariff may have.
pub(super) const MAX_WINDOWS: usize = 50;

/// A tariff as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TariffView {
    site_id: String,
    /// ISO 4217 code, e.g. `USD`; every price is in this currency.
    currency: String,
    /// Energy price per kWh outside every window.
    default_price_per_kwh: f64,
    /// Time-of-use prices in the site's local time; the first window containing an instant
    /// wins.
    windows: Vec<PriceWindowView>,
    /// Charge per kW of the billing period's peak demand.
    demand_charge_per_kw: f64,
    /// Day of the month (1 to 28) on which each billing period starts, at local midnight.
    billing_period_start_day: u32,
    /// The energy price per kWh now.
    price_now_per_kwh: f64,
    /// Start of the current billing period.
    billing_period_start: DateTime<Utc>,
    /// `billing_period_start` on the site's clock.
    billing_period_start_local: String,
}

impl TariffView {
    fn new(tariff: &Tariff, site: &Site, now: DateTime<Utc>) -> Self {
        let period_start = tariff.billing_period_start(site.time_zone, now);
        Self {
            site_id: tariff.site_id.to_string(),
            currency: tariff.currency.clone(),
            default_price_per_kwh: tariff.default_price_per_kwh,
            windows: tariff.windows.iter().map(PriceWindowView::new).collect(),
            demand_charge_per_kw: tariff.demand_charge_per_kw,
            billing_period_start_day: tariff.billing_period_start_day,
            price_now_per_kwh: tariff.price_at(site.time_zone, now),
            billing_period_start: period_start,
            billing_period_start_local: local(site.time_zone, period_start),
        }
    }
}

/// A price window as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PriceWindowView {
    /// The days on which the window starts, in week order.
    days: Vec<String>,
    /// Local start, `HH:MM`.
    start: String,
    /// Local end, `HH:MM`, exclusive; at or before `start` means the next day.
    end: String,
    /// Whether the window ends on the next day.
    crosses_midnight: bool,
    /// Energy price per kWh while active.
    price_per_kwh: f64,
}

impl PriceWindowView {
    fn new(price: &PriceWindow) -> Self {
        let (days, start, end, crosses_midnight) = WindowView::days_and_times(&price.window);
        Self {
            days,
            start,
            end,
            crosses_midnight,
            price_per_kwh: price.price_per_kwh,
        }
    }
}

/// The body of a replacement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TariffBody {
    /// ISO 4217 code.
    #[schema(example = "USD")]
    currency: String,
    /// Energy price per kWh outside every window, 0 to 100.
    #[schema(example = 0.25)]
    default_price_per_kwh: f64,
    /// Time-of-use windows (at most 50); default none.
    #[serde(default)]
    windows: Vec<PriceWindowBody>,
    /// Charge per kW of the billing period's peak, 0 to 10 000; default 0.
    #[serde(default)]
    #[schema(example = 18.5)]
    demand_charge_per_kw: f64,
    /// Day of the month (1 to 28) each billing period starts; default 1.
    #[serde(default)]
    billing_period_start_day: Option<u32>,
}

/// One price window of a replacement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriceWindowBody {
    /// Day names on which the window starts: `mon` … `sun`.
    #[schema(example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    days: Vec<String>,
    /// Local start time, `HH:MM`.
    #[schema(example = "16:00")]
    start: String,
    /// Local end time, `HH:MM`; at or before `start` means the next day.
    #[schema(example = "21:00")]
    end: String,
    /// Energy price per kWh while active, 0 to 100.
    #[schema(example = 0.5)]
    price_per_kwh: f64,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/tariff",
    operation_id = "get_tariff",
    tag = "tariff",
    params(SitePath),
    responses(
        (status = 200, description = "the site's tariff", body = TariffView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<TariffView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let tariff = state.store.get_tariff(&site.id).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "site '{}' has no tariff yet; PUT one to set it",
            site.id
        ))
    })?;
    Ok(Json(TariffView::new(&tariff, &site, state.clock.now())))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/tariff",
    operation_id = "replace_tariff",
    tag = "tariff",
    description = "Replaces the site's tariff and re-plans the site at once.",
    params(SitePath),
    request_body = TariffBody,
    responses(
        (status = 200, description = "the new tariff", body = TariffView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        InvalidError,
    ),
)]
pub(crate) async fn replace(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    body: Result<Body<TariffBody>, ApiError>,
) -> Result<Json<TariffView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Body(body) = body?;
    if body.windows.len() > MAX_WINDOWS {
        return Err(ApiError::invalid(
            "windows",
            format!("windows: at most {MAX_WINDOWS} price windows"),
        ));
    }
    let windows = body
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let at = format!("windows[{i}]");
            let price = w.price_per_kwh;
            if !price.is_finite() || !(0.0..=MAX_PRICE_PER_KWH).contains(&price) {
                return Err(ApiError::invalid_at(
                    format!("{at}.price_per_kwh"),
                    format!("{at}.price_per_kwh: must be 0 to {MAX_PRICE_PER_KWH}, got {price}"),
                ));
            }
            Ok(PriceWindow {
                window: window(&at, &w.days, &w.start, &w.end)?,
                price_per_kwh: price,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let tariff = Tariff::new(
        site.id.clone(),
        &body.currency,
        body.default_price_per_kwh,
        windows,
        body.demand_charge_per_kw,
        body.billing_period_start_day.unwrap_or(1),
    )?;
    let now = state.clock.now();
    state.store.set_tariff(&tariff, now).await?;
    site_changed(&state, &caller, &site.id, "tariff");
    Ok(Json(TariffView::new(&tariff, &site, now)))
}
