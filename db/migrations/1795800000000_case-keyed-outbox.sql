-- Up Migration

-- An alarm id (`<stepId>:<kind>:<at>`) is unique within its case only: two minors identified the same day share
-- `hhs_minor_notification-1:due:...`. Keying the outbox by the alarm id alone let the second case's reminders be taken
-- for the first's. A notification is now keyed by its case and its alarm; `id` is derived from both, for the API's
-- cursors and the email's Message-ID. Existing rows keep their contents and get the case-qualified id.
ALTER TABLE notifications RENAME COLUMN id TO alarm_id;
ALTER TABLE notifications DROP CONSTRAINT notifications_pkey;
ALTER TABLE notifications ADD PRIMARY KEY (case_id, alarm_id);
ALTER TABLE notifications ADD COLUMN id text GENERATED ALWAYS AS (case_id || '/' || alarm_id) STORED;
ALTER TABLE notifications ADD CONSTRAINT notifications_id_key UNIQUE (id);

-- The indexes followed the renamed column; lists page on (created_at, id), so they are rebuilt on the new id.
DROP INDEX notifications_created_idx;
DROP INDEX notifications_case_idx;
DROP INDEX notifications_agency_idx;
DROP INDEX notifications_unsent_idx;
CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_case_idx ON notifications (case_id, created_at DESC, id DESC);
CREATE INDEX notifications_agency_idx ON notifications (recipient_agency_id, created_at DESC, id DESC);
CREATE INDEX notifications_unsent_idx ON notifications (created_at DESC, id DESC)
  WHERE sent_at IS NULL AND recipient_email IS NOT NULL;

-- The email's delivery workflow is `notification-<delivery_id>`: random, because a workflow id is stored in the clear
-- by Temporal and an alarm id carries dates (a minor's 18th birthday among them) that must not be readable there.
ALTER TABLE notifications ADD COLUMN delivery_id uuid NOT NULL DEFAULT gen_random_uuid();

-- When delivery first failed, cleared by a successful send: "delivery failing since ...". A notice of kind
-- delivery_failing tells the case's coordinator in the app (never by email: the mail is what is failing).
ALTER TABLE notifications ADD COLUMN failing_since timestamptz;
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'delivery_failing'));

-- A case's reference is reserved, with the survivor's sealed identity, before its workflow starts, so a reference that
-- is taken is refused at once instead of failing the projection forever. References are unique per agency that opens
-- cases: a refusal then tells the caller only about its own agency's cases, never that another agency has one.
CREATE TABLE case_references (
  case_id uuid PRIMARY KEY,
  opened_by_agency_id text NOT NULL,
  reference text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (opened_by_agency_id, reference)
);
INSERT INTO case_references (case_id, opened_by_agency_id, reference, created_at)
SELECT c.id, COALESCE(t.actor_agency_id, c.agencies ->> 'law_enforcement'), c.reference, c.opened_at
FROM cases c LEFT JOIN case_timeline t ON t.case_id = c.id AND t.type = 'case.opened';

-- The reservation is the guard now; the read model keeps an index for look-ups by reference.
ALTER TABLE cases DROP CONSTRAINT cases_reference_key;
CREATE INDEX cases_reference_idx ON cases (reference);

-- A reservation is written once and removed only with a case that never started (default privileges grant the rest).
REVOKE UPDATE ON case_references FROM relief_app;

-- Down Migration

DROP INDEX cases_reference_idx;
ALTER TABLE cases ADD CONSTRAINT cases_reference_key UNIQUE (reference);
DROP TABLE case_references;
DELETE FROM notifications WHERE kind = 'delivery_failing';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired'));
ALTER TABLE notifications DROP COLUMN failing_since;
ALTER TABLE notifications DROP COLUMN delivery_id;
ALTER TABLE notifications DROP COLUMN id;
ALTER TABLE notifications DROP CONSTRAINT notifications_pkey;
ALTER TABLE notifications RENAME COLUMN alarm_id TO id;
ALTER TABLE notifications ADD PRIMARY KEY (id);
-- Dropping the derived id dropped the list indexes built on it: rebuild them as they were.
CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_case_idx ON notifications (case_id, created_at DESC, id DESC);
CREATE INDEX notifications_agency_idx ON notifications (recipient_agency_id, created_at DESC, id DESC);
CREATE INDEX notifications_unsent_idx ON notifications (created_at DESC, id DESC)
  WHERE sent_at IS NULL AND recipient_email IS NOT NULL;
