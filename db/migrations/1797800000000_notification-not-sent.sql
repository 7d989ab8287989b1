-- Up Migration

-- An email about a step still to be done (a reminder, a due notice, an escalation) that a mail outage held back until
-- the step was done: it is no longer sent, for it would ask for work already done (activities/notifications.ts). The
-- row records when that was settled, and its last_error says why; it is then neither owed nor failing.
ALTER TABLE notifications ADD COLUMN not_sent_at timestamptz;

-- Down Migration

ALTER TABLE notifications DROP COLUMN not_sent_at;
