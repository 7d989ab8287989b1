-- Up Migration

-- An end an "Expiring" or "Expired" email named, moved by a correction, is told to the same recipients (kind
-- end_corrected, domain/corrected-ends.ts): one outbox row per recipient and correction, delivered as the reminder was.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest', 'end_corrected'));

-- Down Migration

DELETE FROM notifications WHERE kind = 'end_corrected';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('reminder', 'due', 'escalation', 'expiry_reminder', 'expired', 'passed_summary', 'delivery_failing',
                  'daily_digest'));
