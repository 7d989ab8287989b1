-- Up Migration

-- survivor_revisions was meant append-only for the service, but new tables get every right by default
-- (1795600000000_access-control.sql) and its migration only granted: take back what it never needs.
REVOKE UPDATE, DELETE, TRUNCATE ON survivor_revisions FROM relief_app;

-- Down Migration

GRANT UPDATE, DELETE ON survivor_revisions TO relief_app;
