-- Up Migration

-- The documents that prove a step (the CP approval, the HHS letter, the I-797 receipt, a signed Supplement B), linked
-- to the step here only: the case's workflow never sees them. Content and file name are sealed like the survivor's
-- identity (the key named by key_id, bound to the case and the document); the media type, size and SHA-256 of the
-- plain content are readable without opening anything. The sealed content is in this row (storage 'postgres') or in
-- an S3-compatible store under object_key (storage 's3'). Append-only for the service: a proof once recorded stays.
CREATE TABLE step_documents (
  id uuid PRIMARY KEY,
  case_id uuid NOT NULL REFERENCES cases (id),
  step_id text NOT NULL,
  uploaded_by uuid,
  uploaded_at timestamptz NOT NULL,
  media_type text NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
  byte_size integer NOT NULL CHECK (byte_size > 0 AND byte_size <= 10485760),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  key_id text NOT NULL,
  file_name_ciphertext bytea NOT NULL,
  storage text NOT NULL CHECK (storage IN ('postgres', 's3')),
  content_ciphertext bytea,
  object_key text,
  CHECK ((storage = 'postgres') = (content_ciphertext IS NOT NULL)),
  CHECK ((storage = 's3') = (object_key IS NOT NULL))
);

CREATE INDEX step_documents_by_step ON step_documents (case_id, step_id, uploaded_at);
-- The same content added twice to a step (a double submit, a retry) is one document.
CREATE UNIQUE INDEX step_documents_once_per_step ON step_documents (case_id, step_id, sha256);

-- New tables get every right by default (1795600000000_access-control.sql): the service reads and adds, no more.
REVOKE UPDATE, DELETE, TRUNCATE ON step_documents FROM relief_app;
GRANT SELECT, INSERT ON step_documents TO relief_app;

-- Down Migration

DROP TABLE step_documents;
