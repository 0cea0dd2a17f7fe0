//! Participants of a site: list, create, show, replace, delete (see the module above for
//! the routes and when phone numbers are masked). A new participant gets a random member ID
//! (drawn again when taken); a replace keeps it.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chargeplan_core::{
    Country, MemberId, Participant, ParticipantId, PhoneNumber, Plate, SiteId, TokenUid, WhPerMile,
};
use chargeplan_store::register_participant;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{
    ApiError, ConflictError, ForbiddenError, InvalidError, NotFoundError, UnauthorizedError,
};
use super::input::Path;
use super::paths::{ParticipantPath, SitePath};
use crate::AppState;
use crate::access::ApiCaller;

/// The body of a create or replace. Every field is optional here so that a missing one is
/// reported by name; unknown fields (typos) are rejected.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParticipantBody {
    /// A mobile number: international (`+14155550101`), or national in the site's country
    /// (`07400 123456` at a GB site); checked against the country's numbering plan.
    #[schema(example = "+14155550101")]
    phone: Option<String>,
    /// The charging card or app token uids, at least one.
    #[schema(example = json!(["04A2B3C4"]))]
    token_uids: Option<Vec<String>>,
    /// The vehicle's consumption, 100 to 1000 Wh/mile; default 300.
    #[schema(example = 300)]
    wh_per_mile: Option<f64>,
    /// The licence plate, 1 to 12 characters (stored upper case); optional, for operators
    /// only, never shown to other drivers. Omitted or `null`: none.
    #[schema(example = "7ABC123")]
    plate: Option<String>,
    /// Where the plate was issued, free text up to 40 characters (e.g. `CA`, `Ontario`);
    /// only with a `plate`.
    #[schema(example = "CA")]
    plate_region: Option<String>,
}

/// A participant as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ParticipantView {
    #[schema(value_type = String)]
    id: ParticipantId,
    /// The participant's public member ID (6 characters, on their sticker), unique across
    /// all sites and fixed at creation.
    #[schema(value_type = String, example = "K7QX2M")]
    member_id: MemberId,
    #[schema(value_type = String)]
    site_id: SiteId,
    /// E.164 in a create's answer and a `GET` of one participant, else masked
    /// (`+•••••••••01`).
    phone: String,
    #[schema(value_type = Vec<String>)]
    token_uids: Vec<TokenUid>,
    wh_per_mile: f64,
    /// The licence plate, or `null`.
    plate: Option<String>,
    /// Where the plate was issued, or `null`.
    plate_region: Option<String>,
    created_at: DateTime<Utc>,
}

/// Whether an answer shows the whole phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phone {
    Masked,
    Full,
}

impl ParticipantView {
    fn new(participant: &Participant, phone: Phone) -> Self {
        Self {
            id: participant.id.clone(),
            member_id: participant.member_id.clone(),
            site_id: participant.site_id.clone(),
            phone: match phone {
                Phone::Masked => participant.phone.masked(),
                Phone::Full => participant.phone.as_e164().to_owned(),
            },
            token_uids: participant.token_uids.clone(),
            wh_per_mile: participant.wh_per_mile.get(),
            plate: participant.plate.as_ref().map(|p| p.number().to_owned()),
            plate_region: participant
                .plate
                .as_ref()
                .and_then(|p| p.region().map(str::to_owned)),
            created_at: participant.created_at,
        }
    }
}

/// The list answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ParticipantList {
    participants: Vec<ParticipantView>,
}

/// The validated fields of a body.
struct Fields {
    phone: PhoneNumber,
    token_uids: Vec<TokenUid>,
    wh_per_mile: WhPerMile,
    plate: Option<Plate>,
}

