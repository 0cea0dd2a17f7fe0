//! The driver's page behind the personal SMS link: `GET /r/{token}` shows status, projection
//! and the request form; `POST /r/{token}` stores a new request revision, re-plans the site
//! and redirects back (post/redirect/get) to the page with the confirmation;
//! `POST /r/{token}/unblock` lifts one of the driver's relay blocks.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chargeplan_control::links;
use chargeplan_core::projection::{ChargerNow, Projection};
use chargeplan_core::{ChargingRequest, Participant, Plan, Session, Site};
use chargeplan_store::{Effects, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::driver_page::{
    BlockView, ChartData, DriverPage, FormContext, FormErrors, RequestForm, SessionView,
    departure_question, render, render_error, render_expired, session_cost,
};

/// How long a submit waits for the re-plan before answering with the plan at hand.
const REPLAN_WAIT: Duration = Duration::from_secs(10);

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/r/{token}", get(show).post(submit))
        .route("/r/{token}/unblock", post(unblock))
}

/// Everything the page needs, found from the link's token.
struct LinkContext {
    site: Site,
    session: Session,
    participant: Participant,
    request: Option<ChargingRequest>,
    plan: Option<Plan>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ShowQuery {
    saved: Option<String>,
    unblocked: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UnblockForm {
    #[serde(default)]
    block: String,
}

async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Response {
    let context = match load(&state, &token).await {
        Ok(Some(context)) => context,
        Ok(None) => return expired(),
        Err(error) => return failure(&error),
    };
    let now = state.clock.now();
    let ctx = form_context(&context, now);
    let form = RequestForm::prefill(context.request.as_ref(), &ctx);
    let mut page = page(&state, &context, &token, form, FormErrors::new(), now).await;
    if query.saved.is_some() {
        // The projection box below says what the plan promises; the notice does not repeat it.
        page.notice = Some(match &page.projection {
            Some(_) => "Saved.".to_owned(),
            None => "Saved. Your plan is being worked out; reload in a moment.".to_owned(),
        });
    } else if query.unblocked.is_some() {
        page.notice = Some("Unblocked: that driver can text you again.".to_owned());
    }
    Html(render(&page).into_string()).into_response()
}

async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<RequestForm>,
) -> Response {
    let context = match load(&state, &token).await {
        Ok(Some(context)) => context,
        Ok(None) => return expired(),
        Err(error) => return failure(&error),
    };
    let now = state.clock.now();
    if context.session.ended_at.is_some() {
        let page = page(&state, &context, &token, form, FormErrors::new(), now).await;
        return (StatusCode::CONFLICT, Html(render(&page).into_string())).into_response();
    }
    let ctx = form_context(&context, now);
    if let Ok(parsed) = form.parse(&ctx)
        && let Some(question) = departure_question(&parsed, &form, &ctx)
    {
        // Nothing is saved until the driver says which day they mean.
        let mut page = page(&state, &context, &token, form, FormErrors::new(), now).await;
        page.question = Some(question);
        return Html(render(&page).into_string()).into_response();
    }
    let request = form.parse(&ctx).and_then(|parsed| {
        let revision = context.request.as_ref().map_or(1, |r| r.revision + 1);
        ChargingRequest::new(
            context.session.id.clone(),
            revision,
            parsed.departure,
            parsed.need,
            Some(context.participant.wh_per_mile),
            now,
        )
        .map_err(|error| {
            let mut errors = FormErrors::new();
            let field = if error.to_string().contains("departure") {
                "departure"
            } else {
                "amount"
            };
            errors.insert(field, error.to_string());
            errors
        })
    });
    let request = match request {
        Ok(request) => request,
        Err(errors) => {
            let page = page(&state, &context, &token, form, errors, now).await;
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&page).into_string()),
            )
                .into_response();
        }
    };
    match state
        .store
        .add_request_revision(&request, &Effects::none())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let mut errors = FormErrors::new();
            errors.insert(
                "departure",
                "Your request was changed elsewhere a moment ago; check it and save again.",
            );
            let page = page(&state, &context, &token, form, errors, now).await;
            return (StatusCode::CONFLICT, Html(render(&page).into_string())).into_response();
        }
        Err(error) => return failure(&error),
    }
    // The request is stored (and its event will re-plan the site in any case); wait for the
    // plan so the page shows the new projection.
    if let Err(error) =
        tokio::time::timeout(REPLAN_WAIT, state.control.replan_now(&context.site.id))
            .await
            .map_err(|_| "timed out".to_owned())
            .and_then(|result| result.map_err(|error| error.to_string()))
    {
        tracing::warn!(site.id = %context.site.id, error = %error, "re-plan after a request did not finish");
    }
    Redirect::to(&format!("/r/{token}?saved=1")).into_response()
}

