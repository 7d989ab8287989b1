-- Up Migration

-- One row for each payload key (PAYLOAD_KEYS) the deployment has used: a known constant sealed under it by the first
-- process that held its id (app/payload-keys-checked.ts). Every process that holds PAYLOAD_KEYS (API, worker, admin
-- reproject) opens it at start, and refuses to start naming PAYLOAD_KEYS and the key id when it cannot: a key id given
-- with other bytes than the deployment's, which would start, say it is ready, and fail every workflow task it decodes.
-- The constant tells nothing; the key never leaves the processes.
CREATE TABLE payload_key_checks (
  payload_key_id text PRIMARY KEY,
  sealed_check bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The first process with a new key id writes its row (INSERT ... ON CONFLICT DO NOTHING, which needs no UPDATE); no
-- process rewrites or deletes one, so a process with wrong bytes cannot replace the deployment's check with its own.
-- New tables get every right by default (1795600000000_access-control.sql): taken back but for these two.
REVOKE UPDATE, DELETE, TRUNCATE ON payload_key_checks FROM relief_app;
GRANT SELECT, INSERT ON payload_key_checks TO relief_app;

-- The start-up check of the identity keys in use (db/sealed-places.ts) reads the distinct key ids of each sealed place
-- at each start: with these, a few probes each ("loose index scan") where each was a sequential scan, about 2.5 s in
-- all at 100,000 cases. The notes and corrections' reasons are `sealed:<key id>:...` strings in case_steps.details:
-- indexed by that key id, for the steps that hold one only.
CREATE INDEX survivors_key_id_idx ON survivors (key_id);
CREATE INDEX survivor_revisions_key_id_idx ON survivor_revisions (key_id);
CREATE INDEX step_documents_key_id_idx ON step_documents (key_id);
CREATE INDEX survivor_name_index_key_id_idx ON survivor_name_index (key_id);
CREATE INDEX case_steps_note_key_id_idx ON case_steps ((split_part(details->>'note', ':', 2)))
  WHERE details->>'note' LIKE 'sealed:%';
CREATE INDEX case_steps_correction_reason_key_id_idx ON case_steps ((split_part(details->>'correctionReason', ':', 2)))
  WHERE details->>'correctionReason' LIKE 'sealed:%';

-- Down Migration

DROP INDEX case_steps_correction_reason_key_id_idx;
DROP INDEX case_steps_note_key_id_idx;
DROP INDEX survivor_name_index_key_id_idx;
DROP INDEX step_documents_key_id_idx;
DROP INDEX survivor_revisions_key_id_idx;
DROP INDEX survivors_key_id_idx;
DROP TABLE payload_key_checks;
