//! Participants of a site: list, create, show, replace, delete (see the module above for
//! the routes and when phone numbers are masked).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chargeplan_core::{Participant, ParticipantId, PhoneNumber, SiteId, TokenUid, WhPerMile};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::Operator;
use super::error::ApiError;
use crate::AppState;

/// The body of a create or replace. Every field is optional here so that a missing one is
/// reported by name; unknown fields (typos) are rejected.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParticipantBody {
    phone: Option<String>,
    token_uids: Option<Vec<String>>,
    wh_per_mile: Option<f64>,
}

/// A participant as the API shows it.
#[derive(Debug, Serialize)]
pub(crate) struct ParticipantView {
    id: ParticipantId,
    site_id: SiteId,
    /// E.164, or masked (see the module doc).
    phone: String,
    token_uids: Vec<TokenUid>,
    wh_per_mile: f64,
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
            site_id: participant.site_id.clone(),
            phone: match phone {
                Phone::Masked => participant.phone.masked(),
                Phone::Full => participant.phone.as_e164().to_owned(),
            },
            token_uids: participant.token_uids.clone(),
            wh_per_mile: participant.wh_per_mile.get(),
            created_at: participant.created_at,
        }
    }
}

/// The list answer.
#[derive(Debug, Serialize)]
pub(crate) struct ParticipantList {
    participants: Vec<ParticipantView>,
}

/// The validated fields of a body.
struct Fields {
    phone: PhoneNumber,
    token_uids: Vec<TokenUid>,
    wh_per_mile: WhPerMile,
}

impl ParticipantBody {
    fn validate(self) -> Result<Fields, ApiError> {
        let phone = self
            .phone
            .ok_or_else(|| ApiError::invalid("phone", "phone: required, e.g. +14155550123"))?;
        let phone = PhoneNumber::parse(&phone)?;
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
        Ok(Fields {
            phone,
            token_uids,
            wh_per_mile,
        })
    }
}

pub(crate) async fn list(
    _: Operator,
    State(state): State<AppState>,
    Path(site_id): Path<String>,
) -> Result<Json<ParticipantList>, ApiError> {
    let site = known_site(&state, &site_id).await?;
    let participants = state.store.list_participants(&site).await?;
    Ok(Json(ParticipantList {
        participants: participants
            .iter()
            .map(|p| ParticipantView::new(p, Phone::Masked))
            .collect(),
    }))
}

pub(crate) async fn create(
    _: Operator,
    State(state): State<AppState>,
    Path(site_id): Path<String>,
    body: Result<Json<ParticipantBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let site = known_site(&state, &site_id).await?;
    let Json(body) = body?;
    let fields = body.validate()?;
    let participant = Participant::new(
        ParticipantId::generate(),
        site.clone(),
        fields.phone,
        fields.token_uids,
        fields.wh_per_mile,
        state.clock.now(),
    )?;
    state.store.insert_participant(&participant).await?;
    let location = format!("/api/v1/sites/{site}/participants/{}", participant.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ParticipantView::new(&participant, Phone::Full)),
    )
        .into_response())
}

pub(crate) async fn show(
    _: Operator,
    State(state): State<AppState>,
    Path((site_id, participant_id)): Path<(String, String)>,
) -> Result<Json<ParticipantView>, ApiError> {
    let site = known_site(&state, &site_id).await?;
    let participant = participant_of(&state, &site, &participant_id).await?;
    Ok(Json(ParticipantView::new(&participant, Phone::Full)))
}

pub(crate) async fn replace(
    _: Operator,
    State(state): State<AppState>,
    Path((site_id, participant_id)): Path<(String, String)>,
    body: Result<Json<ParticipantBody>, JsonRejection>,
) -> Result<Json<ParticipantView>, ApiError> {
    let site = known_site(&state, &site_id).await?;
    let existing = participant_of(&state, &site, &participant_id).await?;
    let Json(body) = body?;
    let fields = body.validate()?;
    let participant = Participant::new(
        existing.id,
        site,
        fields.phone,
        fields.token_uids,
        fields.wh_per_mile,
        existing.created_at,
    )?;
    state.store.update_participant(&participant).await?;
    Ok(Json(ParticipantView::new(&participant, Phone::Masked)))
}

pub(crate) async fn remove(
    _: Operator,
    State(state): State<AppState>,
    Path((site_id, participant_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let site = known_site(&state, &site_id).await?;
    let participant = participant_of(&state, &site, &participant_id).await?;
    state.store.delete_participant(&participant.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The id of an existing site, else 404.
async fn known_site(state: &AppState, site_id: &str) -> Result<SiteId, ApiError> {
    let not_found = || ApiError::NotFound(format!("site '{site_id}' not found"));
    let id = SiteId::parse(site_id).map_err(|_| not_found())?;
    match state.store.get_site(&id).await {
        Ok(site) => Ok(site.id),
        Err(chargeplan_store::StoreError::NotFound { .. }) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
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
