-- Up Migration

-- Calendar feeds (issue 19) are tokens of a third kind: a secret URL, stored as the SHA-256 of its secret like any
-- token, listed and revoked like one, dead with its user. Never accepted as a bearer token (db/tokens.ts).
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_kind_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_kind_check CHECK (kind IN ('api_key', 'session', 'calendar_feed'));

-- The daily digest (issue 19): an agency that turns it on gets one email a day at its local morning instead of one
-- per reminder. Off by default.
ALTER TABLE agencies ADD COLUMN daily_digest boolean NOT NULL DEFAULT false;

-- A digest is an outbox row like any notification, keyed by (`digest:<agencyId>`, its local date): written once per
-- agency and day, sent at most once, retried through an SMTP outage.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'daily_digest';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing'));
ALTER TABLE agencies DROP COLUMN daily_digest;
DELETE FROM access_tokens WHERE kind = 'calendar_feed';
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_kind_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_kind_check CHECK (kind IN ('api_key', 'session'));
