-- The driver flow: personal links, phone verification for self-registration, what we last
-- promised each driver, the SMS suppression list, and where each event consumer stands.

-- A driver's personal link for one session; only a SHA-256 of the token is kept.
CREATE TABLE driver_links (
    token_hash      TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL UNIQUE REFERENCES sessions (id),
    participant_id  TEXT NOT NULL,
    site_id         TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

-- One-time codes texted to a phone number that wants to register at a site.
CREATE TABLE phone_verifications (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL,
    phone        TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    verified_at  INTEGER
) STRICT;
CREATE INDEX phone_verifications_phone ON phone_verifications (site_id, phone, created_at);

-- What the driver of a session was last told, so confirmations and warnings go out once.
CREATE TABLE driver_notices (
    session_id          TEXT PRIMARY KEY REFERENCES sessions (id),
    confirmed_revision  INTEGER NOT NULL,
    promised_kwh        REAL,
    met_notified        INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

-- Numbers we never text: they replied STOP, or the provider said the number is invalid.
CREATE TABLE sms_suppressions (
    phone       TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- The last event each consumer has handled, per site.
CREATE TABLE event_cursors (
    consumer       TEXT NOT NULL,
    site_id        TEXT NOT NULL,
    last_event_id  INTEGER NOT NULL,
    PRIMARY KEY (consumer, site_id)
) STRICT;
