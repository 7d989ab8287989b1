-- Up Migration

-- The step an expiry reminder asks for (a CP grant's renewal request, the adjustment filing T status opened, ...), as
-- the read model had it pending when the reminder was written: a mail outage that held the email back until that
-- step was done no longer sends it, for it would ask for a renewal already requested (activities/notifications.ts).
-- Null for every other kind of email, and for the expiry reminders written before, which are sent as they were.
ALTER TABLE notifications ADD COLUMN owed_step_id text;

-- Down Migration

ALTER TABLE notifications DROP COLUMN owed_step_id;
