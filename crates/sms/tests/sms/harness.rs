//! A fake Twilio, a fresh SQLite store, a manual clock, a recording handler and our webhook
//! routes on port 0.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chargeplan_core::{Clock, ManualClock, PhoneNumber};
use chargeplan_sms::fake::FakeTwilio;
use chargeplan_sms::{
    DeliveryConfig, InboundHandler, InboundSms, OutboxDelivery, Sender, SmsGateway, TwilioConfig,
    TwilioGateway, TwilioWebhookState, twilio_router,
};
use chargeplan_store::prelude::*;
use chargeplan_store::{NewOutboxMessage, StoreTarget};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "fake-twilio-auth-token";
pub const OUR_NUMBER: &str = "+15005550001";
pub const DRIVER: &str = "+15005550006";
pub const OTHER_DRIVER: &str = "+15005550007";
pub const HANDLER_REPLY: &str = "Noted: about 18 kWh by 17:00.";

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 7, 0, 0)
        .single()
        .expect("valid instant")
}

pub fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).expect("valid number")
}

/// Remembers every message handed to it and answers [`HANDLER_REPLY`].
#[derive(Debug, Default)]
pub struct RecordingHandler {
    pub received: Mutex<Vec<InboundSms>>,
}

impl RecordingHandler {
    pub fn bodies(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|sms| sms.body.clone())
            .collect()
    }
}

#[async_trait]
impl InboundHandler for RecordingHandler {
    async fn on_message(&self, sms: &InboundSms) -> Option<String> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(sms.clone());
        Some(HANDLER_REPLY.to_owned())
    }
}

pub struct World {
    pub twilio: FakeTwilio,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub handler: Arc<RecordingHandler>,
    /// Our webhook server's base URL (also its public URL).
    pub base_url: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = chargeplan_store::open(&StoreTarget::Sqlite {
            path: dir.path().join("chargeplan.db"),
        })
        .await
        .expect("store");
        store.migrate().await.expect("migrations");
        let clock = Arc::new(ManualClock::new(start_time()));
        let handler = Arc::new(RecordingHandler::default());
        let twilio = FakeTwilio::start(ACCOUNT_SID, AUTH_TOKEN).await;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind webhooks");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let app = twilio_router(TwilioWebhookState {
            auth_token: SecretString::from(AUTH_TOKEN),
            public_url: base_url.clone(),
            store: store.clone(),
            clock: clock.clone(),
            handler: handler.clone(),
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            twilio,
            store,
            clock,
            handler,
            base_url,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub fn inbound_url(&self) -> String {
        format!("{}/sms/twilio/inbound", self.base_url)
    }

    pub fn status_url(&self) -> String {
        format!("{}/sms/twilio/status", self.base_url)
    }

    pub fn twilio_config(&self) -> TwilioConfig {
        let mut config = TwilioConfig::new(
            ACCOUNT_SID,
            SecretString::from(AUTH_TOKEN),
            Sender::From(OUR_NUMBER.to_owned()),
        );
        config.api_base = self.twilio.api_base();
        config.status_callback_url = Some(self.status_url());
        config
    }

    pub fn gateway(&self) -> Arc<dyn SmsGateway> {
        Arc::new(TwilioGateway::new(self.twilio_config(), self.http.clone()))
    }

    pub fn delivery(&self) -> OutboxDelivery {
        OutboxDelivery {
            store: self.store.clone(),
            gateway: self.gateway(),
            clock: self.clock.clone(),
            config: DeliveryConfig {
                batch: 10,
                lease: Duration::from_secs(60),
                max_attempts: 3,
                base_backoff: Duration::from_secs(10),
                max_backoff: Duration::from_secs(300),
                poll_interval: Duration::from_millis(50),
            },
            wake: Arc::default(),
        }
    }

    /// Enqueues one text to `to` and returns its outbox id.
    pub async fn enqueue(&self, to: &str, body: &str, key: &str) -> i64 {
        self.store
            .enqueue_messages(
                &[NewOutboxMessage {
                    site_id: None,
                    recipient: phone(to),
                    body: body.to_owned(),
                    idempotency_key: key.to_owned(),
                    not_before: self.clock.now(),
                }],
                self.clock.now(),
            )
            .await
            .expect("enqueue");
        self.message_id(key).await
    }

    async fn message_id(&self, key: &str) -> i64 {
        // A fresh database numbers its messages 1, 2, …: look ours up by key.
        let mut id = 1;
        while let Ok(message) = self.store.get_message(id).await {
            if message.idempotency_key == key {
                return message.id;
            }
            id += 1;
        }
        panic!("message {key} not in the outbox");
    }
}
