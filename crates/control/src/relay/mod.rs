//! The anonymous relay between a driver waiting for a charger and the owner of a car on one:
//! the waiting driver texts the member ID on the car's sticker (or uses `/c/{ID}`), the owner
//! gets the text with a thread code and how their car is doing, and each side's replies are
//! passed on — without either ever seeing the other's number.
//!
//! Everything a text causes (the thread, its log line, the texts to both sides) is written in
//! one store transaction with idempotency keys derived from the inbound message's id, so a
//! crash or a replayed webhook never sends anything twice.

mod answer;
mod car;
mod open;
pub mod texts;
mod words;

use std::sync::Arc;

use async_trait::async_trait;
use chargeplan_core::{Clock, MemberId, PhoneNumber, SiteId, ThreadCode};
use chargeplan_sms::{InboundHandler, InboundSms};
use chargeplan_store::{RelayLogEntry, RelaySender, RelayThread, Store, StoreError};
use chrono::{DateTime, Utc};

use crate::metrics::ControlMetrics;
use crate::{ControlError, request_reply, waitlist};
pub use open::ContactOutcome;
use words::Said;

/// The relay: answers drivers' texts and opens threads from the web page.
#[derive(Debug, Clone)]
pub struct Relay {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Counts relayed messages and refusals for `/metrics`.
    metrics: ControlMetrics,
}

