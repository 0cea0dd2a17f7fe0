//! Site operators: accounts with a role, the sites granted to them, their API tokens, their
//! dashboard sessions, and failed logins (for rate limiting).
//!
//! Secrets are never stored: API tokens and dashboard session ids as SHA-256, passwords as
//! argon2 PHC strings (hashed by the caller).

use async_trait::async_trait;
use chargeplan_core::SiteId;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorRole {
    /// Everything, on every site.
    Admin,
    /// Read and change only the sites granted to them.
    SiteOperator,
}

impl OperatorRole {
    /// The name stored in the database and used on the command line and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::SiteOperator => "site-operator",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Admin, Self::SiteOperator]
            .into_iter()
            .find(|role| role.as_str() == name)
    }
}

/// A person (or system) operating sites.
#[derive(Clone, PartialEq, Eq)]
pub struct Operator {
    /// Random id (UUID v4 text).
    pub id: String,
    /// Login name: unique, 1 to 64 characters of `a-z 0-9 . _ @ -`.
    pub name: String,
    pub role: OperatorRole,
    /// argon2 PHC string; `None` until a password is set (tokens work without one).
    pub password_hash: Option<String>,
    /// Sites this operator may see and change (ignored for admins), sorted.
    pub sites: Vec<SiteId>,
    pub created_at: DateTime<Utc>,
}

impl Operator {
    /// Whether this operator may read and change `site`.
    pub fn may_access(&self, site: &SiteId) -> bool {
        self.role == OperatorRole::Admin || self.sites.contains(site)
    }
}

impl std::fmt::Debug for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operator")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "[REDACTED]"),
            )
            .field("sites", &self.sites)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// An API token of an operator; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Random id (UUID v4 text), shown in listings and used to revoke.
    pub id: String,
    pub operator_id: String,
    /// What the token is for, e.g. "prometheus", 0 to 100 characters.
    pub label: String,
    /// Lowercase hex SHA-256 of the token.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    /// Set when revoked; a revoked token never authenticates again.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A logged-in dashboard session; the cookie holds the id, the store only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSession {
    /// Lowercase hex SHA-256 of the session id in the cookie.
    pub id_hash: String,
    pub operator_id: String,
    /// The token every form of this session must carry (random, 256 bits, hex).
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Operators, their grants, tokens, dashboard sessions and failed logins.
#[async_trait]
pub trait OperatorStore: Send + Sync {
    /// Creates the operator with its site grants; `Conflict` when the name is taken.
    async fn insert_operator(&self, operator: &Operator) -> Result<(), StoreError>;
    async fn get_operator(&self, id: &str) -> Result<Operator, StoreError>;
    async fn find_operator_by_name(&self, name: &str) -> Result<Option<Operator>, StoreError>;
    /// Every operator, by name.
    async fn list_operators(&self) -> Result<Vec<Operator>, StoreError>;
    /// Replaces the operator's password hash and ends all their dashboard sessions.
    async fn set_operator_password(
        &self,
        operator_id: &str,
        password_hash: &str,
    ) -> Result<(), StoreError>;
    /// Grants `site` to the operator (granting twice changes nothing); the site must exist.
    async fn grant_site(&self, operator_id: &str, site: &SiteId) -> Result<(), StoreError>;
    /// Takes `site` away; `true` when it was granted.
    async fn revoke_site(&self, operator_id: &str, site: &SiteId) -> Result<bool, StoreError>;
    /// Deletes the operator with their grants, tokens and sessions.
    async fn delete_operator(&self, operator_id: &str) -> Result<(), StoreError>;

    async fn insert_api_token(&self, token: &ApiToken) -> Result<(), StoreError>;
    /// The token with this hash and its operator, revoked or not (the caller checks).
    async fn find_api_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Operator)>, StoreError>;
    /// The operator's tokens, oldest first, revoked ones included.
    async fn list_api_tokens(&self, operator_id: &str) -> Result<Vec<ApiToken>, StoreError>;
    /// Marks the token revoked at `now`; `false` when unknown or already revoked.
    async fn revoke_api_token(
        &self,
        token_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn insert_dashboard_session(&self, session: &DashboardSession) -> Result<(), StoreError>;
    /// The session with this id hash and its operator, if it exists and has not expired at `now`.
    async fn find_dashboard_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(DashboardSession, Operator)>, StoreError>;
    /// Ends the session (log out); ending an unknown session is not an error.
    async fn delete_dashboard_session(&self, id_hash: &str) -> Result<(), StoreError>;

    /// Records a failed login for `name` (which may not exist) at `at`.
    async fn record_login_failure(&self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Failed logins for `name` at or after `since`.
    async fn count_login_failures(
        &self,
        name: &str,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Forgets the failed logins for `name` (after a successful login).
    async fn clear_login_failures(&self, name: &str) -> Result<(), StoreError>;
}
