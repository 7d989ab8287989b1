-- Up Migration

-- A reminder folded into an agency's daily digest (activities/digest.ts) names the agency's local date of the digest
-- that lists it in place of an email; null for every other notification. It tells such a reminder from one with no
-- address at all, and which digest it waits for: turning the digest off gives those whose digest was not sent the
-- agency's address, and they are emailed after all (db/agencies.ts setDailyDigest). Reminders folded before this
-- migration have none: which digest they waited for was not recorded, and they stay in the app only.
ALTER TABLE notifications ADD COLUMN digest_date date;

-- Down Migration

ALTER TABLE notifications DROP COLUMN digest_date;
