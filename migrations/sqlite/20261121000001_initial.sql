-- chargeplan schema, SQLite. Times are microseconds since the Unix epoch (UTC);
-- power in kW, energy in kWh. Kept column-for-column equal to migrations/postgres.

CREATE TABLE sites (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE circuits (
    id        TEXT PRIMARY KEY,
    site_id   TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    parent_id TEXT REFERENCES circuits (id),
    cap_kw    REAL NOT NULL
) STRICT;
CREATE INDEX circuits_by_site ON circuits (site_id);

CREATE TABLE scheduled_caps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id     TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    circuit_id  TEXT NOT NULL REFERENCES circuits (id) ON DELETE CASCADE,
    window_json TEXT NOT NULL,
    cap_kw      REAL NOT NULL
) STRICT;
CREATE INDEX scheduled_caps_by_site ON scheduled_caps (site_id);

CREATE TABLE cap_overrides (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    circuit_id TEXT NOT NULL REFERENCES circuits (id) ON DELETE CASCADE,
    cap_kw     REAL NOT NULL,
    starts_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    reason     TEXT NOT NULL
) STRICT;
CREATE INDEX cap_overrides_by_site ON cap_overrides (site_id, expires_at);

CREATE TABLE tariffs (
    site_id    TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    body_json  TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE ports (
    id             TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    circuit_id     TEXT NOT NULL REFERENCES circuits (id),
    vendor_account TEXT NOT NULL,
    location_id    TEXT NOT NULL,
    evse_uid       TEXT NOT NULL,
    connector_id   TEXT NOT NULL,
    max_kw         REAL NOT NULL,
    phases         INTEGER NOT NULL,
    voltage_v      REAL NOT NULL,
    controllable   INTEGER NOT NULL,
    UNIQUE (vendor_account, location_id, evse_uid, connector_id)
) STRICT;
CREATE INDEX ports_by_site ON ports (site_id);

CREATE TABLE participants (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    wh_per_mile REAL NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (site_id, phone)
) STRICT;

CREATE TABLE participant_tokens (
    site_id        TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    token_uid      TEXT NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (site_id, token_uid)
) STRICT;
CREATE INDEX participant_tokens_by_participant ON participant_tokens (participant_id);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    site_id           TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    vendor_account    TEXT NOT NULL,
    vendor_session_id TEXT NOT NULL,
    port_id           TEXT REFERENCES ports (id),
    token_uid         TEXT,
    started_at        INTEGER NOT NULL,
    ended_at          INTEGER,
    energy_kwh        REAL NOT NULL,
    power_kw          REAL NOT NULL,
    status            TEXT NOT NULL,
    vendor_updated_at INTEGER NOT NULL,
    UNIQUE (vendor_account, vendor_session_id)
) STRICT;
CREATE INDEX sessions_by_site_status ON sessions (site_id, status);

CREATE TABLE meter_samples (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    energy_kwh REAL NOT NULL,
    power_kw   REAL NOT NULL,
    soc_pct    REAL,
    PRIMARY KEY (session_id, at)
) STRICT;

CREATE TABLE charging_requests (
    session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    departure    INTEGER NOT NULL,
    energy_kwh   REAL,
    stated_miles REAL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, revision)
) STRICT;

CREATE TABLE plans (
    id            TEXT PRIMARY KEY,
    site_id       TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    start_at      INTEGER NOT NULL,
    slot_minutes  INTEGER NOT NULL,
    horizon_slots INTEGER NOT NULL,
    sessions_json TEXT NOT NULL
) STRICT;
CREATE INDEX plans_by_site ON plans (site_id, created_at);

CREATE TABLE setpoints (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    plan_id      TEXT REFERENCES plans (id),
    port_id      TEXT NOT NULL REFERENCES ports (id),
    session_id   TEXT NOT NULL REFERENCES sessions (id),
    starts_at    INTEGER NOT NULL,
    periods_json TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX setpoints_by_site ON setpoints (site_id, created_at);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id         TEXT REFERENCES sites (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    body            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    not_before      INTEGER NOT NULL,
    claimed_until   INTEGER,
    provider_id     TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (state, not_before);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    payload_json TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_site ON events (site_id, id);
