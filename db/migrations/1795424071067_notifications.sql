-- Up Migration

-- The notification outbox: one row per alarm a case workflow fired. The id is the workflow's alarm id, so a retried
-- activity finds its row instead of adding a second. A row with an email is sent at most once (sent_at); a row
-- without one is an in-app notice only. No column holds a survivor's personal data.
-- No foreign key to agencies: the row records who was told, and where, at the time it was written.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  case_id text NOT NULL,
  reference text NOT NULL,
  step_id text NOT NULL,
  step_kind text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired')),
  recipient_agency_id text NOT NULL,
  recipient_email text,
  subject text NOT NULL,
  body_text text NOT NULL,
  due_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);

-- Lists are newest first with (created_at, id) as the keyset cursor.
CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_case_idx ON notifications (case_id, created_at DESC, id DESC);
CREATE INDEX notifications_agency_idx ON notifications (recipient_agency_id, created_at DESC, id DESC);
CREATE INDEX notifications_unsent_idx ON notifications (created_at DESC, id DESC)
  WHERE sent_at IS NULL AND recipient_email IS NOT NULL;

-- Down Migration

DROP TABLE notifications;
