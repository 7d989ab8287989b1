-- Up Migration

-- The caseload's identification filters (db/case-list.ts) go by the day the survivor was identified where they were
-- identified: the identification step's identifiedOn, the day its agency wrote in its own zone (every identification
-- step has carried it since the first release, so nothing needs filling in). The UTC day of the instant put a case
-- identified on 4 Dec in Guam under 3 Dec. A YYYY-MM-DD text sorts in date order, so the index serves both bounds.
-- It replaces the index on the instant, which nothing else read.
CREATE INDEX case_steps_identified_on_idx ON case_steps ((details->>'identifiedOn'), case_id)
  WHERE kind = 'identification';
DROP INDEX case_steps_identified_idx;

-- Down Migration

CREATE INDEX case_steps_identified_idx ON case_steps (completed_at, case_id) WHERE kind = 'identification';
DROP INDEX case_steps_identified_on_idx;
