-- Up Migration

-- The API's Idempotency-Key: the first request under a key claims it; a retry with the same request replays the
-- stored response; the same key with a different request is a conflict. Rows expire after 24 hours.
CREATE TABLE idempotency_keys (
  -- Who may reuse the key, e.g. route and acting agency: one client's key never collides with another's.
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  -- Null while the first request is still being handled.
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Down Migration

DROP TABLE idempotency_keys;
