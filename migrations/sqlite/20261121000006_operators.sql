-- Site operators: accounts with a role, the sites granted to them, their API tokens and
-- dashboard sessions, and failed logins. Secrets are never kept, only their hashes.

-- An operator account. `role` is 'admin' or 'site-operator'; `password_hash` is an argon2 PHC
-- string, NULL until a password is set (API tokens work without one).
CREATE TABLE operators (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    password_hash  TEXT,
    created_at     INTEGER NOT NULL
) STRICT;

-- The sites a site operator may see and change (admins see every site regardless).
CREATE TABLE operator_sites (
    operator_id  TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (operator_id, site_id)
) STRICT;

-- API tokens of operators, by the lowercase hex SHA-256 of the token; a revoked token keeps
-- its row (with `revoked_at`) so listings show it.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_by_operator ON api_tokens (operator_id, created_at);

-- Logged-in dashboard sessions, by the lowercase hex SHA-256 of the id in the cookie.
CREATE TABLE dashboard_sessions (
    id_hash      TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX dashboard_sessions_by_operator ON dashboard_sessions (operator_id);

-- Failed logins per login name (which may not exist), counted to slow down password guessing.
CREATE TABLE login_failures (
    name  TEXT NOT NULL,
    at    INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_by_name ON login_failures (name, at);

-- A site's meter samples over a time range (list_site_meter_samples): besides going session by
-- session through the primary key, a short range can be read by instant.
CREATE INDEX meter_samples_by_at ON meter_samples (at);
