-- Up Migration

-- The duplicate check of an opening (the same survivor, agency and identification moment) read the read model only,
-- which shows a case once its workflow has started and projected it: two openings sent at once both passed it and
-- opened two cases. An opening now checks and reserves under a lock on that survivor, agency and moment
-- (db/survivors.ts `lockOpeningsOfSameSurvivor`), and the check counts the reservations the read model does not show
-- yet, by the moment each was identified at, kept here. Reservations made before have none: their cases were opened.
ALTER TABLE case_references ADD COLUMN identified_at timestamptz;

-- Down Migration

ALTER TABLE case_references DROP COLUMN identified_at;
