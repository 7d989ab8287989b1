-- Up Migration

-- The zones cases were identified in (`identified_in`), read on every GET /api/me (db/agencies.ts
-- `deadlineTimeZoneLists`): a filter of many cases' steps by the last day each shows bounds its days by them too, as
-- a police agency that moved since counted its past cases' deadlines in its zone then. They are a few, among 100,000
-- cases: the read skips from one to the next along this index ("loose index scan"), a few probes where a DISTINCT
-- would read the whole table. A case that kept none is of no use to that read, and is left out.
CREATE INDEX cases_identified_in_idx ON cases (identified_in) WHERE identified_in IS NOT NULL;

-- Down Migration

DROP INDEX cases_identified_in_idx;
