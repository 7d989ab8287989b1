-- Up Migration

-- The caseload (GET /api/cases, db/case-list.ts) lists a caller's cases newest first under any of its filters; each
-- filter has an index that serves it at 100,000 cases. Status and the participating agency have theirs already
-- (cases_status_opened_idx, cases_agency_ids_idx), and a pending step's kind or due date the partial indexes of
-- case_steps.
CREATE INDEX cases_opened_idx ON cases (opened_at DESC, id DESC);
CREATE INDEX cases_path_opened_idx ON cases (path, opened_at DESC, id DESC);
-- A reference typed into the search box is a prefix: text_pattern_ops serves LIKE 'prefix%' whatever the collation.
CREATE INDEX cases_reference_prefix_idx ON cases (reference text_pattern_ops);
CREATE INDEX case_steps_track_idx ON case_steps (track, case_id);
CREATE INDEX case_steps_identified_idx ON case_steps (completed_at, case_id) WHERE kind = 'identification';

-- Down Migration

DROP INDEX case_steps_identified_idx;
DROP INDEX case_steps_track_idx;
DROP INDEX cases_reference_prefix_idx;
DROP INDEX cases_path_opened_idx;
DROP INDEX cases_opened_idx;
