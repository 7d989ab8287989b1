-- Up Migration

-- A case entered or brought up to date after the fact: the alarms that had already passed are listed in one notice
-- to the coordinator (kind passed_summary) instead of being sent one by one (domain/alarms.ts settlePassedAlarms).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'passed_summary';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'delivery_failing'));
