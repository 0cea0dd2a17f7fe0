//! The texted-code flow shared by self-registration and the board's "join the waitlist": the
//! rate limits and the verification written with its text (`send_code`), and the check of a
//! typed code with its attempt counter (`check_code`). Whatever the purpose, a code proves
//! only that whoever types it holds the phone.

use chargeplan_core::{PhoneNumber, Site, SiteId};
use chargeplan_store::{Effects, NewOutboxMessage, PhoneVerification, StoreError};
use chrono::{DateTime, Duration, Utc};
use tokio::sync::Mutex;

use super::code::{self, Closed};
use super::{CODE_TTL_MINUTES, MAX_ATTEMPTS, MAX_CODES_PER_HOUR, MAX_SITE_CODES_PER_HOUR};
use crate::AppState;

pub(crate) use super::form::{parse_phone, phone_hint};

/// How long a texted code can be used, in minutes.
pub(crate) const CODE_MINUTES: i64 = CODE_TTL_MINUTES;

/// One code check at a time: the attempt counter is read, compared and written back, and
/// parallel guesses must not all see the same count. (Within this process; the pilot runs
/// one server.)
static CODE_CHECK: Mutex<()> = Mutex::const_new(());

/// What asking for a code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CodeRequest {
    /// A verification with this id exists (texted, unless `silent`).
    Sent { id: String },
    /// This number asked for as many codes as allowed in an hour.
    NumberLimit,
    /// The site sent as many codes as allowed in an hour.
    SiteLimit,
}

/// Where a code's limits are counted and its text is filed.
#[derive(Debug, Clone)]
pub(crate) struct CodeScope {
    /// Codes are counted per hour against this id (a site's, or a bucket of its own).
    pub limits: SiteId,
    /// The site the text is sent for in the outbox, if it is one.
    pub outbox_site: Option<SiteId>,
}

impl CodeScope {
    /// Counted at `site` and sent for it.
    pub(crate) fn site(site: &Site) -> Self {
        Self {
            limits: site.id.clone(),
            outbox_site: Some(site.id.clone()),
        }
    }
}

/// Texts a fresh code to `phone` within the scope's limits; `body` words the text from the
/// code. A `silent` request goes through the same steps and limits but texts nothing (its code
/// is known to nobody), so the answer does not tell who is registered.
pub(crate) async fn send_code(
    state: &AppState,
    scope: &CodeScope,
    phone: &PhoneNumber,
    body: impl FnOnce(&str) -> String,
    silent: bool,
) -> Result<CodeRequest, StoreError> {
    let now = state.wall_clock.now();
    let hour_ago = now - Duration::hours(1);
    if state
        .store
        .count_site_verifications(&scope.limits, hour_ago)
        .await?
        >= MAX_SITE_CODES_PER_HOUR
    {
        return Ok(CodeRequest::SiteLimit);
    }
    if state
        .store
        .count_phone_verifications(&scope.limits, phone, hour_ago)
        .await?
        >= MAX_CODES_PER_HOUR
    {
        return Ok(CodeRequest::NumberLimit);
    }
    let id = code::new_id();
    let code = code::new_code();
    let verification = PhoneVerification {
        id: id.clone(),
        site_id: scope.limits.clone(),
        phone: phone.clone(),
        code_hash: code::code_hash(&id, &code),
        attempts: 0,
        expires_at: now + Duration::minutes(CODE_TTL_MINUTES),
        created_at: now,
        verified_at: None,
    };
    let effects = if silent {
        Effects::none()
    } else {
        Effects {
            events: Vec::new(),
            messages: vec![NewOutboxMessage {
                site_id: scope.outbox_site.clone(),
                recipient: phone.clone(),
                body: body(&code),
                idempotency_key: format!("verify:{id}"),
                not_before: now,
            }],
        }
    };
    state
        .store
        .insert_phone_verification(&verification, &effects, now)
        .await?;
    Ok(CodeRequest::Sent { id })
}

/// What a typed code came to.
#[derive(Debug)]
pub(crate) enum CodeCheck {
    /// The right code: the verification, not yet marked used (see [`mark_used`]).
    Right(PhoneVerification),
    /// Not six digits: not counted as an attempt.
    Malformed,
    /// Wrong; this many attempts are left (0: now locked).
    Wrong { left: u32 },
    /// The verification can no longer take a code.
    Closed(Closed),
}

/// The verification `id` (of any site), or `None` when the id is malformed or unknown.
pub(crate) async fn find(
    state: &AppState,
    id: &str,
) -> Result<Option<PhoneVerification>, StoreError> {
    if !code::looks_like_id(id) {
        return Ok(None);
    }
    state.store.get_phone_verification(id).await
}

/// Why the verification cannot take a code at `now`, as one sentence, or `None` when it can.
pub(crate) fn closed_sentence(
    verification: &PhoneVerification,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    Closed::check(verification, now).map(Closed::sentence)
}

/// Checks `typed` against the verification `id`, counting a wrong code as an attempt.
pub(crate) async fn check_code(
    state: &AppState,
    verification: &PhoneVerification,
    typed: &str,
) -> Result<CodeCheck, StoreError> {
    let _one_at_a_time = CODE_CHECK.lock().await;
    // Read again under the lock: a parallel guess may have counted an attempt.
    let Some(verification) = state.store.get_phone_verification(&verification.id).await? else {
        return Err(StoreError::NotFound {
            what: "phone verification",
            id: verification.id.clone(),
        });
    };
    if let Some(closed) = Closed::check(&verification, state.wall_clock.now()) {
        return Ok(CodeCheck::Closed(closed));
    }
    let Some(code) = code::normalise(typed) else {
        return Ok(CodeCheck::Malformed);
    };
    if code::matches(&verification, &code) {
        return Ok(CodeCheck::Right(verification));
    }
    let attempts = verification.attempts + 1;
    let counted = PhoneVerification {
        attempts,
        ..verification
    };
    state.store.update_phone_verification(&counted).await?;
    Ok(CodeCheck::Wrong {
        left: MAX_ATTEMPTS.saturating_sub(attempts),
    })
}

/// Marks the verification used at `now`, so its code works once.
pub(crate) async fn mark_used(
    state: &AppState,
    verification: &PhoneVerification,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let used = PhoneVerification {
        verified_at: Some(now),
        ..verification.clone()
    };
    state.store.update_phone_verification(&used).await
}

/// "That code is not right…" for `left` attempts left (0: locked).
pub(crate) fn wrong_sentence(left: u32) -> Option<String> {
    match left {
        0 => None,
        1 => Some("That code is not right. You can try once more.".to_owned()),
        n => Some(format!(
            "That code is not right. You can try {n} more times."
        )),
    }
}

/// The sentence for a locked verification.
pub(crate) fn locked_sentence() -> &'static str {
    Closed::Locked.sentence()
}