impl ParticipantBody {
    /// Checks the body for a participant of a site in `country` (the default region of a
    /// phone number given without its country code).
    fn validate(self, country: Country) -> Result<Fields, ApiError> {
        let phone = self
            .phone
            .ok_or_else(|| ApiError::invalid("phone", "phone: required, e.g. +14155550123"))?;
        let phone = PhoneNumber::from_typed(&phone, Some(country))?;
        let uids = self.token_uids.unwrap_or_default();
        if uids.is_empty() {
            return Err(ApiError::invalid(
                "token_uids",
                "token_uids: at least one card or app token uid is required",
            ));
        }
        let token_uids = uids
            .iter()
            .enumerate()
            .map(|(i, uid)| {
                TokenUid::parse(uid).map_err(|error| {
                    ApiError::invalid("token_uids", format!("token_uids[{i}]: {error}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let wh_per_mile = match self.wh_per_mile {
            Some(value) => WhPerMile::new(value)?,
            None => WhPerMile::DEFAULT,
        };
        let plate = match (self.plate, self.plate_region) {
            (Some(number), region) => Some(Plate::parse(&number, region.as_deref())?),
            (None, Some(_)) => {
                return Err(ApiError::invalid(
                    "plate_region",
                    "plate_region: only with a plate",
                ));
            }
            (None, None) => None,
        };
        Ok(Fields {
            phone,
            token_uids,
            wh_per_mile,
            plate,
        })
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/participants",
    operation_id = "list_participants",
    tag = "participants",
    params(SitePath),
    responses(
        (status = 200, description = "the site's participants, phone numbers masked", body = ParticipantList),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn list(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
) -> Result<Json<ParticipantList>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?.id;
    let participants = state.store.list_participants(&site).await?;
    Ok(Json(ParticipantList {
        participants: participants
            .iter()
            .map(|p| ParticipantView::new(p, Phone::Masked))
            .collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site_id}/participants",
    operation_id = "create_participant",
    tag = "participants",
    params(SitePath),
    request_body = ParticipantBody,
    responses(
        (status = 201, description = "the participant, with the whole phone number", body = ParticipantView),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        ConflictError,
        InvalidError,
    ),
)]
pub(crate) async fn create(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<SitePath>,
    body: Result<Json<ParticipantBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let Json(body) = body?;
    let fields = body.validate(site.country)?;
    let site = site.id;
    let participant = Participant::new(
        ParticipantId::generate(),
        MemberId::generate(&mut rand::rng()),
        site.clone(),
        fields.phone,
        fields.token_uids,
        fields.wh_per_mile,
        state.clock.now(),
    )?
    .with_plate(fields.plate);
    let participant = register_participant(state.store.as_ref(), participant).await?;
    let location = format!("/api/v1/sites/{site}/participants/{}", participant.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ParticipantView::new(&participant, Phone::Full)),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site_id}/participants/{participant_id}",
    operation_id = "get_participant",
    tag = "participants",
    params(ParticipantPath),
    responses(
        (status = 200, description = "the participant, with the whole phone number", body = ParticipantView),
        UnauthorizedError,
        NotFoundError,
    ),
)]
pub(crate) async fn show(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<ParticipantPath>,
) -> Result<Json<ParticipantView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?.id;
    let participant = participant_of(&state, &site, &path.participant_id).await?;
    Ok(Json(ParticipantView::new(&participant, Phone::Full)))
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site_id}/participants/{participant_id}",
    operation_id = "replace_participant",
    tag = "participants",
    params(ParticipantPath),
    description = "Replaces everything but the id, the member ID and the creation time.",
    request_body = ParticipantBody,
    responses(
        (status = 200, description = "the participant, phone number masked", body = ParticipantView),
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
    Path(path): Path<ParticipantPath>,
    body: Result<Json<ParticipantBody>, JsonRejection>,
) -> Result<Json<ParticipantView>, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?;
    let country = site.country;
    let site = site.id;
    let existing = participant_of(&state, &site, &path.participant_id).await?;
    let Json(body) = body?;
    let fields = body.validate(country)?;
    let participant = Participant::new(
        existing.id,
        existing.member_id,
        site,
        fields.phone,
        fields.token_uids,
        fields.wh_per_mile,
        existing.created_at,
    )?
    .with_plate(fields.plate);
    state.store.update_participant(&participant).await?;
    Ok(Json(ParticipantView::new(&participant, Phone::Masked)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site_id}/participants/{participant_id}",
    operation_id = "delete_participant",
    tag = "participants",
    params(ParticipantPath),
    responses(
        (status = 204, description = "deleted"),
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
    ),
)]
pub(crate) async fn remove(
    caller: ApiCaller,
    State(state): State<AppState>,
    Path(path): Path<ParticipantPath>,
) -> Result<StatusCode, ApiError> {
    let site = caller.known_site(&state, &path.site_id).await?.id;
    let participant = participant_of(&state, &site, &path.participant_id).await?;
    state.store.delete_participant(&participant.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The participant if it exists and belongs to `site`, else 404.
async fn participant_of(
    state: &AppState,
    site: &SiteId,
    participant_id: &str,
) -> Result<Participant, ApiError> {
    let not_found = || ApiError::NotFound(format!("participant '{participant_id}' not found"));
    let id = ParticipantId::parse(participant_id).map_err(|_| not_found())?;
    match state.store.get_participant(&id).await {
        Ok(participant) if &participant.site_id == site => Ok(participant),
        Ok(_) | Err(chargeplan_store::StoreError::NotFound { .. }) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
}
