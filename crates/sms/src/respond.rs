//! What we do with a text a driver sent, whichever way it came (Twilio webhook or the console
//! page): keywords change the suppression list, anything else goes to the application.

use async_trait::async_trait;
use chargeplan_core::Clock;
use chargeplan_store::prelude::*;
use chargeplan_store::{StoreError, SuppressionReason};

use crate::inbound::{InboundSms, Keyword};

/// The reply to HELP: who we are and how to stop, the same at every site. STOP suppresses the
/// number for every text chargeplan sends, including texts relayed from other drivers.
pub const HELP_REPLY: &str = "chargeplan smart charging: reply STOP to stop all our texts, \
     including those relayed from other drivers; START to resume.";
/// The reply to START.
pub const START_REPLY: &str =
    "chargeplan smart charging: texts are back on. Reply STOP to stop them, HELP for help.";

/// The application's answer to texts that are not keywords (e.g. "leaving at 5").
#[async_trait]
pub trait InboundHandler: Send + Sync + std::fmt::Debug {
    /// Handles the message and returns the reply to text back, if any.
    async fn on_message(&self, sms: &InboundSms) -> Option<String>;
}

/// Handles one inbound text and returns the reply to send back, if any.
///
/// STOP-family words record an opt-out and get no reply (Twilio or the carrier confirms);
/// START-family words lift it and get [`START_REPLY`]; HELP gets [`HELP_REPLY`]. Only other
/// messages reach `handler`.
pub async fn respond_to_inbound(
    store: &dyn Store,
    clock: &dyn Clock,
    handler: &dyn InboundHandler,
    sms: &InboundSms,
) -> Result<Option<String>, StoreError> {
    match sms.keyword() {
        Some(Keyword::Stop) => {
            store
                .suppress_number(&sms.from, SuppressionReason::OptedOut, clock.now())
                .await?;
            tracing::info!(sms.keyword = "stop", "number opted out");
            Ok(None)
        }
        Some(Keyword::Start) => {
            let lifted = store.lift_suppression(&sms.from).await?;
            tracing::info!(
                sms.keyword = "start",
                sms.lifted = lifted,
                "number opted in"
            );
            Ok(Some(START_REPLY.to_owned()))
        }
        Some(Keyword::Help) => Ok(Some(HELP_REPLY.to_owned())),
        None => Ok(handler.on_message(sms).await),
    }
}
