//! The console adapter for the demo: texts are printed to stdout and listed on a developer
//! page (`/dev/sms`), where a developer can type the driver's reply.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chargeplan_core::{Clock, PhoneNumber};
use chargeplan_store::Store;
use serde::Deserialize;

use crate::console_page::render_page;
use crate::gateway::{OutgoingSms, SendError, SentSms, SmsGateway};
use crate::inbound::InboundSms;
use crate::respond::{InboundHandler, respond_to_inbound};

/// How many messages (both directions) the console keeps.
pub const CONSOLE_CAPACITY: usize = 200;

/// Which way a console message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sent by chargeplan to a driver.
    ToDriver,
    /// Typed on the developer page as a driver's text.
    FromDriver,
}

/// One message the console saw.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsoleMessage {
    /// Increasing number of the message (also in the provider id `console-<n>`).
    pub seq: u64,
    pub direction: Direction,
    /// The driver's number.
    pub number: PhoneNumber,
    pub body: String,
}

impl std::fmt::Debug for ConsoleMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleMessage")
            .field("seq", &self.seq)
            .field("direction", &self.direction)
            .field("number", &self.number)
            .field("body", &"[REDACTED]")
            .finish()
    }
}

/// An [`SmsGateway`] that sends nothing: it prints each text and keeps the last
/// [`CONSOLE_CAPACITY`] for the developer page. Clones share the same messages.
#[derive(Debug, Clone, Default)]
pub struct ConsoleGateway {
    inner: Arc<ConsoleInner>,
}

#[derive(Debug, Default)]
struct ConsoleInner {
    /// Oldest first; bounded by [`CONSOLE_CAPACITY`].
    log: Mutex<VecDeque<ConsoleMessage>>,
    /// Source of `seq`.
    counter: AtomicU64,
    /// A problem with the last typed reply, shown once on the page.
    notice: Mutex<Option<String>>,
}

impl ConsoleGateway {
    pub fn new() -> Self {
        Self::default()
    }

    /// The kept messages, newest first.
    pub fn messages(&self) -> Vec<ConsoleMessage> {
        let log = self
            .inner
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        log.iter().rev().cloned().collect()
    }

    fn record(&self, direction: Direction, number: &PhoneNumber, body: &str) -> u64 {
        let seq = self.inner.counter.fetch_add(1, Ordering::Relaxed) + 1;
        if direction == Direction::ToDriver {
            println!(
                "SMS to {}: {}",
                mask_all_but_last_four(number),
                body.replace(['\r', '\n'], " ")
            );
        }
        let mut log = self
            .inner
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if log.len() == CONSOLE_CAPACITY {
            log.pop_front();
        }
        log.push_back(ConsoleMessage {
            seq,
            direction,
            number: number.clone(),
            body: body.to_owned(),
        });
        seq
    }

    fn set_notice(&self, notice: Option<String>) {
        *self
            .inner
            .notice
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = notice;
    }

    fn take_notice(&self) -> Option<String> {
        self.inner
            .notice
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// `***` and the last four digits of the number.
fn mask_all_but_last_four(number: &PhoneNumber) -> String {
    let e164 = number.as_e164();
    format!("***{}", &e164[e164.len().saturating_sub(4)..])
}

#[async_trait]
impl SmsGateway for ConsoleGateway {
    async fn send(&self, message: &OutgoingSms) -> Result<SentSms, SendError> {
        let seq = self.record(Direction::ToDriver, &message.to, &message.body);
        Ok(SentSms {
            provider_id: format!("console-{seq}"),
        })
    }
}

/// Where the developer page is served.
pub const CONSOLE_PATH: &str = "/dev/sms";

#[derive(Debug, Clone)]
struct ConsoleState {
    console: ConsoleGateway,
    handler: Arc<dyn InboundHandler>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

/// `GET /dev/sms` lists the messages; `POST /dev/sms` (form `from`, `body`) takes a driver's
/// text typed by a developer, handles it like a Twilio inbound text and shows the reply.
/// For development only: the page shows whole numbers and bodies.
pub fn console_router(
    console: ConsoleGateway,
    handler: Arc<dyn InboundHandler>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> Router {
    Router::new()
        .route(CONSOLE_PATH, get(show).post(reply))
        .with_state(ConsoleState {
            console,
            handler,
            store,
            clock,
        })
}

async fn show(State(state): State<ConsoleState>) -> Html<String> {
    let notice = state.console.take_notice();
    Html(render_page(&state.console.messages(), notice.as_deref()))
}

#[derive(Deserialize)]
struct TypedText {
    from: String,
    body: String,
}

async fn reply(
    State(state): State<ConsoleState>,
    OriginalUri(uri): OriginalUri,
    Form(typed): Form<TypedText>,
) -> Response {
    let back = Redirect::to(uri.path());
    let Ok(from) = PhoneNumber::parse(&typed.from) else {
        state.console.set_notice(Some(
            "From must be a phone number in international format, e.g. +14155550123.".into(),
        ));
        return back.into_response();
    };
    let seq = state
        .console
        .record(Direction::FromDriver, &from, &typed.body);
    let sms = InboundSms {
        // Unique across restarts (the sequence starts again at 1): handlers may key on it.
        message_sid: format!("console-{seq}-{}", uuid::Uuid::new_v4().simple()),
        from: from.clone(),
        to: "console".to_owned(),
        body: typed.body,
        opt_out_type: None,
    };
    match respond_to_inbound(&*state.store, &*state.clock, &*state.handler, &sms).await {
        Ok(Some(answer)) => {
            state.console.record(Direction::ToDriver, &from, &answer);
        }
        Ok(None) => state.console.set_notice(Some("No reply.".into())),
        Err(error) => {
            tracing::error!(error = %error, "could not handle a typed console text");
            return (StatusCode::INTERNAL_SERVER_ERROR, "store error").into_response();
        }
    }
    back.into_response()
}
