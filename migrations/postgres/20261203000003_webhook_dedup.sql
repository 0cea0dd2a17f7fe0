-- Provider webhooks already handled, so a replayed one (a captured signed request posted
-- again, or the provider's own retry) changes nothing. `kind` is 'inbound' (key: Twilio's
-- MessageSid) or 'status' (key: MessageSid and MessageStatus, as one message gets several
-- statuses). Rows are claimed with INSERT ... ON CONFLICT DO NOTHING and deleted by a periodic
-- cleanup once older than the retention (chargeplan-sms's WEBHOOK_RETENTION).
CREATE TABLE webhook_receipts (
    kind           TEXT NOT NULL,
    sid            TEXT NOT NULL,
    first_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, sid)
);

CREATE INDEX webhook_receipts_first_seen ON webhook_receipts (first_seen_at);
