//! The driver conversations: the Welcome SMS of a participant's new session, and after every
//! plan the confirmation of a new request and the warning when the projection got worse. ("Your
//! car is done", for a met request or a car that stopped drawing, is `waitlist::done`'s.) Each message is written in the same transaction as the state that
//! records it was sent, under an idempotency key, so a crash or a retry never sends it twice.

use chargeplan_core::projection::{ChargerNow, Projection};
use chargeplan_core::{Session, Site};
use chargeplan_store::prelude::*;
use chargeplan_store::{DriverLink, DriverNotice, Effects, NewOutboxMessage};
use chrono::{DateTime, Utc};

use crate::planner::Replanned;
use crate::{ControlConfig, ControlError, links, messages};

/// Texts a participant's new session its Welcome SMS with a fresh personal link. Sessions of
/// non-participants, ended sessions and sessions that already have a link get nothing.
/// Returns whether a welcome was queued.
pub async fn welcome(
    store: &dyn Store,
    site: &Site,
    session: &Session,
    config: &ControlConfig,
    now: DateTime<Utc>,
) -> Result<bool, ControlError> {
    if session.ended_at.is_some() || session.status.is_final() {
        return Ok(false);
    }
    let Some(uid) = &session.token_uid else {
        return Ok(false);
    };
    let Some(participant) = store.find_participant_by_token(&site.id, uid).await? else {
        return Ok(false);
    };
    let token = links::new_token();
    let link = DriverLink {
        token_hash: links::token_hash(&token),
        session_id: session.id.clone(),
        participant_id: participant.id.clone(),
        site_id: site.id.clone(),
        created_at: now,
    };
    let message = NewOutboxMessage {
        site_id: Some(site.id.clone()),
        recipient: participant.phone.clone(),
        body: messages::welcome(&site.name, &links::request_url(&config.public_url, &token)),
        idempotency_key: format!("welcome:{}", session.id),
        not_before: now,
    };
    let effects = Effects {
        events: Vec::new(),
        messages: vec![message],
    };
    Ok(store.create_driver_link(&link, &effects, now).await?)
}

/// After a plan: confirms new requests and warns when a projection got worse than promised —
/// for every session with a personal link.
pub async fn after_plan(
    store: &dyn Store,
    replanned: &Replanned,
    config: &ControlConfig,
    now: DateTime<Utc>,
) -> Result<(), ControlError> {
    let site = &replanned.snapshot.site;
    let ports = store.list_ports(&site.id).await?;
    for (planned, session_plan) in replanned
        .snapshot
        .sessions
        .iter()
        .zip(&replanned.plan.sessions)
    {
        let Some(request) = &planned.request else {
            continue;
        };
        let session = &planned.session;
        let Some(link) = store.driver_link_for_session(&session.id).await? else {
            continue;
        };
        let participant = store.get_participant(&link.participant_id).await?;
        let charger = session
            .port_id
            .as_ref()
            .and_then(|port| ports.iter().find(|p| &p.id == port))
            .map(|port| ChargerNow {
                max_kw: port.max_power.get(),
                drawing_kw: session.power.get(),
            });
        let projection = Projection::from_plan_at(
            &replanned.plan,
            session_plan,
            session.energy.get(),
            request,
            now,
            charger,
        );
        let miles = request
            .stated_miles
            .is_some()
            .then(|| participant.wh_per_mile.get());
        let sentence = projection.sentence(site.time_zone, site.clock, miles, now);
        let mut notice = store
            .get_driver_notice(&session.id)
            .await?
            .unwrap_or_else(|| DriverNotice::new(session.id.clone(), now));
        let mut bodies = Vec::new();
        if request.revision > notice.confirmed_revision {
            bodies.push((
                format!("confirm:{}:{}", session.id, request.revision),
                messages::confirmation(&sentence),
            ));
            notice.confirmed_revision = request.revision;
            notice.promised_kwh = Some(projection.delivered_kwh);
        } else if let Some(promised) = notice.promised_kwh {
            let drop = promised - projection.delivered_kwh;
            if drop > config.worse_projection_kwh && drop > 0.1 * promised {
                bodies.push((
                    format!("worse:{}:{}", session.id, replanned.plan.id),
                    messages::projection_worse(&sentence),
                ));
                notice.promised_kwh = Some(projection.delivered_kwh);
            }
        }
        if bodies.is_empty() {
            continue;
        }
        notice.updated_at = now;
        let messages = bodies
            .into_iter()
            .map(|(idempotency_key, body)| NewOutboxMessage {
                site_id: Some(site.id.clone()),
                recipient: participant.phone.clone(),
                body,
                idempotency_key,
                not_before: now,
            })
            .collect();
        let effects = Effects {
            events: Vec::new(),
            messages,
        };
        store.save_driver_notice(&notice, &effects, now).await?;
    }
    Ok(())
}
