//! Operator rows as the database returns them, and the checks on operators and tokens made
//! before anything is written.

use chargeplan_core::{SiteId, ValueError};

use crate::time::{from_micros, opt_from_micros};
use crate::{ApiToken, DashboardSession, Operator, OperatorRole, StoreError};

pub(crate) const OPERATOR_COLUMNS: &str = "id, name, role, password_hash, created_at";
pub(crate) const API_TOKEN_COLUMNS: &str =
    "id, operator_id, label, token_hash, created_at, revoked_at";
pub(crate) const DASHBOARD_SESSION_COLUMNS: &str =
    "id_hash, operator_id, csrf_token, created_at, expires_at";

/// Longest operator name.
const NAME_MAX: usize = 64;
/// Longest API token label.
const LABEL_MAX: usize = 100;

/// An operator name: 1 to 64 characters of `a-z 0-9 . _ @ -`.
pub(crate) fn check_operator_name(name: &str) -> Result<(), ValueError> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(c);
    let length = name.chars().count();
    if length == 0 || length > NAME_MAX {
        return Err(ValueError::invalid(
            "name",
            format!("must have 1 to {NAME_MAX} characters, got {length}"),
        ));
    }
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        return Err(ValueError::invalid(
            "name",
            format!("may only contain a-z, 0-9, '.', '_', '@' and '-', got {bad:?}"),
        ));
    }
    Ok(())
}

/// An API token label: at most 100 characters.
pub(crate) fn check_token_label(label: &str) -> Result<(), ValueError> {
    let length = label.chars().count();
    if length > LABEL_MAX {
        return Err(ValueError::invalid(
            "label",
            format!("must have at most {LABEL_MAX} characters, got {length}"),
        ));
    }
    Ok(())
}

/// The sites of an operator, validated, sorted and without duplicates.
pub(crate) fn sorted_sites(sites: Vec<String>) -> Result<Vec<SiteId>, StoreError> {
    let mut sites = sites
        .iter()
        .map(|site| SiteId::parse(site))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| StoreError::corrupt("operator site", error))?;
    sites.sort();
    sites.dedup();
    Ok(sites)
}

#[derive(sqlx::FromRow)]
pub(crate) struct OperatorRow {
    pub(crate) id: String,
    name: String,
    role: String,
    password_hash: Option<String>,
    created_at: i64,
}

impl OperatorRow {
    /// The operator with the site ids granted to it (in any order).
    pub(crate) fn into_operator(self, sites: Vec<String>) -> Result<Operator, StoreError> {
        let role = OperatorRole::parse(&self.role).ok_or_else(|| {
            StoreError::corrupt("operator", format!("unknown role '{}'", self.role))
        })?;
        Ok(Operator {
            id: self.id,
            name: self.name,
            role,
            password_hash: self.password_hash,
            sites: sorted_sites(sites)?,
            created_at: from_micros(self.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    id: String,
    pub(crate) operator_id: String,
    label: String,
    token_hash: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl ApiTokenRow {
    pub(crate) fn into_token(self) -> Result<ApiToken, StoreError> {
        Ok(ApiToken {
            id: self.id,
            operator_id: self.operator_id,
            label: self.label,
            token_hash: self.token_hash,
            created_at: from_micros(self.created_at)?,
            revoked_at: opt_from_micros(self.revoked_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DashboardSessionRow {
    id_hash: String,
    pub(crate) operator_id: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

impl DashboardSessionRow {
    pub(crate) fn into_session(self) -> Result<DashboardSession, StoreError> {
        Ok(DashboardSession {
            id_hash: self.id_hash,
            operator_id: self.operator_id,
            csrf_token: self.csrf_token,
            created_at: from_micros(self.created_at)?,
            expires_at: from_micros(self.expires_at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        for good in ["a", "ops@example.com", "jane_doe-2.x", &"a".repeat(64)] {
            assert!(check_operator_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Jane", "jane doe", "jané", "a/b", &"a".repeat(65)] {
            assert!(check_operator_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_labels() {
        assert!(check_token_label("").is_ok());
        assert!(check_token_label(&"é".repeat(100)).is_ok());
        assert!(check_token_label(&"x".repeat(101)).is_err());
    }
}
