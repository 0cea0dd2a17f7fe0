//! A local fake of Twilio for tests (feature `fake`): the Messages API on port 0, strict about
//! auth and form fields, and a sender of signed inbound texts and status callbacks.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::signature::{SIGNATURE_HEADER, twilio_signature};
use server::{Failure, Shared};

mod server;

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMessage {
    /// The `SM…` id the fake answered with.
    pub sid: String,
    pub to: String,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub status_callback: Option<String>,
}

/// A fake Twilio account on `127.0.0.1`; the server stops when this is dropped.
#[derive(Debug)]
pub struct FakeTwilio {
    shared: Arc<Shared>,
    addr: SocketAddr,
    http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `SM` (or another prefix) and 32 random hex digits, like Twilio's ids.
pub fn fake_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

impl FakeTwilio {
    /// Starts the fake for one account. Panics when no port can be bound.
    pub async fn start(account_sid: &str, auth_token: &str) -> Self {
        let shared = Arc::new(Shared {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            recorded: Mutex::default(),
            accepted: Notify::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Twilio binds a port");
        let addr = listener.local_addr().expect("bound address");
        let app = server::router(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            shared,
            addr,
            http: reqwest::Client::new(),
            server,
        }
    }

    /// The base URL to put in `TwilioConfig::api_base`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn account_sid(&self) -> &str {
        &self.shared.account_sid
    }

    pub fn auth_token(&self) -> &str {
        &self.shared.auth_token
    }

    /// Messages accepted so far, oldest first.
    pub fn sent(&self) -> Vec<FakeMessage> {
        self.shared.recorded().sent.clone()
    }

    /// Create requests received so far, including refused ones.
    pub fn requests(&self) -> u32 {
        self.shared.recorded().requests
    }

    /// Waits until at least `n` messages were accepted and returns them; panics after
    /// `timeout`.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<FakeMessage> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.accepted.notified();
            let sent = self.sent();
            if sent.len() >= n {
                return sent;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "fake Twilio: waited {timeout:?} for {n} messages, got {}",
                    self.sent().len()
                );
            }
        }
    }

    /// Sends to `to` fail from now on with this HTTP status and Twilio error code (a 429
    /// carries `Retry-After: 1`).
    pub fn fail_number(&self, to: &str, http_status: u16, code: u32) {
        self.set_failure(to, http_status, code, None);
    }

    /// The next `times` sends to `to` fail like [`fail_number`](Self::fail_number); later
    /// ones succeed.
    pub fn fail_number_times(&self, to: &str, http_status: u16, code: u32, times: u32) {
        self.set_failure(to, http_status, code, Some(times));
    }

    /// Sends to every number succeed again.
    pub fn clear_failures(&self) {
        self.shared.recorded().failures.clear();
    }

    fn set_failure(&self, to: &str, status: u16, code: u32, remaining: Option<u32>) {
        self.shared.recorded().failures.insert(
            to.to_owned(),
            Failure {
                status,
                code,
                remaining,
            },
        );
    }

    /// The form Twilio posts for an inbound text.
    pub fn inbound_params(&self, from: &str, to: &str, body: &str) -> Vec<(String, String)> {
        let sid = fake_sid("SM");
        [
            ("MessageSid", sid.as_str()),
            ("SmsSid", sid.as_str()),
            ("SmsMessageSid", sid.as_str()),
            ("AccountSid", self.account_sid()),
            ("From", from),
            ("To", to),
            ("Body", body),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
            ("SmsStatus", "received"),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
    }

    /// Posts an inbound text to `webhook_url`, signed for exactly that URL.
    pub async fn send_inbound(
        &self,
        webhook_url: &str,
        from: &str,
        to: &str,
        body: &str,
    ) -> reqwest::Response {
        let params = self.inbound_params(from, to, body);
        let signature = twilio_signature(self.auth_token(), webhook_url, &params);
        self.post_form(webhook_url, &params, Some(&signature)).await
    }

    /// Posts `params` to `url`, signed for exactly that URL: posting the same `params` twice
    /// replays one webhook, as someone who captured it could.
    pub async fn send_signed(&self, url: &str, params: &[(String, String)]) -> reqwest::Response {
        let signature = twilio_signature(self.auth_token(), url, params);
        self.post_form(url, params, Some(&signature)).await
    }

    /// Posts an inbound text without an X-Twilio-Signature.
    pub async fn send_unsigned_inbound(
        &self,
        webhook_url: &str,
        from: &str,
        to: &str,
        body: &str,
    ) -> reqwest::Response {
        let params = self.inbound_params(from, to, body);
        self.post_form(webhook_url, &params, None).await
    }

    /// Posts an inbound text with the given X-Twilio-Signature (e.g. a wrong one).
    pub async fn send_inbound_with_signature(
        &self,
        webhook_url: &str,
        from: &str,
        to: &str,
        body: &str,
        signature: &str,
    ) -> reqwest::Response {
        let params = self.inbound_params(from, to, body);
        self.post_form(webhook_url, &params, Some(signature)).await
    }

    /// Posts a signed status callback for a message this fake accepted (its `To` and `From`
    /// come from the record). Panics for an unknown `message_sid`.
    pub async fn send_status_callback(
        &self,
        url: &str,
        message_sid: &str,
        status: &str,
        error_code: Option<u32>,
    ) -> reqwest::Response {
        let message = self
            .sent()
            .into_iter()
            .find(|m| m.sid == message_sid)
            .expect("fake Twilio: status callback for a message it did not accept");
        let mut params: Vec<(String, String)> = [
            ("MessageSid", message_sid),
            ("SmsSid", message_sid),
            ("MessageStatus", status),
            ("SmsStatus", status),
            ("AccountSid", self.account_sid()),
            ("To", message.to.as_str()),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
        if let Some(from) = &message.from {
            params.push(("From".into(), from.clone()));
        }
        if let Some(code) = error_code {
            params.push(("ErrorCode".into(), code.to_string()));
        }
        let signature = twilio_signature(self.auth_token(), url, &params);
        self.post_form(url, &params, Some(&signature)).await
    }

    async fn post_form(
        &self,
        url: &str,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("user-agent", "TwilioProxy/1.1")
            .body(serde_urlencoded::to_string(params).expect("form encodes"));
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        request.send().await.expect("webhook answers")
    }
}
