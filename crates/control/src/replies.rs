//! Answers to drivers' texts that are not STOP/START/HELP: requests are made on the page, so
//! point them there.

use async_trait::async_trait;
use chargeplan_sms::{InboundHandler, InboundSms};

/// The reply to any other text.
pub const USE_THE_LINK: &str = "To change when you leave or how much you need, open the link \
     in your welcome text. Reply HELP for help, STOP to stop texts.";

/// Answers every free-text message with [`USE_THE_LINK`].
#[derive(Debug, Clone, Default)]
pub struct DriverReplies;

#[async_trait]
impl InboundHandler for DriverReplies {
    async fn on_message(&self, _sms: &InboundSms) -> Option<String> {
        Some(USE_THE_LINK.to_owned())
    }
}
