//! A site's charge-bay sharing settings (relay threads, rate limits, waitlist offers and
//! holds, "done" reminders, the public board): read them, or replace them. The document's
//! schema takes each number's range from `chargeplan_core::SHARING_LIMITS`, the same table
//! the store validates with.

use std::borrow::Cow;

use axum::Json;
use axum::extract::State;
use chargeplan_core::SharingSettings;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{RefOr, Schema};

use super::error::{ApiError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError};
use super::input::{Body, Path};
use super::log_change;
use super::paths::SitePath;
use crate::AppState;
use crate::access::ApiCaller;
use crate::sharing_fields::{BOARD_HINT, setting_fields};

/// The settings in the OpenAPI document: the body of a `PUT` and every answer. (The JSON
/// itself is read and written by `SharingSettings`; this type only describes it.)
pub(crate) struct SharingSettingsDoc;

impl utoipa::PartialSchema for SharingSettingsDoc {
    fn schema() -> RefOr<Schema> {
        let defaults = SharingSettings::default();
        let board = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Boolean))
            .description(Some(format!("{BOARD_HINT} Default true.")))
            .default(Some(defaults.board_enabled.into()));
        let mut object = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Object))
            .description(Some(
                "A site's sharing settings. Every field is required in a `PUT` (send back what \
                 `GET` answered, changed); an unknown field or a value out of its range is a 422 \
                 naming the field.",
            ))
            .property("board_enabled", board)
            .required("board_enabled")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for field in setting_fields() {
            let number = ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::Integer))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(field.min))
                .maximum(Some(field.max))
                .default(Some(field.default.into()))
                .description(Some(format!(
                    "{} In {}, {} to {}; default {}.",
                    field.hint, field.unit, field.min, field.max, field.default
                )));
            object = object.property(field.name, number).required(field.name);
        }
        RefOr::T(Schema::Object(object.build()))
    }
}

impl utoipa::ToSchema for SharingSettingsDoc {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SharingSettings")
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/sharing",
    operation_id = "get_sharing_settings",
    tag = "sharing",
    description = "The site's sharing settings; the defaults until some were saved.",
    params(SitePath),
    responses(
        (status = 200, description = "the site's sharing settings", body = SharingSettingsDoc),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<SharingSettings>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    Ok(Json(state.store.get_sharing_settings(&site.id).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/sharing",
    operation_id = "replace_sharing_settings",
    tag = "sharing",
    description = "Replaces the site's sharing settings. Any operator of the site may do this, \
                   as with caps and the tariff. The settings do not change the plan, so the \
                   site is not re-planned.",
    params(SitePath),
    request_body = SharingSettingsDoc,
    responses(
        (status = 200, description = "the new settings", body = SharingSettingsDoc),
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
    body: Result<Body<SharingSettings>, ApiError>,
) -> Result<Json<SharingSettings>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Body(settings) = body?;
    settings.validate()?;
    let before = state.store.get_sharing_settings(&site.id).await?;
    state
        .store
        .set_sharing_settings(&site.id, &settings, state.clock.now())
        .await?;
    // No `ControlHandle::trigger`: none of these settings enters the optimizer's problem, so
    // the plan stays as it is; the relay and the waitlist read them when they act.
    log_change(
        &caller,
        &site.id,
        "sharing",
        &changed_fields(&before, &settings),
    );
    Ok(Json(settings))
}

/// The names of the settings that differ, comma-separated ("hold_min,max_skips"), for the log.
pub(crate) fn changed_fields(before: &SharingSettings, after: &SharingSettings) -> String {
    let mut names: Vec<&str> = Vec::new();
    if before.board_enabled != after.board_enabled {
        names.push("board_enabled");
    }
    for ((name, old), (_, new)) in before.numbers().into_iter().zip(after.numbers()) {
        if old != new {
            names.push(name);
        }
    }
    names.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_fields_are_named_in_the_tables_order() {
        let before = SharingSettings::default();
        let after = SharingSettings {
            board_enabled: false,
            max_skips: 4,
            hold_min: 20,
            ..before
        };
        assert_eq!(
            changed_fields(&before, &after),
            "board_enabled,hold_min,max_skips"
        );
        assert_eq!(changed_fields(&before, &before), "");
    }
}
