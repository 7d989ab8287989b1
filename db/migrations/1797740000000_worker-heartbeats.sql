-- Up Migration

-- The case worker processes alive now, for the API's readiness (app/readiness.ts): each worker process keeps one row,
-- renewed every few seconds while it runs and deleted when it stops cleanly (db/worker-heartbeats.ts). A process that
-- was killed renews nothing, so its row goes stale within seconds; a stale row is deleted by the next worker to start.
-- The id is random, one per process start: nothing here names a person or a host.
CREATE TABLE worker_heartbeats (
  id uuid PRIMARY KEY,
  task_queue text NOT NULL,
  seen_at timestamptz NOT NULL
);
CREATE INDEX worker_heartbeats_task_queue_seen_idx ON worker_heartbeats (task_queue, seen_at);

-- A worker process writes and deletes its row, an API process reads them; both log in as members of relief_app
-- (db/service-role.ts), which gets these four and nothing more on this table.
GRANT SELECT, INSERT, UPDATE, DELETE ON worker_heartbeats TO relief_app;

-- Down Migration

DROP TABLE worker_heartbeats;
