-- One owner per site when several instances share the database: a lease with an expiry and a
-- fencing token that grows with every change of owner, and the instances that are alive.

-- The instance that owns a site until `expires_at` (microseconds since the epoch). A released
-- lease keeps its row (owner '' and expires_at 0) so the token never goes backwards.
CREATE TABLE site_leases (
    site_id        TEXT PRIMARY KEY,
    owner          TEXT NOT NULL,
    fencing_token  INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
) STRICT;

-- Instances that announced themselves recently, to share the sites fairly among them.
CREATE TABLE control_instances (
    instance_id  TEXT PRIMARY KEY,
    expires_at   INTEGER NOT NULL
) STRICT;
