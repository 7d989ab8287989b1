-- Up Migration

-- A case's reference is replaced when a correction of the survivor's identity would have it say who the survivor is
-- (app/survivor-records.ts): the service may rewrite a reservation's reference, never whose case it is.
GRANT UPDATE (reference) ON case_references TO relief_app;

-- Down Migration

REVOKE UPDATE (reference) ON case_references FROM relief_app;
