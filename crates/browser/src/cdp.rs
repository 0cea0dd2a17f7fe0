//! Minimal Chrome DevTools Protocol client: one websocket, calls matched to answers by id, events fanned out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::BrowserError;

/// An answer from Chromium: the `result` object or the `error` object's code and message.
type Answer = Result<Value, (i64, String)>;

/// Calls waiting for their answer; `None` once the connection has closed.
type Pending = Arc<Mutex<Option<HashMap<u64, oneshot::Sender<Answer>>>>>;

/// A DevTools event, e.g. `Page.lifecycleEvent`.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// The event name.
    pub(crate) method: String,
    /// The flattened session the event belongs to; `None` for browser-level events.
    pub(crate) session_id: Option<String>,
    /// The event's parameters.
    pub(crate) params: Value,
}

/// A connection to Chromium's browser-level DevTools endpoint.
#[derive(Debug)]
pub(crate) struct Connection {
    outgoing: mpsc::UnboundedSender<Message>,
    pending: Pending,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Event>>>>,
    next_id: AtomicU64,
    task: AbortHandle,
}

impl Connection {
    /// Connects to `url` (`ws://127.0.0.1:PORT/devtools/browser/...`) and starts the I/O task.
    pub(crate) async fn connect(url: &str, timeout: Duration) -> Result<Self, BrowserError> {
        let ws_error = |message: String| BrowserError::WebSocket {
            url: url.to_owned(),
            message,
        };
        let (ws, _) = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url))
            .await
            .map_err(|_| BrowserError::Timeout {
                what: format!("websocket connection to {url}"),
                after: timeout,
            })?
            .map_err(|e| ws_error(e.to_string()))?;
        let (mut sink, mut stream) = ws.split();
        let (outgoing, mut outgoing_rx) = mpsc::unbounded_channel::<Message>();
        let pending: Pending = Arc::new(Mutex::new(Some(HashMap::new())));
        let subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Event>>>> = Arc::default();

        let task_pending = Arc::clone(&pending);
        let task_subscribers = Arc::clone(&subscribers);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    message = outgoing_rx.recv() => {
                        let Some(message) = message else { break };
                        if sink.send(message).await.is_err() {
                            break;
                        }
                    }
                    frame = stream.next() => {
                        match frame {
                            Some(Ok(Message::Text(text))) => {
                                dispatch(text.as_str(), &task_pending, &task_subscribers);
                            }
                            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                            Some(Ok(_)) => {}
                        }
                    }
                }
            }
            // Dropping every waiting sender wakes its caller with "connection closed".
            lock(&task_pending).take();
            lock(&task_subscribers).clear();
        });

        Ok(Self {
            outgoing,
            pending,
            subscribers,
            next_id: AtomicU64::new(1),
            task: task.abort_handle(),
        })
    }

    /// Calls `method` with `params`, on the flattened `session` when given, waiting at most `timeout`.
    pub(crate) async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, BrowserError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut request = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            request["sessionId"] = Value::from(session);
        }
        let closed = || BrowserError::ConnectionClosed {
            method: method.to_owned(),
        };
        let (answer_tx, answer_rx) = oneshot::channel();
        lock(&self.pending)
            .as_mut()
            .ok_or_else(closed)?
            .insert(id, answer_tx);
        if self
            .outgoing
            .send(Message::text(request.to_string()))
            .is_err()
        {
            self.forget(id);
            return Err(closed());
        }
        match tokio::time::timeout(timeout, answer_rx).await {
            Err(_) => {
                self.forget(id);
                Err(BrowserError::Timeout {
                    what: format!("DevTools call {method}"),
                    after: timeout,
                })
            }
            Ok(Err(_)) => Err(closed()),
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err((code, message)))) => Err(BrowserError::Protocol {
                method: method.to_owned(),
                code,
                message,
            }),
        }
    }

    /// Starts receiving every event from now on; the subscription ends when the receiver is dropped.
    pub(crate) fn subscribe(&self) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.subscribers).push(tx);
        rx
    }

    /// Stops the I/O task; later calls fail with [`BrowserError::ConnectionClosed`].
    pub(crate) fn close(&self) {
        self.task.abort();
        lock(&self.pending).take();
        lock(&self.subscribers).clear();
    }

    fn forget(&self, id: u64) {
        if let Some(pending) = lock(&self.pending).as_mut() {
            pending.remove(&id);
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.close();
    }
}

/// Routes one incoming message: an answer to its caller, an event to every subscriber.
fn dispatch(text: &str, pending: &Pending, subscribers: &Mutex<Vec<mpsc::UnboundedSender<Event>>>) {
    let Ok(mut message) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let answer = match message.get_mut("error") {
            Some(error) => {
                let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
                let mut text = error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error")
                    .to_owned();
                if let Some(data) = error.get("data").and_then(Value::as_str) {
                    text = format!("{text} ({data})");
                }
                Err((code, text))
            }
            None => Ok(message
                .get_mut("result")
                .map(Value::take)
                .unwrap_or(Value::Null)),
        };
        let waiter = lock(pending).as_mut().and_then(|p| p.remove(&id));
        if let Some(waiter) = waiter {
            // The caller may have timed out and gone; nothing to do then.
            let _ = waiter.send(answer);
        }
    } else if let Some(method) = message.get("method").and_then(Value::as_str) {
        let event = Event {
            method: method.to_owned(),
            session_id: message
                .get("sessionId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            params: message
                .get_mut("params")
                .map(Value::take)
                .unwrap_or(Value::Null),
        };
        lock(subscribers).retain(|tx| tx.send(event.clone()).is_ok());
    }
}

/// Locks a mutex, carrying on after a panic elsewhere (the data stays consistent: single inserts and removes).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
