//! `chargeplan operator` and `chargeplan token`: operator accounts, their sites and passwords,
//! and their API tokens. Passwords come from standard input (never the command line, which
//! other users of the machine can see); a new token is printed once and stored as a hash.

use std::io::BufRead as _;
use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use chargeplan_core::{Clock as _, SiteId, SystemClock};
use chargeplan_store::{ApiToken, Operator, OperatorRole, Store};
use chargeplan_web::access::{hash_secret, new_secret, password::hash_password};

use crate::cli_access::{
    OperatorCommand, OperatorCreateArgs, OperatorNameArgs, OperatorSiteArgs, TokenCommand,
    TokenCreateArgs,
};
use crate::server::open_store;
use crate::settings::Settings;

pub async fn operator(command: OperatorCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = migrated_store(settings).await?;
    match command {
        OperatorCommand::Create(args) => create(&store, args).await,
        OperatorCommand::List => list_operators(&store).await,
        OperatorCommand::Grant(args) => grant(&store, &args).await,
        OperatorCommand::Ungrant(args) => ungrant(&store, &args).await,
        OperatorCommand::Password(args) => password(&store, &args).await,
        OperatorCommand::Delete(args) => {
            let operator = named(&store, &args.name).await?;
            store.delete_operator(&operator.id).await?;
            println!(
                "deleted operator {} with their tokens and sessions",
                operator.name
            );
            Ok(())
        }
    }
}

pub async fn token(command: TokenCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = migrated_store(settings).await?;
    match command {
        TokenCommand::Create(args) => create_token(&store, &args).await,
        TokenCommand::List(args) => {
            let operators = match args.operator {
                Some(name) => vec![named(&store, &name).await?],
                None => store.list_operators().await?,
            };
            println!(
                "{:<36}  {:<20}  {:<20}  {:<20}  revoked",
                "id", "operator", "label", "created"
            );
            for operator in &operators {
                for token in store.list_api_tokens(&operator.id).await? {
                    let revoked = token.revoked_at.map_or_else(
                        || "-".to_owned(),
                        |at| at.format("%Y-%m-%d %H:%M").to_string(),
                    );
                    println!(
                        "{:<36}  {:<20}  {:<20}  {:<20}  {revoked}",
                        token.id,
                        operator.name,
                        token.label,
                        token.created_at.format("%Y-%m-%d %H:%M")
                    );
                }
            }
            Ok(())
        }
        TokenCommand::Revoke(args) => {
            if store.revoke_api_token(&args.id, SystemClock.now()).await? {
                println!("revoked token {}", args.id);
                Ok(())
            } else {
                bail!(
                    "no active token with id {} (see `chargeplan token list`)",
                    args.id
                )
            }
        }
    }
}

async fn migrated_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let store = open_store(settings).await?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(store)
}

async fn create(store: &Arc<dyn Store>, args: OperatorCreateArgs) -> anyhow::Result<()> {
    let role = OperatorRole::parse(&args.role).ok_or_else(|| {
        anyhow!(
            "--role: must be `admin` or `site-operator`, got {:?}",
            args.role
        )
    })?;
    if role == OperatorRole::Admin && !args.sites.is_empty() {
        bail!("--site: an admin has every site; give sites to site operators only");
    }
    let mut sites = Vec::new();
    for site in &args.sites {
        let id = SiteId::parse(site).map_err(|error| anyhow!("--site: {error}"))?;
        store
            .get_site(&id)
            .await
            .with_context(|| format!("--site: no site {site}"))?;
        sites.push(id);
    }
    sites.sort();
    sites.dedup();
    let password_hash = if args.password_stdin {
        Some(read_password()?)
    } else {
        None
    };
    let operator = Operator {
        id: uuid::Uuid::new_v4().to_string(),
        name: args.name.trim().to_ascii_lowercase(),
        role,
        password_hash,
        sites,
        created_at: SystemClock.now(),
    };
    store.insert_operator(&operator).await?;
    println!("created {}", describe(&operator));
    if operator.password_hash.is_none() {
        println!(
            "no dashboard password yet: set one with `chargeplan operator password --name {}` (reads standard input)",
            operator.name
        );
    }
    Ok(())
}

