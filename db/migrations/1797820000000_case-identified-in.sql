-- Up Migration

-- The time zone a case's identification was read in: its police's when it was identified. A deadline counted in days
-- from an identification entered by its day ends at that zone's midnight, and its last day is read there
-- (core/people-dates.ts `deadlineZone`, `zonesCountedIn`). No row kept it: every reader guessed it from the zones
-- police agencies work in now, so a police agency that moved moved its past cases' last days, and an hour that was
-- another police agency's midnight read a day early. The projection writes it when it first writes the case
-- (db/read-model.ts) and never changes it, since the day a count began on is a fact of the past.
--
-- The cases already held take their identifying police's zone as it is now, the best this migration knows, and keep
-- it from now on; a police agency without a zone of its own works in the deployment's TIMEZONE, which SQL does not
-- know: its cases keep none, and are read as before, in the zones law enforcement works in now.
ALTER TABLE cases ADD COLUMN identified_in text;

UPDATE cases c SET identified_in = a.time_zone
  FROM case_steps s JOIN agencies a ON a.id = s.agency_id
 WHERE s.case_id = c.id AND s.kind = 'identification' AND a.time_zone IS NOT NULL;

-- Down Migration

ALTER TABLE cases DROP COLUMN identified_in;
