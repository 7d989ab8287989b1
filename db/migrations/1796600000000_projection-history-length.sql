-- Up Migration

-- The case workflow's history length when it projected the stored version. A projection runs inside its workflow
-- task, before Temporal has recorded that task: when the worker dies first, the task runs again elsewhere and may
-- reach the same version by another path (a sign-off that arrived meanwhile applied before a reminder it makes moot).
-- The version alone would keep the lost task's state; of two projections of one version, the one further along the
-- history is the one Temporal recorded. 0 for projections written before this column, and for those outside a
-- workflow (a re-projection, a bulk load), which replace only an older version.
ALTER TABLE cases ADD COLUMN history_length integer NOT NULL DEFAULT 0;

-- Down Migration

ALTER TABLE cases DROP COLUMN history_length;
