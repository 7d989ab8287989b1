-- Up Migration

-- An opening sent while Temporal could not be reached kept its reservation and the survivor's identity for a retry
-- under its key, since nobody could say whether its workflow started; a client that never retried left them forever:
-- the survivor sent again under a new key was refused as a duplicate of a case that does not exist, a chosen reference
-- stayed taken. Each attempt of an opening now records when it reserved (or found its reservation): once that is
-- longer ago than an attempt can still start the workflow (the write's bound and a margin) and Temporal says the
-- workflow does not exist, the reservation and identity are given back (app/abandoned-openings.ts), guarded by this
-- moment so that an attempt meanwhile keeps them. Reservations made before count from when they were made.
ALTER TABLE case_references ADD COLUMN attempted_at timestamptz;
UPDATE case_references SET attempted_at = created_at;
ALTER TABLE case_references ALTER COLUMN attempted_at SET NOT NULL, ALTER COLUMN attempted_at SET DEFAULT clock_timestamp();
GRANT UPDATE (attempted_at) ON case_references TO relief_app;

-- Down Migration

REVOKE UPDATE (attempted_at) ON case_references FROM relief_app;
ALTER TABLE case_references DROP COLUMN attempted_at;
