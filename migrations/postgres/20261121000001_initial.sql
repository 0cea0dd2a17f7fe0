-- chargeplan schema, PostgreSQL. Times are microseconds since the Unix epoch (UTC);
-- power in kW, energy in kWh. Kept column-for-column equal to migrations/sqlite.

CREATE TABLE sites (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    slot_minutes BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE circuits (
    id        TEXT PRIMARY KEY,
    site_id   TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    parent_id TEXT REFERENCES circuits (id),
    cap_kw    DOUBLE PRECISION NOT NULL
);
CREATE INDEX circuits_by_site ON circuits (site_id);

CREATE TABLE scheduled_caps (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    circuit_id  TEXT NOT NULL REFERENCES circuits (id) ON DELETE CASCADE,
    window_json TEXT NOT NULL,
    cap_kw      DOUBLE PRECISION NOT NULL
);
CREATE INDEX scheduled_caps_by_site ON scheduled_caps (site_id);

CREATE TABLE cap_overrides (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    circuit_id TEXT NOT NULL REFERENCES circuits (id) ON DELETE CASCADE,
    cap_kw     DOUBLE PRECISION NOT NULL,
    starts_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX cap_overrides_by_site ON cap_overrides (site_id, expires_at);

CREATE TABLE tariffs (
    site_id    TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    body_json  TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE ports (
    id             TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    circuit_id     TEXT NOT NULL REFERENCES circuits (id),
    vendor_account TEXT NOT NULL,
    location_id    TEXT NOT NULL,
    evse_uid       TEXT NOT NULL,
    connector_id   TEXT NOT NULL,
    max_kw         DOUBLE PRECISION NOT NULL,
    phases         BIGINT NOT NULL,
    voltage_v      DOUBLE PRECISION NOT NULL,
    controllable   BOOLEAN NOT NULL,
    UNIQUE (vendor_account, location_id, evse_uid, connector_id)
);
CREATE INDEX ports_by_site ON ports (site_id);

CREATE TABLE participants (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    phone       TEXT NOT NULL,
    wh_per_mile DOUBLE PRECISION NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (site_id, phone)
);

CREATE TABLE participant_tokens (
    site_id        TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    token_uid      TEXT NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position       BIGINT NOT NULL,
    PRIMARY KEY (site_id, token_uid)
);
CREATE INDEX participant_tokens_by_participant ON participant_tokens (participant_id);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    site_id           TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    vendor_account    TEXT NOT NULL,
    vendor_session_id TEXT NOT NULL,
    port_id           TEXT REFERENCES ports (id),
    token_uid         TEXT,
    started_at        BIGINT NOT NULL,
    ended_at          BIGINT,
    energy_kwh        DOUBLE PRECISION NOT NULL,
    power_kw          DOUBLE PRECISION NOT NULL,
    status            TEXT NOT NULL,
    vendor_updated_at BIGINT NOT NULL,
    UNIQUE (vendor_account, vendor_session_id)
);
CREATE INDEX sessions_by_site_status ON sessions (site_id, status);

CREATE TABLE meter_samples (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    energy_kwh DOUBLE PRECISION NOT NULL,
    power_kw   DOUBLE PRECISION NOT NULL,
    soc_pct    DOUBLE PRECISION,
    PRIMARY KEY (session_id, at)
);

CREATE TABLE charging_requests (
    session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    revision     BIGINT NOT NULL,
    departure    BIGINT NOT NULL,
    energy_kwh   DOUBLE PRECISION,
    stated_miles DOUBLE PRECISION,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, revision)
);

CREATE TABLE plans (
    id            TEXT PRIMARY KEY,
    site_id       TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    start_at      BIGINT NOT NULL,
    slot_minutes  BIGINT NOT NULL,
    horizon_slots BIGINT NOT NULL,
    sessions_json TEXT NOT NULL
);
CREATE INDEX plans_by_site ON plans (site_id, created_at);

CREATE TABLE setpoints (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    plan_id      TEXT REFERENCES plans (id),
    port_id      TEXT NOT NULL REFERENCES ports (id),
    session_id   TEXT NOT NULL REFERENCES sessions (id),
    starts_at    BIGINT NOT NULL,
    periods_json TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX setpoints_by_site ON setpoints (site_id, created_at);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id         TEXT REFERENCES sites (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    body            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    not_before      BIGINT NOT NULL,
    claimed_until   BIGINT,
    provider_id     TEXT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX outbox_due ON outbox (state, not_before);

CREATE TABLE events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    payload_json TEXT NOT NULL
);
CREATE INDEX events_by_site ON events (site_id, id);
