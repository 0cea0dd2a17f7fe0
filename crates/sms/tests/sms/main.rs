//! chargeplan-sms over real HTTP: the Twilio adapter and webhooks against the fake Twilio, and
//! outbox delivery on a real SQLite store.

mod console;
mod harness;
mod outbox;
mod replay;
mod twilio_adapter;
mod webhooks;
