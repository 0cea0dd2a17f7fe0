//! Wiring of the SMS side: the configured gateway, the outbox delivery worker, and the routes
//! drivers' replies arrive on (Twilio's signed webhooks, or the console page).

use std::net::SocketAddr;
use std::sync::Arc;

use chargeplan_control::DriverReplies;
use chargeplan_core::Clock;
use chargeplan_sms::{
    ConsoleGateway, DeliveryConfig, InboundHandler, OutboxDelivery, STATUS_PATH, SmsGateway,
    TwilioGateway, TwilioWebhookState, console_router, twilio_router,
};
use chargeplan_store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::settings::{Settings, SmsSettings};

/// How long one send to the provider may take.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// Messages claimed per delivery round.
const DELIVERY_BATCH: u32 = 5;

/// Starts the delivery worker for the configured provider and returns its inbound routes.
pub fn start(
    settings: &Settings,
    listen: SocketAddr,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
    tasks: &TaskTracker,
    cancel: &CancellationToken,
) -> anyhow::Result<axum::Router> {
    let handler: Arc<dyn InboundHandler> = Arc::new(DriverReplies);
    let public_url = settings.driver.public_url_for(listen);
    let (gateway, routes): (Arc<dyn SmsGateway>, axum::Router) = match &settings.sms {
        SmsSettings::Console => {
            let console = ConsoleGateway::new();
            tracing::info!(
                sms.page = %format!("{public_url}/dev/sms"),
                "texts are printed here and shown on the console page (sms.provider = console)"
            );
            let routes = console_router(console.clone(), handler, store.clone(), clock.clone());
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