async fn list_operators(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    for operator in store.list_operators().await? {
        let login = if operator.password_hash.is_some() {
            "password set"
        } else {
            "tokens only"
        };
        println!("{} — {login}", describe(&operator));
    }
    Ok(())
}

async fn grant(store: &Arc<dyn Store>, args: &OperatorSiteArgs) -> anyhow::Result<()> {
    let operator = named(store, &args.name).await?;
    if operator.role == OperatorRole::Admin {
        bail!("{} is an admin and has every site already", operator.name);
    }
    let site = SiteId::parse(&args.site).map_err(|error| anyhow!("--site: {error}"))?;
    store.grant_site(&operator.id, &site).await?;
    println!("{} may now see and change site {site}", operator.name);
    Ok(())
}

async fn ungrant(store: &Arc<dyn Store>, args: &OperatorSiteArgs) -> anyhow::Result<()> {
    let operator = named(store, &args.name).await?;
    let site = SiteId::parse(&args.site).map_err(|error| anyhow!("--site: {error}"))?;
    if store.revoke_site(&operator.id, &site).await? {
        println!("{} no longer has site {site}", operator.name);
        Ok(())
    } else {
        bail!("{} did not have site {site}", operator.name)
    }
}

async fn password(store: &Arc<dyn Store>, args: &OperatorNameArgs) -> anyhow::Result<()> {
    let operator = named(store, &args.name).await?;
    let hash = read_password()?;
    store.set_operator_password(&operator.id, &hash).await?;
    println!(
        "password of {} set; their dashboard sessions were ended",
        operator.name
    );
    Ok(())
}

async fn create_token(store: &Arc<dyn Store>, args: &TokenCreateArgs) -> anyhow::Result<()> {
    let operator = named(store, &args.operator).await?;
    let (token, secret) = new_api_token(store.as_ref(), &operator, &args.label).await?;
    eprintln!(
        "created token {} for {} — shown once below; send it as `Authorization: Bearer <token>`",
        token.id,
        describe(&operator)
    );
    println!("{secret}");
    Ok(())
}

/// Stores a new API token of `operator` (created now, on real time) and returns it with its
/// secret, which is not stored and cannot be shown again.
pub async fn new_api_token(
    store: &dyn Store,
    operator: &Operator,
    label: &str,
) -> anyhow::Result<(ApiToken, String)> {
    let secret = new_secret();
    let token = ApiToken {
        id: uuid::Uuid::new_v4().to_string(),
        operator_id: operator.id.clone(),
        label: label.trim().to_owned(),
        token_hash: hash_secret(&secret),
        created_at: SystemClock.now(),
        revoked_at: None,
    };
    store.insert_api_token(&token).await?;
    Ok((token, secret))
}

/// The operator with this login name, or an error that says how to list them.
async fn named(store: &Arc<dyn Store>, name: &str) -> anyhow::Result<Operator> {
    let name = name.trim().to_ascii_lowercase();
    store
        .find_operator_by_name(&name)
        .await?
        .ok_or_else(|| anyhow!("no operator named {name:?} (see `chargeplan operator list`)"))
}

/// "alice (site-operator: lot-a, lot-b)".
fn describe(operator: &Operator) -> String {
    match operator.role {
        OperatorRole::Admin => format!("{} (admin: every site)", operator.name),
        OperatorRole::SiteOperator if operator.sites.is_empty() => {
            format!("{} (site-operator: no site yet)", operator.name)
        }
        OperatorRole::SiteOperator => {
            let sites: Vec<&str> = operator.sites.iter().map(SiteId::as_str).collect();
            format!("{} (site-operator: {})", operator.name, sites.join(", "))
        }
    }
}

/// The first line of standard input, hashed with argon2id.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    hash_password(password).map_err(|error| anyhow!("password: {error}"))
}
