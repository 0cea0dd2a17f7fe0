-- (and participants found by phone, for the requests drivers text in)
-- How a site writes clock times for its drivers ('24h' or '12h'), and its country (ISO 3166
-- alpha-2), the default region of the phone numbers typed for it. Sites made before had
-- 24-hour times and read ten-digit numbers as American.
ALTER TABLE sites ADD COLUMN clock_format TEXT NOT NULL DEFAULT '24h';
ALTER TABLE sites ADD COLUMN country TEXT NOT NULL DEFAULT 'US';
CREATE INDEX participants_by_phone ON participants (phone);