impl Relay {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, metrics: ControlMetrics) -> Self {
        Self {
            store,
            clock,
            metrics,
        }
    }

    /// Handles one text that is not a carrier keyword (STOP, START, HELP are handled before)
    /// and returns the immediate answer, if any: a driver's request for their own plugged-in
    /// car (`request_reply`), else a relay or waitlist command. `message_id` is the provider's id of the
    /// text: what it causes is keyed by it, so the same text twice sends nothing twice.
    pub async fn on_text(
        &self,
        from: &PhoneNumber,
        body: &str,
        message_id: &str,
    ) -> Result<Option<String>, ControlError> {
        let now = self.clock.now();
        // A driver's own request ("leave 17:30 need 20 kwh") first; what is not one is
        // relayed or answered as before.
        let in_thread = !self
            .store
            .open_threads_of_phone(from, now)
            .await?
            .is_empty();
        if let Some(answer) =
            request_reply::on_text(&*self.store, from, body, in_thread, now).await?
        {
            return Ok(Some(answer));
        }
        match words::read(body) {
            Said::Contact { member, message } => {
                let outcome = self.contact(from, &member, &message, message_id).await?;
                Ok(outcome.answer)
            }
            Said::Thread { code, text } => {
                if code.is_none()
                    && self
                        .store
                        .open_threads_of_phone(from, now)
                        .await?
                        .is_empty()
                {
                    return Ok(Some(texts::no_conversation()));
                }
                self.to_thread(from, code, answer::Intent::Message(text), message_id, now)
                    .await
            }
            Said::Block(code) => {
                self.to_thread(from, code, answer::Intent::Block, message_id, now)
                    .await
            }
            Said::Close(code) => {
                self.to_thread(from, code, answer::Intent::Close, message_id, now)
                    .await
            }
            Said::Unblock => Ok(Some(texts::unblock_on_page())),
            Said::Empty => Ok(Some(texts::no_conversation())),
            Said::Wait(None) if self.owns_open_thread(from, now).await? => {
                // An owner's bare "wait" answers the waiting driver ("wait, I'm coming").
                self.to_thread(
                    from,
                    None,
                    answer::Intent::Message(body.trim().to_owned()),
                    message_id,
                    now,
                )
                .await
            }
            Said::Wait(site_code) => {
                self.waitlist(from, WaitlistWord::Wait(site_code), now)
                    .await
            }
            Said::Leave => self.waitlist(from, WaitlistWord::Leave, now).await,
            Said::Take => self.waitlist(from, WaitlistWord::Take, now).await,
            Said::Skip => self.waitlist(from, WaitlistWord::Skip, now).await,
        }
    }

    /// Opens a thread from `from` to the owner of `member` (from a text or the `/c/{ID}`
    /// page, whose phone was verified by a code).
    pub async fn contact(
        &self,
        from: &PhoneNumber,
        member: &MemberId,
        message: &str,
        message_id: &str,
    ) -> Result<ContactOutcome, ControlError> {
        let outcome = open::open_thread(
            &*self.store,
            self.clock.now(),
            from,
            member,
            message,
            message_id,
        )
        .await?;
        self.metrics.count_relay(&outcome.log_outcome);
        Ok(outcome)
    }

    /// Whether `from` is the owner in one of their open threads.
    async fn owns_open_thread(
        &self,
        from: &PhoneNumber,
        now: DateTime<Utc>,
    ) -> Result<bool, ControlError> {
        let open = self.store.open_threads_of_phone(from, now).await?;
        Ok(open
            .iter()
            .any(|thread| thread.role_of(from) == RelaySender::Owner))
    }

    /// WAIT, LEAVE, TAKE and SKIP: the site's waitlist.
    async fn waitlist(
        &self,
        from: &PhoneNumber,
        word: WaitlistWord,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, ControlError> {
        let (store, clock) = (&*self.store, &*self.clock);
        let reply = match word {
            WaitlistWord::Wait(Some(code)) => {
                waitlist::join_by_code(store, clock, &code, from).await?
            }
            WaitlistWord::Wait(None) => {
                let mut thread_sites: Vec<SiteId> = self
                    .store
                    .open_threads_of_phone(from, now)
                    .await?
                    .into_iter()
                    .filter_map(|thread| thread.site_id)
                    .collect();
                thread_sites.dedup();
                waitlist::join_default(store, clock, from, &thread_sites).await?
            }
            WaitlistWord::Leave => waitlist::leave(store, clock, from).await?,
            WaitlistWord::Take => waitlist::take(store, clock, from).await?,
            WaitlistWord::Skip => waitlist::skip(store, clock, from).await?,
        };
        Ok(Some(reply.text))
    }

    async fn to_thread(
        &self,
        from: &PhoneNumber,
        code: Option<ThreadCode>,
        intent: answer::Intent,
        message_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, ControlError> {
        let open = self.store.open_threads_of_phone(from, now).await?;
        let thread = match code {
            Some(code) => open.iter().find(|thread| thread.code == code),
            None => open.first(),
        };
        let Some(thread) = thread else {
            let log = RelayLogEntry {
                thread_id: None,
                site_id: None,
                at: now,
                sender: RelaySender::Stranger,
                sender_phone: from.clone(),
                outcome: "refused:unknown_code".into(),
                body: None,
            };
            self.store
                .record_relay(&log, None, &chargeplan_store::Effects::none())
                .await?;
            self.metrics.count_relay(&log.outcome);
            let codes: Vec<ThreadCode> = open.iter().map(|thread| thread.code).collect();
            return Ok(Some(texts::unknown_code(&codes)));
        };
        let outcome = answer::answer(&*self.store, now, from, thread, intent, message_id).await?;
        self.metrics.count_relay(&outcome.log_outcome);
        Ok(outcome.answer)
    }
}

/// A waitlist word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WaitlistWord {
    Wait(Option<String>),
    Leave,
    Take,
    Skip,
}

/// The relay as the SMS gateway's handler of every text that is not a keyword.
#[async_trait]
impl InboundHandler for Relay {
    async fn on_message(&self, sms: &InboundSms) -> Option<String> {
        match self.on_text(&sms.from, &sms.body, &sms.message_sid).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::error!(error = %error, sms.sid = %sms.message_sid, "could not relay a text");
                Some("Sorry, something went wrong; nothing was sent. Please try again.".to_owned())
            }
        }
    }
}

/// Closing time of a thread after a message at `now`.
pub(crate) fn extended(thread: &RelayThread, now: DateTime<Utc>, lifetime_min: u32) -> RelayThread {
    RelayThread {
        last_message_at: now,
        closes_at: now + chrono::Duration::minutes(i64::from(lifetime_min)),
        ..thread.clone()
    }
}

/// A store error that only means "the same text was handled already" (its idempotency key or
/// thread id exists): nothing more to do.
pub(crate) fn already_handled(error: &StoreError) -> bool {
    matches!(error, StoreError::Conflict(_))
}
