-- Member IDs (the short public code on a participant's sticker, unique across all sites) and
-- an optional licence plate with its region. Existing rows get their IDs from the store's
-- migrate(), which fills every NULL member_id right after the migrations run (SQL cannot
-- easily draw from the ID alphabet); the store reads member_id as required.
ALTER TABLE participants ADD COLUMN member_id TEXT;
ALTER TABLE participants ADD COLUMN plate TEXT;
ALTER TABLE participants ADD COLUMN plate_region TEXT;
CREATE UNIQUE INDEX participants_member_id ON participants (member_id);
