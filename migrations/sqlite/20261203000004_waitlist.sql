-- Charge-bay sharing, the control side: the waitlist of a site (entries, offers of a freed
-- port with their deadlines, holds), and what we know and have said about each session for
-- the board (the owner's return time, "OK to unplug", the "done charging" texts).

-- A driver waiting for a port at a site. Position is by `joined_at`; a phone has at most one
-- active entry (waiting, or holding a port it took) per site.
CREATE TABLE waitlist_entries (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites (id),
    phone       TEXT NOT NULL,
    joined_at   INTEGER NOT NULL,
    skips       INTEGER NOT NULL,
    state       TEXT NOT NULL,
    ended_at    INTEGER
) STRICT;
CREATE UNIQUE INDEX waitlist_entries_one_active
    ON waitlist_entries (site_id, phone) WHERE state IN ('waiting', 'holding');
CREATE INDEX waitlist_entries_line ON waitlist_entries (site_id, state, joined_at);

-- A port offered to the first in line: open until answered or its deadline; a taken offer is
-- the hold on the port until `hold_until`. At most one live (open or taken) offer per port.
CREATE TABLE waitlist_offers (
    id            TEXT PRIMARY KEY,
    entry_id      TEXT NOT NULL REFERENCES waitlist_entries (id),
    site_id       TEXT NOT NULL,
    port_id       TEXT NOT NULL,
    offered_at    INTEGER NOT NULL,
    respond_by    INTEGER NOT NULL,
    state         TEXT NOT NULL,
    answered_at   INTEGER,
    hold_until    INTEGER
) STRICT;
CREATE UNIQUE INDEX waitlist_offers_one_live_per_port
    ON waitlist_offers (port_id) WHERE state IN ('open', 'taken');
CREATE INDEX waitlist_offers_site ON waitlist_offers (site_id, state);

-- Per session: the owner's relayed return time, their "OK to unplug", and the "done
-- charging" texts sent (the first notice and its reminders).
CREATE TABLE session_sharing_notes (
    session_id          TEXT PRIMARY KEY REFERENCES sessions (id),
    site_id             TEXT NOT NULL,
    owner_back_at       INTEGER,
    ok_to_unplug_at     INTEGER,
    done_at             INTEGER,
    done_texts          INTEGER NOT NULL,
    last_done_text_at   INTEGER,
    updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX session_sharing_notes_site ON session_sharing_notes (site_id);
