-- Up Migration

-- A step that opens for an agency on another agency's sign-off (a CP request reaching ICE, a certification request
-- reaching HHS) is told to that agency at once (kind step_opened, activities/opened-steps.ts): one outbox row per
-- opened step and command, delivered as a reminder is.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened',
                  'reference_replaced', 'step_opened'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'step_opened';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected', 'case_transferred', 'step_withdrawn', 'step_reopened',
                  'reference_replaced'));
