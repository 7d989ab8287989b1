-- Up Migration

-- The blind index of survivors' names (core/name-index.ts): one row per token of a survivor's normalised name, kept
-- only as HMAC-SHA256 under a key derived from the identity key named by key_id, never the name. Searched by the
-- token's HMAC (the primary key leads with it); rewritten whole for a case when its name is recorded or corrected.
CREATE TABLE survivor_name_index (
  token_hmac bytea NOT NULL,
  case_id uuid NOT NULL,
  key_id text NOT NULL,
  PRIMARY KEY (token_hmac, case_id)
);

CREATE INDEX survivor_name_index_case ON survivor_name_index (case_id);

GRANT SELECT, INSERT, DELETE ON survivor_name_index TO relief_app;

-- Down Migration

DROP TABLE survivor_name_index;
