-- The OCPI party (country code and party id) that reported each session, as the CPO named it
-- in the session object. A PATCH whose URL names another party is refused, so one party of a
-- platform that speaks for several cannot change another's session. Sessions from protocols
-- without parties have no row.
CREATE TABLE session_parties (
    session_id    TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    country_code  TEXT NOT NULL,
    party_id      TEXT NOT NULL
);
