-- Up Migration

-- The API's rate limits (api/rate-limits.ts), counted here so that every API process counts the same requests: a
-- client spread over several processes still gets its limit once, not once per process. One row per limit and key
-- (a user id or a client address), holding the hits of the window it is in; keyed by a SHA-256 of the two, since a
-- client address is personal data and need not be stored as it is. A row whose window has ended counts afresh on its
-- next hit, and ended rows are deleted as new windows open (db/rate-limit-hits.ts).
CREATE TABLE rate_limit_hits (
  key bytea PRIMARY KEY,
  hits integer NOT NULL CHECK (hits >= 0),
  window_ends_at timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_window_ends_idx ON rate_limit_hits (window_ends_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_hits TO relief_app;

-- Down Migration

DROP TABLE rate_limit_hits;
