#![doc = include_str!("../README.md")]

mod console;
mod console_page;
mod dedup;
mod delivery;
mod gateway;
mod inbound;
mod respond;
mod signature;
mod twilio;
mod twiml;
mod webhook;

#[cfg(feature = "fake")]
pub mod fake;

pub use console::{
    CONSOLE_CAPACITY, CONSOLE_PATH, ConsoleGateway, ConsoleMessage, Direction, console_router,
};
pub use dedup::{WEBHOOK_PRUNE_INTERVAL, WEBHOOK_RETENTION, prune_webhook_receipts};
pub use delivery::{DeliveryConfig, DeliveryReport, MAX_RETRY_AFTER, OutboxDelivery};
pub use gateway::{OutgoingSms, SendError, SentSms, SmsGateway};
pub use inbound::{InboundError, InboundSms, Keyword};
pub use respond::{HELP_REPLY, InboundHandler, START_REPLY, respond_to_inbound};
pub use signature::{SIGNATURE_HEADER, twilio_signature, verify_twilio_signature};
pub use twilio::{
    ERROR_INVALID_TO, ERROR_NOT_SMS_CAPABLE, ERROR_OPTED_OUT, ERROR_RATE_LIMITED, Sender,
    TWILIO_API_BASE, TwilioConfig, TwilioGateway,
};
pub use twiml::twiml_reply;
pub use webhook::{INBOUND_PATH, STATUS_PATH, TwilioWebhookState, twilio_router};
