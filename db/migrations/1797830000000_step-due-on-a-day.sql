-- Up Migration

-- Whether a step's deadline is a day, counted in days from a typed day or a respond-by date (domain/types.ts
-- `dueOnADay`): met all of that last day wherever in the US it is read, it is overdue in the lists and counts
-- (db/overdue.ts) only once that day has ended everywhere in the US, as a step due at a validity's end. False for
-- the steps projected before: the workflow marks only the steps it opens behind its patch (DAYS_DUE_ALL_DAY_PATCH),
-- and the steps opened before keep their instants.
ALTER TABLE case_steps ADD COLUMN due_on_a_day boolean NOT NULL DEFAULT false;

-- Down Migration

ALTER TABLE case_steps DROP COLUMN due_on_a_day;
