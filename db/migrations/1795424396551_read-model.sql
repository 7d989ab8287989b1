-- Up Migration

-- The read model: what the case workflows last projected, for status reads and lists. The workflow is the source of
-- truth; these rows are replaced by each newer projection. No column here holds a survivor's personal data.

-- The organisations that take part in cases. The kinds are domain/types.ts AGENCY_KINDS (a test keeps them equal).
CREATE TABLE agencies (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('law_enforcement', 'ice', 'hhs', 'advocate', 'coordinator')),
  name text NOT NULL,
  email text
);

CREATE TABLE cases (
  id uuid PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  path text NOT NULL CHECK (path IN ('minor', 'adult')),
  status text NOT NULL CHECK (status IN ('open', 'closed', 'withdrawn')),
  opened_at timestamptz NOT NULL,
  closed_at timestamptz,
  policy_version text NOT NULL,
  -- One organisation id per agency kind, as captured when the case opened.
  agencies jsonb NOT NULL,
  -- The workflow's change counter: a projection applies only when its version is greater (late ones are no-ops).
  version integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_status_opened_idx ON cases (status, opened_at DESC, id);

CREATE TABLE case_steps (
  case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  step_id text NOT NULL,
  kind text NOT NULL,
  track text NOT NULL,
  agency_kind text NOT NULL,
  agency_id text,
  status text NOT NULL CHECK (status IN ('pending', 'completed', 'declined', 'expired', 'cancelled')),
  opened_at timestamptz NOT NULL,
  due_at timestamptz,
  expires_at timestamptz,
  completed_at timestamptz,
  outcome text,
  -- Non-identifying facts recorded at sign-off (dates, outcome codes).
  details jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (case_id, step_id)
);

-- Lists of pending and overdue steps are keyset-paginated on (due key, case_id, step_id), where a step without a due
-- date sorts after every dated one. Partial indexes hold pending steps only: a small fraction of all steps at
-- 100,000 cases, and each list filter (none, agency, agency kind, step kind) walks its index in sort order.
CREATE INDEX case_steps_pending_due_idx ON case_steps ((COALESCE(due_at, 'infinity'::timestamptz)), case_id, step_id)
  WHERE status = 'pending';
CREATE INDEX case_steps_pending_agency_idx ON case_steps (agency_id, (COALESCE(due_at, 'infinity'::timestamptz)), case_id, step_id)
  WHERE status = 'pending';
CREATE INDEX case_steps_pending_agency_kind_idx ON case_steps (agency_kind, (COALESCE(due_at, 'infinity'::timestamptz)), case_id, step_id)
  WHERE status = 'pending';
CREATE INDEX case_steps_pending_kind_idx ON case_steps (kind, (COALESCE(due_at, 'infinity'::timestamptz)), case_id, step_id)
  WHERE status = 'pending';

CREATE TABLE case_timeline (
  case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  type text NOT NULL,
  step_id text,
  actor_agency_id text,
  -- Human-readable, never personal data.
  summary text NOT NULL,
  PRIMARY KEY (case_id, seq)
);

-- A survivor's identity, sealed (AES-256-GCM, see db/identity-cipher.ts) under the key named by key_id so keys can
-- rotate. No foreign key to cases: the identity is stored before the case's workflow starts, and the case row only
-- appears with the workflow's first projection.
CREATE TABLE survivors (
  case_id uuid PRIMARY KEY,
  identity_ciphertext bytea NOT NULL,
  key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE survivors;
DROP TABLE case_timeline;
DROP TABLE case_steps;
DROP TABLE cases;
DROP TABLE agencies;
