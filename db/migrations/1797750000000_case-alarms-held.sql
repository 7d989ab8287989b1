-- Up Migration

-- A window's announcement recorded in an entry session waits for the session's end (domain/alarms.ts `nextAlarm`):
-- its row is then `held`, its `at` the session's end as the last projection knew it, so the reminders list shows when
-- it will be sent, not its recording time, already past; once raised, the list gives when its notification was made.
ALTER TABLE case_alarms ADD COLUMN held boolean NOT NULL DEFAULT false;

-- Down Migration

ALTER TABLE case_alarms DROP COLUMN held;
