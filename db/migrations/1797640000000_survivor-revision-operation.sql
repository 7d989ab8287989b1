-- Up Migration

-- The write that made each correction: the operation its Idempotency-Key names (api/idempotency.ts). A correction
-- commits before its answer is stored; an API that dies between the two leaves a retry that would compare with the
-- identity already corrected and answer "nothing changed". The retry finds its revision by the operation and answers
-- what it changed, writing nothing again. Null for corrections made before, and for any written without a key.
ALTER TABLE survivor_revisions ADD COLUMN operation_id text;
CREATE UNIQUE INDEX survivor_revisions_once_per_operation ON survivor_revisions (case_id, operation_id)
  WHERE operation_id IS NOT NULL;

-- Down Migration

DROP INDEX survivor_revisions_once_per_operation;
ALTER TABLE survivor_revisions DROP COLUMN operation_id;
