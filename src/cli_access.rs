//! Command-line flags of `chargeplan operator` and `chargeplan token`.

use clap::Subcommand;

/// `operator` subcommands.
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Create an operator: an admin (every site) or a site operator (the sites given with
    /// --site). With --password-stdin the first line of standard input becomes the dashboard
    /// password (at least 12 characters); without it the operator can use API tokens only.
    Create(OperatorCreateArgs),
    /// List operators with their role and sites (never password hashes).
    List,
    /// Grant a site to a site operator.
    Grant(OperatorSiteArgs),
    /// Take a site away from a site operator.
    Ungrant(OperatorSiteArgs),
    /// Set the dashboard password from the first line of standard input; ends their dashboard
    /// sessions.
    Password(OperatorNameArgs),
    /// Delete an operator with their API tokens and dashboard sessions.
    Delete(OperatorNameArgs),
}

/// Flags of `operator create`.
#[derive(Debug, clap::Args)]
pub struct OperatorCreateArgs {
    /// Login name: 1 to 64 characters of a-z 0-9 . _ @ -
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// `admin` or `site-operator`.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// A site the operator may see and change (repeat for several); site operators only.
    #[arg(long = "site", value_name = "SITE")]
    pub sites: Vec<String>,
    /// Read the dashboard password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Flags naming one operator.
#[derive(Debug, clap::Args)]
pub struct OperatorNameArgs {
    #[arg(long, value_name = "NAME")]
    pub name: String,
}

/// Flags naming an operator and a site.
#[derive(Debug, clap::Args)]
pub struct OperatorSiteArgs {
    #[arg(long, value_name = "NAME")]
    pub name: String,
    #[arg(long, value_name = "SITE")]
    pub site: String,
}

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an operator and print it on standard output — the only time
    /// it is shown (only its SHA-256 is stored).
    Create(TokenCreateArgs),
    /// List tokens (id, operator, label, created, revoked), never the tokens themselves.
    List(TokenListArgs),
    /// Revoke a token by its id: it stops working at once.
    Revoke(TokenRevokeArgs),
}

/// Flags of `token create`.
#[derive(Debug, clap::Args)]
pub struct TokenCreateArgs {
    /// The operator the token acts as.
    #[arg(long, value_name = "NAME")]
    pub operator: String,
    /// What the token is for, e.g. `prometheus` (at most 100 characters).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub label: String,
}

/// Flags of `token list`.
#[derive(Debug, clap::Args)]
pub struct TokenListArgs {
    /// Only this operator's tokens.
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
}

/// Flags of `token revoke`.
#[derive(Debug, clap::Args)]
pub struct TokenRevokeArgs {
    /// The token's id, as `token list` shows it.
    #[arg(value_name = "ID")]
    pub id: String,
}
