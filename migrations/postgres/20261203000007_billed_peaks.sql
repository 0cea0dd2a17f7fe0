-- The highest 5-minute average of a site's measured load in its current billing period: the
-- demand charge is paid on it whatever the plans do, so the optimizer prices only load above
-- it. One row per site, replaced when a new billing period starts or a higher peak is measured.
CREATE TABLE billed_peaks (
    site_id        TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    period_start   BIGINT NOT NULL,
    kw             DOUBLE PRECISION NOT NULL,
    interval_start BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
