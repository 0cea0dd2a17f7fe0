//! Asynchronous charging-profile results: each request gets a unique response id; the CPO
//! later POSTs the result to our URL ending in that id, and the dispatcher waiting on it wakes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

/// The final outcome the CPO reports for a profile request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsyncResult {
    Accepted,
    Rejected,
    Unknown,
}

impl AsyncResult {
    /// Parses OCPI's `ChargingProfileResultType`.
    pub fn parse(result: &str) -> Option<Self> {
        match result.to_ascii_uppercase().as_str() {
            "ACCEPTED" => Some(Self::Accepted),
            "REJECTED" => Some(Self::Rejected),
            "UNKNOWN" => Some(Self::Unknown),
            _ => None,
        }
    }
}

/// Response ids awaiting their result. Cheap to clone; shared by dispatcher and receiver.
#[derive(Debug, Clone, Default)]
pub struct PendingResults {
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<AsyncResult>>>>,
}

impl PendingResults {
    /// A fresh unguessable response id and the receiver of its result.
    pub fn register(&self) -> (String, oneshot::Receiver<AsyncResult>) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (sender, receiver) = oneshot::channel();
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.insert(id.clone(), sender);
        }
        (id, receiver)
    }

    /// Waits for the result named `response_id` (an id the caller made unguessable enough,
    /// such as a setpoint's), replacing any earlier wait under that id.
    pub fn register_as(&self, response_id: &str) -> oneshot::Receiver<AsyncResult> {
        let (sender, receiver) = oneshot::channel();
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.insert(response_id.to_owned(), sender);
        }
        receiver
    }

    /// Delivers a result; false when nobody waits for `response_id` (unknown or expired).
    pub fn complete(&self, response_id: &str, result: AsyncResult) -> bool {
        let sender = self
            .waiting
            .lock()
            .ok()
            .and_then(|mut waiting| waiting.remove(response_id));
        sender.is_some_and(|sender| sender.send(result).is_ok())
    }

    /// Forgets a response id (its wait timed out, or no result will come).
    pub fn forget(&self, response_id: &str) {
        if let Ok(mut waiting) = self.waiting.lock() {
            waiting.remove(response_id);
        }
    }

    /// Waits up to `timeout` for the result of `response_id`.
    pub async fn wait(
        &self,
        response_id: &str,
        receiver: oneshot::Receiver<AsyncResult>,
        timeout: Duration,
    ) -> Option<AsyncResult> {
        let result = tokio::time::timeout(timeout, receiver)
            .await
            .ok()
            .and_then(Result::ok);
        self.forget(response_id);
        result
    }
}
