-- Up Migration

-- A survivor's identity as it was before each correction (A-number, contact, preferred language, name), sealed like
-- the identity itself under the key named by key_id, bound to its case. Append-only for the service: what was
-- recorded about a survivor is never silently lost, and who changed which fields (their names, never their values)
-- is readable without opening anything.
CREATE TABLE survivor_revisions (
  case_id uuid NOT NULL,
  revision integer NOT NULL,
  identity_ciphertext bytea NOT NULL,
  key_id text NOT NULL,
  changed_fields text[] NOT NULL,
  changed_by uuid,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, revision)
);

GRANT SELECT, INSERT ON survivor_revisions TO relief_app;

-- Down Migration

DROP TABLE survivor_revisions;
