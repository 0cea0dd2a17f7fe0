//! The relay between waiting drivers and owners under load (not a timed test): signed Twilio
//! webhooks posted over real HTTP to the running inbound route, each a reply into one of 200
//! open threads on a site of 500 members, on the embedded SQLite store. The relayed text is
//! in the outbox when the webhook answers, so a request's time is webhook → outbox.
//! Figures and how to read them: docs/PERFORMANCE.md, "Relay".
//!
//! ```sh
//! cargo bench --bench relay            # TEXTS=4000 CONCURRENCY=8 MEMBERS=500 THREADS=200
//! ```

#[path = "control_loop/common.rs"]
#[expect(
    dead_code,
    reason = "the relay uses only the figures helpers of the shared module"
)]
mod common;
#[path = "relay/site.rs"]
mod site;

use std::sync::Arc;
use std::time::Instant;

use anyhow::ensure;
use chargeplan_sms::{
    INBOUND_PATH, InboundHandler, TwilioWebhookState, twilio_router, twilio_signature,
};
use secrecy::SecretString;
use tokio::net::TcpListener;

use crate::common::{cpu_time, env_usize, load_average, summary};

const AUTH_TOKEN: &str = "bench-auth-token";

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let texts = env_usize("TEXTS", 4000);
    let concurrency = env_usize("CONCURRENCY", 8).max(1);
    let members = env_usize("MEMBERS", 500);
    let threads = env_usize("THREADS", 200).min(members);
    let world = site::World::new(members, threads).await?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let public_url = format!("http://{}", listener.local_addr()?);
    let handler: Arc<dyn InboundHandler> = Arc::new(world.relay.clone());
    let routes = twilio_router(TwilioWebhookState {
        auth_token: SecretString::from(AUTH_TOKEN),
        public_url: public_url.clone(),
        store: world.store.clone(),
        clock: world.clock.clone(),
        handler,
    });
    tokio::spawn(async move { axum::serve(listener, routes).await });

    let url = format!("{public_url}{INBOUND_PATH}");
    let http = reqwest::Client::new();
    let depth_before = world.store.outbox_depth().await?;
    let jobs: Vec<(String, String)> = (0..texts).map(|i| world.text(i)).collect();
    let jobs = Arc::new(tokio::sync::Mutex::new(jobs.into_iter().enumerate()));
    let cpu_before = cpu_time();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (jobs, http, url) = (jobs.clone(), http.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let next = jobs.lock().await.next();
                let Some((i, (from, body))) = next else { break };
                let params = vec![
                    ("MessageSid".to_owned(), format!("SMbench{i:026}")),
                    ("From".to_owned(), from),
                    ("To".to_owned(), "+15550100100".to_owned()),
                    ("Body".to_owned(), body),
                ];
                let signature = twilio_signature(AUTH_TOKEN, &url, &params);
                let sent = Instant::now();
                let response = http
                    .post(&url)
                    .header("X-Twilio-Signature", signature)
                    .form(&params)
                    .send()
                    .await?;
                let status = response.status();
                response.bytes().await?;
                ensure!(status.is_success(), "webhook answered {status}");
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    let relayed = world.store.outbox_depth().await? - depth_before;
    ensure!(
        relayed as usize >= texts * 9 / 10,
        "only {relayed} of {texts} texts were relayed"
    );
    println!(
        "relay: {texts} texts into {threads} open threads of a {members}-member site, {concurrency} at a time"
    );
    println!(
        "  {:.0} texts/s ({:.2} s), {relayed} texts queued in the outbox, process CPU {:.2} s, load {}",
        texts as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        cpu.as_secs_f64(),
        load_average()
    );
    println!("  webhook -> outbox ms: {}", summary(&latencies));
    Ok(())
}
