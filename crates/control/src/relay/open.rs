//! Opening a thread: a waiting driver reaches the owner of a member ID.
//!
//! An unknown ID and an owner who blocked the sender get exactly the receipt a real thread
//! gets (a void thread is stored, so follow-ups behave the same too): IDs cannot be probed.

use chargeplan_core::{MemberId, PhoneNumber, SharingSettings, ThreadCode};
use chargeplan_store::prelude::*;
use chargeplan_store::{Effects, NewOutboxMessage, RelayLogEntry, RelaySender, RelayThread};
use chrono::{DateTime, Duration, Utc};

use super::texts;
use super::{already_handled, car, words};
use crate::ControlError;

/// What opening a thread did.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactOutcome {
    /// The immediate answer to the sender, when not sent through the outbox.
    pub answer: Option<String>,
    /// The thread's code, when one was opened (real or void).
    pub code: Option<ThreadCode>,
    /// What the relay log recorded (`opened`, `refused:<reason>`).
    pub log_outcome: String,
}

pub(crate) async fn open_thread(
    store: &dyn Store,
    now: DateTime<Utc>,
    from: &PhoneNumber,
    member: &MemberId,
    message: &str,
    message_id: &str,
) -> Result<ContactOutcome, ControlError> {
    let owner = store.find_participant_by_member_id(member).await?;
    if owner.as_ref().is_some_and(|owner| &owner.phone == from) {
        return refusal(store, now, from, None, "own_id", texts::own_id()).await;
    }
    let site = match &owner {
        Some(owner) => Some(store.get_site(&owner.site_id).await?),
        None => None,
    };
    let settings = match &site {
        Some(site) => store.get_sharing_settings(&site.id).await?,
        None => SharingSettings::default(),
    };
    let hour_ago = now - Duration::hours(1);
    let limit = u64::from(settings.new_threads_per_hour);
    if store.count_threads_opened_by(from, hour_ago).await? >= limit
        || store.count_threads_to_member(member, hour_ago).await? >= limit
    {
        let text = texts::too_many_new_threads();
        return refusal(
            store,
            now,
            from,
            site.as_ref().map(|s| s.id.clone()),
            "rate_limited",
            text,
        )
        .await;
    }
    let open = store.open_threads_of_phone(from, now).await?;
    let mine: Vec<ThreadCode> = open
        .iter()
        .filter(|thread| &thread.waiter_phone == from)
        .map(|thread| thread.code)
        .collect();
    if mine.len() >= settings.max_open_threads_per_sender as usize {
        let text = texts::too_many_open_threads(&mine);
        return refusal(
            store,
            now,
            from,
            site.as_ref().map(|s| s.id.clone()),
            "too_many_open",
            text,
        )
        .await;
    }

    let blocked = match &owner {
        Some(owner) => store.is_relay_blocked(&owner.id, from).await?,
        None => false,
    };
    let void_reason = match (&owner, blocked) {
        (None, _) => Some("unknown_member"),
        (Some(_), true) => Some("blocked"),
        (Some(_), false) => None,
    };
    let mut taken: Vec<ThreadCode> = open.iter().map(|thread| thread.code).collect();
    if let Some(owner) = owner.as_ref().filter(|_| void_reason.is_none()) {
        taken.extend(
            store
                .open_threads_of_phone(&owner.phone, now)
                .await?
                .iter()
                .map(|t| t.code),
        );
    }
    let Some(code) = ThreadCode::generate_avoiding(&mut rand::rng(), &taken) else {
        let text = texts::too_many_open_threads(&mine);
        return refusal(
            store,
            now,
            from,
            site.as_ref().map(|s| s.id.clone()),
            "no_free_code",
            text,
        )
        .await;
    };
    let cleaned = words::clean(message);

    let mut messages = vec![NewOutboxMessage {
        site_id: site.as_ref().map(|site| site.id.clone()),
        recipient: from.clone(),
        body: texts::waiter_receipt(code, member),
        idempotency_key: format!("relay:{message_id}:receipt"),
        not_before: now,
    }];
    let mut session_id = None;
    if let (Some(owner), Some(site), None) = (&owner, &site, void_reason) {
        let (status, session) = car::car_status(store, site, owner, now).await?;
        session_id = session;
        messages.push(NewOutboxMessage {
            site_id: Some(site.id.clone()),
            recipient: owner.phone.clone(),
            body: texts::owner_first(code, &site.name, &status, &cleaned.text),
            idempotency_key: format!("relay:{message_id}:owner"),
            not_before: now,
        });
    }
    let thread = RelayThread {
        id: format!("rt-{message_id}"),
        code,
        member_id: member.clone(),
        site_id: site.as_ref().map(|site| site.id.clone()),
        owner: owner.as_ref().map(|owner| owner.id.clone()),
        owner_phone: owner.as_ref().map(|owner| owner.phone.clone()),
        waiter_phone: from.clone(),
        session_id,
        void_reason: void_reason.map(str::to_owned),
        opened_at: now,
        last_message_at: now,
        closes_at: now + Duration::minutes(i64::from(settings.thread_lifetime_min)),
        closed_at: None,
        owner_shared: false,
        waiter_shared: false,
    };
    let log_outcome = match void_reason {
        None if cleaned.removed => "opened:cleaned".to_owned(),
        None => "opened".to_owned(),
        Some(reason) => format!("refused:{reason}"),
    };
    let log = RelayLogEntry {
        thread_id: Some(thread.id.clone()),
        site_id: thread.site_id.clone(),
        at: now,
        sender: RelaySender::Waiter,
        sender_phone: from.clone(),
        outcome: log_outcome.clone(),
        body: (!message.is_empty()).then(|| message.to_owned()),
    };
    let effects = Effects {
        events: vec![],
        messages,
    };
    match store.open_relay_thread(&thread, &log, &effects).await {
        Ok(()) => {}
        Err(error) if already_handled(&error) => {}
        Err(error) => return Err(error.into()),
    }
    tracing::info!(
        site.id = thread.site_id.as_ref().map(|id| id.as_str()),
        relay.thread = %thread.id,
        relay.outcome = %log_outcome,
        "relay thread opened"
    );
    Ok(ContactOutcome {
        answer: None,
        code: Some(code),
        log_outcome,
    })
}

async fn refusal(
    store: &dyn Store,
    now: DateTime<Utc>,
    from: &PhoneNumber,
    site_id: Option<chargeplan_core::SiteId>,
    reason: &str,
    answer: String,
) -> Result<ContactOutcome, ControlError> {
    let log = RelayLogEntry {
        thread_id: None,
        site_id,
        at: now,
        sender: RelaySender::Waiter,
        sender_phone: from.clone(),
        outcome: format!("refused:{reason}"),
        body: None,
    };
    store.record_relay(&log, None, &Effects::none()).await?;
    Ok(ContactOutcome {
        answer: Some(answer),
        code: None,
        log_outcome: log.outcome,
    })
}
