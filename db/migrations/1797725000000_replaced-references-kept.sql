-- Up Migration

-- A reference a survivor correction replaced was rewritten in place, which freed it: another case of the same agency
-- could open with it, and the two cases' timelines and audit trails then named one number. A replaced reference now
-- stays the case's, reserved: its row is kept, marked `replaced_at`, and the new reference is a row of its own. The
-- unique index on (agency, upper(reference)) covers both, so no other case of the agency can take a former one; the
-- case's reference is its row not replaced (one per case).
ALTER TABLE case_references ADD COLUMN replaced_at timestamptz;
ALTER TABLE case_references DROP CONSTRAINT case_references_pkey;
CREATE UNIQUE INDEX case_references_current_key ON case_references (case_id) WHERE replaced_at IS NULL;
CREATE INDEX case_references_case_idx ON case_references (case_id);

-- The service marks a reference replaced; it rewrites one only to take back a former reference of the same case.
GRANT UPDATE (replaced_at) ON case_references TO relief_app;

-- Down Migration

REVOKE UPDATE (replaced_at) ON case_references FROM relief_app;
DELETE FROM case_references WHERE replaced_at IS NOT NULL;
DROP INDEX case_references_case_idx;
DROP INDEX case_references_current_key;
ALTER TABLE case_references ADD PRIMARY KEY (case_id);
ALTER TABLE case_references DROP COLUMN replaced_at;
