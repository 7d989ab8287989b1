-- Up Migration

-- A supervisor's or admin's audit trail filtered by a case (GET /api/audit?caseId=…) reads their agency's rows of that
-- case (db/audit.ts listAudit). Served by audit_events_case_idx it read every agency's rows of the case and dropped the
-- others', so its cost grew with another agency's activity on the case: a timing signal to an insider holding a case
-- id. This index reads the reader's agency's rows of the case and no other's, newest first as the trail lists them (by
-- id, so a page of 50 stops after 50, and the planner prefers it to walking the primary key backwards and dropping the
-- rows of other agencies and cases; test/db/suites/audit-plans.ts).
CREATE INDEX audit_events_agency_case_idx ON audit_events (agency_id, case_id, id DESC) WHERE case_id IS NOT NULL;

-- Down Migration

DROP INDEX audit_events_agency_case_idx;
