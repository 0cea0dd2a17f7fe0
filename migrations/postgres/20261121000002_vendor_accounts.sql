-- Vendor cloud accounts: how to reach each CPO, the token we present to it (outbound) and
-- the token it presents to us (inbound), from its OCPI registration.
CREATE TABLE vendor_accounts (
    id                     TEXT PRIMARY KEY,
    protocol               TEXT NOT NULL,
    versions_url           TEXT NOT NULL,
    outbound_token         TEXT NOT NULL,
    inbound_token          TEXT NOT NULL,
    token_encoding         TEXT NOT NULL,
    sessions_url           TEXT NOT NULL,
    locations_url          TEXT NOT NULL,
    charging_profiles_url  TEXT NOT NULL,
    rate_unit              TEXT NOT NULL,
    enabled                BOOLEAN NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
