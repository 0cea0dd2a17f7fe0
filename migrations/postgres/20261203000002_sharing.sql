-- Charge-bay sharing: per-site settings, which ports' cables others may unplug, and the
-- anonymous relay between waiting drivers and owners (threads, their log, blocks).

-- A site's sharing settings as one JSON object (chargeplan_core::SharingSettings); a site
-- without a row uses the defaults.
CREATE TABLE site_sharing_settings (
    site_id        TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    settings_json  TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

ALTER TABLE ports ADD COLUMN cable_movable BOOLEAN NOT NULL DEFAULT FALSE;

-- One conversation between a waiting driver and the owner of the member ID they texted.
-- A void thread (unknown ID, or the owner blocked the sender) relays nothing but answers the
-- sender exactly like a real one, so IDs cannot be probed.
CREATE TABLE relay_threads (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL,
    member_id        TEXT NOT NULL,
    site_id          TEXT,
    owner_id         TEXT,
    owner_phone      TEXT,
    waiter_phone     TEXT NOT NULL,
    session_id       TEXT,
    void_reason      TEXT,
    opened_at        BIGINT NOT NULL,
    last_message_at  BIGINT NOT NULL,
    closes_at        BIGINT NOT NULL,
    closed_at        BIGINT,
    owner_shared     BOOLEAN NOT NULL,
    waiter_shared    BOOLEAN NOT NULL
);
CREATE INDEX relay_threads_by_waiter ON relay_threads (waiter_phone, opened_at);
CREATE INDEX relay_threads_by_owner ON relay_threads (owner_phone, last_message_at);
CREATE INDEX relay_threads_by_member ON relay_threads (member_id, opened_at);

-- Every relayed message and every refusal: who (the sender's role and number, never shown),
-- when, which thread, the outcome; the body only until the site's retention ends.
CREATE TABLE relay_log (
    id            BIGSERIAL PRIMARY KEY,
    thread_id     TEXT,
    site_id       TEXT,
    at            BIGINT NOT NULL,
    sender        TEXT NOT NULL,
    sender_phone  TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    body          TEXT
);
CREATE INDEX relay_log_by_site ON relay_log (site_id, at);
CREATE INDEX relay_log_by_thread ON relay_log (thread_id, at);

-- An owner's BLOCK: this number can never reach them again (until they lift it on their page).
CREATE TABLE relay_blocks (
    id            TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    blocked_phone TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (owner_id, blocked_phone)
);
