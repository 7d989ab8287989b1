-- Up Migration

-- A pending step a correction withdrew is told to the agency that owed it and to the coordinator (kind
-- step_withdrawn, domain/withdrawn-steps.ts): one outbox row per correction, step and recipient.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'step_withdrawn';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred'));
