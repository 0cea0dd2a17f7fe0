//! Wiring of the SMS side: the configured gateway, the outbox delivery worker, and the routes
//! drivers' replies arrive on (Twilio's signed webhooks, or the console page), or a gateway
//! that drops every text (replays).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chargeplan_core::Clock;
use chargeplan_sms::{
    ConsoleGateway, DeliveryConfig, InboundHandler, OutboxDelivery, OutgoingSms, STATUS_PATH,
    SendError, SentSms, SmsGateway, TwilioGateway, TwilioWebhookState, console_router,
    twilio_router,
};
use chargeplan_store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::settings::{Settings, SmsSettings};

/// How long one send to the provider may take.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// Messages claimed per delivery round.
const DELIVERY_BATCH: u32 = 5;

/// Starts the delivery worker for the configured provider and returns its inbound routes;
/// texts that are not STOP/START/HELP go to `handler` (the relay).
pub fn start(
    settings: &Settings,
    handler: Arc<dyn InboundHandler>,
    listen: SocketAddr,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
    tasks: &TaskTracker,
    cancel: &CancellationToken,
) -> anyhow::Result<axum::Router> {
    let public_url = settings.driver.public_url_for(listen);
    let (gateway, routes): (Arc<dyn SmsGateway>, axum::Router) = match &settings.sms {
        SmsSettings::Console { page } => {
            let console = ConsoleGateway::new();
            let routes = if *page {
                tracing::info!(
                    sms.page = %format!("{public_url}/dev/sms"),
                    "texts are printed here and shown on the console page (sms.provider = console)"
                );
                console_router(console.clone(), handler, store.clone(), clock.clone())
            } else {
                tracing::info!("texts are printed here (sms.provider = console)");
                axum::Router::new()
            };
            (Arc::new(console), routes)
        }
        SmsSettings::Twilio(config) => {
            let mut config = config.clone();
            config.status_callback_url = Some(format!("{public_url}{STATUS_PATH}"));
            let http = reqwest::Client::builder().timeout(SEND_TIMEOUT).build()?;
            let routes = twilio_router(TwilioWebhookState {
                auth_token: config.auth_token.clone(),
                public_url,
                store: store.clone(),
                clock: clock.clone(),
                handler,
            });
            (Arc::new(TwilioGateway::new(config, http)), routes)
        }
        SmsSettings::Discard => (Arc::new(DiscardGateway::default()), axum::Router::new()),
    };
    let delivery = OutboxDelivery {
        store: store.clone(),
        gateway,
        clock: clock.clone(),
        config: DeliveryConfig {
            poll_interval: std::time::Duration::from_secs(1),
            // A claim must outlast a whole round of sends, or a slow round sends twice.
            batch: DELIVERY_BATCH,
            lease: SEND_TIMEOUT * (DELIVERY_BATCH + 2),
            ..DeliveryConfig::default()
        },
        wake: Arc::default(),
    };
    tasks.spawn(delivery.run(cancel.clone()));
    Ok(routes)
}

/// Accepts every text and drops it: no output, no log of numbers or bodies.
#[derive(Debug, Default)]
struct DiscardGateway {
    /// Texts dropped so far, for the provider ids.
    dropped: AtomicU64,
}

/// What `SmsGateway::send` returns (the trait is declared with `async_trait`).
type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<SentSms, SendError>> + Send + 'a>>;

impl SmsGateway for DiscardGateway {
    fn send<'gateway, 'message, 'future>(
        &'gateway self,
        _message: &'message OutgoingSms,
    ) -> SendFuture<'future>
    where
        'gateway: 'future,
        'message: 'future,
        Self: 'future,
    {
        let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        Box::pin(async move {
            Ok(SentSms {
                provider_id: format!("discarded-{n}"),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use chargeplan_core::PhoneNumber;

    use super::*;

    #[tokio::test]
    async fn the_discard_gateway_accepts_every_text_with_its_own_id() {
        let gateway = DiscardGateway::default();
        let message = OutgoingSms {
            to: PhoneNumber::parse("+14155550101").expect("valid number"),
            body: "hello".to_owned(),
            idempotency_key: "k".to_owned(),
        };

        let first = gateway.send(&message).await.expect("accepted");
        let second = gateway.send(&message).await.expect("accepted");

        assert_ne!(first.provider_id, second.provider_id);
    }
}