/// Lifts the block `form.block` of the link's driver; any other id (someone else's block, a
/// lifted one, garbage) changes nothing and gets the same page back with a 404.
async fn unblock(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<UnblockForm>,
) -> Response {
    let context = match load(&state, &token).await {
        Ok(Some(context)) => context,
        Ok(None) => return expired(),
        Err(error) => return failure(&error),
    };
    match state
        .store
        .remove_relay_block(&context.participant.id, form.block.trim())
        .await
    {
        Ok(true) => {
            tracing::info!(site.id = %context.site.id, participant.id = %context.participant.id, "relay block lifted");
            Redirect::to(&format!("/r/{token}?unblocked=1")).into_response()
        }
        Ok(false) => {
            let now = state.clock.now();
            let ctx = form_context(&context, now);
            let form = RequestForm::prefill(context.request.as_ref(), &ctx);
            let mut page = page(&state, &context, &token, form, FormErrors::new(), now).await;
            page.notice = Some("That block was already lifted.".to_owned());
            (StatusCode::NOT_FOUND, Html(render(&page).into_string())).into_response()
        }
        Err(error) => failure(&error),
    }
}

/// The link's context, or `None` when the token is unknown or the link has expired.
async fn load(state: &AppState, token: &str) -> Result<Option<LinkContext>, StoreError> {
    if !links::looks_like_token(token) {
        return Ok(None);
    }
    let Some(link) = state
        .store
        .find_driver_link(&links::token_hash(token))
        .await?
    else {
        return Ok(None);
    };
    let session = state.store.get_session(&link.session_id).await?;
    let grace = state.control.config().link_grace;
    if session
        .ended_at
        .is_some_and(|ended| state.clock.now() > ended + grace)
    {
        return Ok(None);
    }
    let site = state.store.get_site(&link.site_id).await?;
    let participant = state.store.get_participant(&link.participant_id).await?;
    let request = state.store.latest_request(&session.id).await?;
    let plan = state.store.latest_plan(&site.id).await?;
    Ok(Some(LinkContext {
        site,
        session,
        participant,
        request,
        plan,
    }))
}

fn form_context(context: &LinkContext, now: chrono::DateTime<chrono::Utc>) -> FormContext {
    FormContext {
        now,
        tz: context.site.time_zone,
        wh_per_mile: context.participant.wh_per_mile.get(),
        clock: context.site.clock,
    }
}

async fn page(
    state: &AppState,
    context: &LinkContext,
    token: &str,
    form: RequestForm,
    errors: FormErrors,
    now: chrono::DateTime<chrono::Utc>,
) -> DriverPage {
    let planned = context
        .plan
        .as_ref()
        .and_then(|plan| plan.session(&context.session.id).map(|sp| (plan, sp)));
    let samples = state
        .store
        .list_meter_samples(&context.session.id)
        .await
        .unwrap_or_default();
    let max_kw = match context.session.port_id.as_ref() {
        Some(port) => state
            .store
            .list_ports(&context.site.id)
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|p| &p.id == port)
            .map(|p| p.max_power.get()),
        None => None,
    };
    let charger = max_kw.map(|max_kw| ChargerNow {
        max_kw,
        drawing_kw: context.session.power.get(),
    });
    let projection = match (planned, &context.request) {
        (Some((plan, sp)), Some(request)) if context.session.ended_at.is_none() => {
            Some(Projection::from_plan_at(
                plan,
                sp,
                context.session.energy.get(),
                request,
                now,
                charger,
            ))
        }
        _ => None,
    };
    let session = SessionView::from_session(&context.session);
    let cost = if session.ended {
        match state.store.get_tariff(&context.site.id).await {
            Ok(Some(tariff)) => Some(session_cost(
                &tariff,
                context.site.time_zone,
                context.session.started_at,
                context.session.energy.get(),
                &samples,
            )),
            _ => None,
        }
    } else {
        None
    };
    let delivered = samples
        .into_iter()
        .map(|sample| (sample.at, sample.power.get()))
        .collect();
    let chart = planned.map(|(plan, sp)| ChartData {
        start: plan.start,
        slot_minutes: plan.slot_minutes.get(),
        planned_kw: sp.power_kw.clone(),
        delivered,
        max_kw: max_kw.unwrap_or(0.0),
        now,
    });
    let mut blocks: Vec<BlockView> = state
        .store
        .list_relay_blocks(&context.participant.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|block| BlockView {
            id: block.id,
            created_at: block.created_at,
        })
        .collect();
    blocks.sort_by_key(|block| std::cmp::Reverse(block.created_at));
    DriverPage {
        site_name: context.site.name.clone(),
        member_id: context.participant.member_id.clone(),
        tz: context.site.time_zone,
        clock: context.site.clock,
        now,
        action_path: format!("/r/{token}"),
        session,
        request: context.request.clone(),
        projection,
        chart,
        form,
        errors,
        question: None,
        cost,
        notice: None,
        wh_per_mile: context.participant.wh_per_mile.get(),
        blocks,
    }
}

fn expired() -> Response {
    (StatusCode::NOT_FOUND, Html(render_expired().into_string())).into_response()
}

fn failure(error: &StoreError) -> Response {
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(
            render_error("Something went wrong on our side. Please try again in a minute.")
                .into_string(),
        ),
    )
        .into_response();
    response
        .extensions_mut()
        .insert(crate::ErrorReason(error.to_string()));
    response
}
