//! `chargeplan vendor`: register with a vendor cloud (the OCPI credentials handshake) and list
//! the accounts. Registration needs the server running at `exchange.public_url`, because the
//! CPO calls us back during the handshake.

use std::sync::Arc;

use anyhow::Context as _;
use chargeplan_core::{Clock, SystemClock, VendorAccountId};
use chargeplan_exchange::VendorCloud;
use chargeplan_exchange::accounts::{cloud_for, parse_encoding, parse_rate_unit, register_account};
use chargeplan_exchange::ocpi::receiver::RESULTS_PATH;

use crate::cli::{VendorCommand, VendorRegisterArgs};
use crate::server::open_store;
use crate::settings::Settings;

pub async fn run(command: VendorCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        VendorCommand::Register(args) => register(args, settings).await,
        VendorCommand::List => list(settings).await,
    }
}

async fn register(args: VendorRegisterArgs, settings: &Settings) -> anyhow::Result<()> {
    let id = VendorAccountId::parse(&args.id).map_err(|error| anyhow::anyhow!("--id: {error}"))?;
    let encoding = parse_encoding(&args.token_encoding)
        .map_err(|error| anyhow::anyhow!("--token-encoding: {error}"))?;
    let rate_unit = parse_rate_unit(&args.rate_unit)
        .map_err(|error| anyhow::anyhow!("--rate-unit: {error}"))?;
    let store = open_store(settings).await?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    let mut us = settings.exchange.our_party(settings.server.listen);
    if let Some(url) = &args.public_url {
        us.public_url = url.trim_end_matches('/').to_owned();
    }
    check_server_answers(&us.public_url).await?;
    let clock = SystemClock;
    let account = register_account(
        store.as_ref(),
        id,
        &args.versions_url,
        &args.token_a,
        encoding,
        rate_unit,
        &us,
        clock.now(),
    )
    .await
    .with_context(|| format!("registration with {} failed", args.versions_url))?;
    println!(
        "registered vendor account {} ({})",
        account.id, account.protocol
    );
    let results_url = format!("{}{RESULTS_PATH}", us.public_url);
    let cloud = Arc::new(
        cloud_for(&account, reqwest::Client::new(), &results_url).map_err(anyhow::Error::msg)?,
    );
    match cloud.ports().await {
        Ok(ports) => {
            let controllable = ports.items.iter().filter(|port| port.controllable).count();
            println!(
                "the CPO lists {} connectors ({controllable} accept charging profiles)",
                ports.items.len()
            );
            for rejected in &ports.rejected {
                println!("refused connector: {rejected}");
            }
        }
        Err(error) => println!("registered, but listing connectors failed: {error}"),
    }
    println!("the running server polls it within 30 s");
    Ok(())
}

/// Fails, saying what to do, unless a chargeplan server answers at `public_url`: the CPO
/// calls that address back during the handshake, and a URL made from this command's own
/// settings may not be where the server runs.
async fn check_server_answers(public_url: &str) -> anyhow::Result<()> {
    let url = format!("{public_url}/healthz");
    let answer = reqwest::Client::new()
        .get(&url)
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => anyhow::bail!(
            "{url} answered {}, not a running chargeplan server; give the server's address \
             as the CPO reaches it with --public-url (or exchange.public_url)",
            response.status()
        ),
        Err(_) => anyhow::bail!(
            "no chargeplan server answers at {public_url}, which the CPO would call back: start \
             `chargeplan serve` first, or give its address as the CPO reaches it with \
             --public-url (or exchange.public_url)"
        ),
    }
}

async fn list(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let accounts = store
        .list_vendor_accounts()
        .await
        .context("cannot read vendor accounts")?;
    if accounts.is_empty() {
        println!("no vendor accounts; add one with `chargeplan vendor register`");
    }
    for account in accounts {
        let state = if account.enabled {
            "enabled"
        } else {
            "registration incomplete"
        };
        println!(
            "{}\t{}\t{}\t{}\t{}",
            account.id, account.protocol, account.versions_url, account.rate_unit, state
        );
    }
    Ok(())
}
