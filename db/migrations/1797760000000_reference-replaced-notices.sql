-- Up Migration

-- A case's reference replaced by another agency than the one that opened it (a correction of the survivor's identity
-- its reference would name) is told to the opening agency, whose case number it was (kind reference_replaced,
-- app/survivor-records.ts): one outbox row per replacement.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened',
                  'reference_replaced'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'reference_replaced';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened'));
