-- Up Migration

-- A step a correction leaves pending that was not (reopened, or opened by the corrected sign-off) is told to the agency
-- that owes it and to the coordinator (kind step_reopened, domain/withdrawn-steps.ts): one outbox row per correction,
-- step and recipient.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'step_reopened';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn'));
