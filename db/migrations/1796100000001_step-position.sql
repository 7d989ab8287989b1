-- Up Migration

-- The step's place in the case as the workflow holds it: steps opened by the same event (an identification opens
-- several at its own instant) are listed in the order they were opened, not by name. Filled by the next projection.
ALTER TABLE case_steps ADD COLUMN position integer;

-- Down Migration

ALTER TABLE case_steps DROP COLUMN position;
