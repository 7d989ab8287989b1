-- Up Migration

-- A case's transfer is told to the agency losing it and the one taking it over through the outbox, as a reminder is
-- (activities/transfer-notices.ts): keyed by (case, `case_transferred:<timeline entry>:<agency>`), retried through an
-- SMTP outage.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'case_transferred';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected'));
