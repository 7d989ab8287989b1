-- Up Migration

-- Every command the case workflow applies leaves a row of its own, whoever sent it (the API, or anyone else holding
-- the payload keys): the workflow's projection writes it, keyed by the case and the case version the command
-- produced, so a repeated projection writes no second row. Rows written by the API leave the key empty.
ALTER TABLE audit_events ADD COLUMN applied_version integer;
CREATE UNIQUE INDEX audit_events_applied_idx ON audit_events (case_id, applied_version) WHERE applied_version IS NOT NULL;

-- Down Migration

DROP INDEX audit_events_applied_idx;
ALTER TABLE audit_events DROP COLUMN applied_version;
