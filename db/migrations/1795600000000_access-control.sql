-- Up Migration

-- People who use the service, the bearer tokens they act with, and the audit trail of what they did.

-- Every user belongs to one agency and holds one or more roles (domain/access.ts ROLES; a test keeps them equal).
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name text NOT NULL,
  agency_id text NOT NULL REFERENCES agencies (id),
  roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['coordinator', 'agency_officer', 'advocate', 'supervisor', 'admin']),
  -- scrypt (memory-hard), with its parameters and salt: "scrypt$N$r$p$salt$hash". Null: no password sign-in.
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A disabled user's tokens stop working at once.
  disabled_at timestamptz
);
CREATE INDEX users_agency_idx ON users (agency_id);

-- Opaque bearer tokens "rc_<id>_<secret>": only a SHA-256 of the secret is stored. Every token expires; any can be
-- revoked. An API key is long-lived and named; a session comes from signing in with a password and is short-lived.
CREATE TABLE access_tokens (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL CHECK (kind IN ('api_key', 'session')),
  label text NOT NULL,
  secret_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX access_tokens_user_idx ON access_tokens (user_id, created_at DESC);

-- Every write, every read of a survivor's personal data and every denial: who, which agency, when, what, which case,
-- the outcome and the request id. Never personal data: `detail` holds codes and field names only.
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  user_id uuid,
  username text,
  agency_id text,
  roles text[],
  action text NOT NULL,
  case_id uuid,
  step_id text,
  outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'rejected', 'failed')),
  status integer,
  request_id text,
  detail text
);
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_case_idx ON audit_events (case_id, at DESC, id DESC) WHERE case_id IS NOT NULL;
CREATE INDEX audit_events_user_idx ON audit_events (user_id, at DESC, id DESC);
CREATE INDEX audit_events_agency_idx ON audit_events (agency_id, at DESC, id DESC);

-- Append-only for everyone, the table's owner included: the service's role has no UPDATE or DELETE on it (below),
-- and this trigger refuses them even to a role that has.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Which agencies take part in a case, as an indexed array: the lists show a user only the cases of their agency.
ALTER TABLE cases ADD COLUMN agency_ids text[] GENERATED ALWAYS AS (ARRAY[
  agencies ->> 'law_enforcement', agencies ->> 'ice', agencies ->> 'hhs', agencies ->> 'advocate', agencies ->> 'coordinator'
]) STORED;
CREATE INDEX cases_agency_ids_idx ON cases USING gin (agency_ids);

-- The service's privileges, held by the group role relief_app: the service logs in as a member of it, never as the
-- owner of these tables. Creating it needs CREATEROLE; on a managed database, create it beforehand.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'relief_app') THEN
    CREATE ROLE relief_app NOLOGIN;
  END IF;
END;
$$;
GRANT USAGE ON SCHEMA public TO relief_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO relief_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO relief_app;
REVOKE ALL ON pgmigrations FROM relief_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM relief_app;
-- Tables of later migrations get the same grants; an append-only one must revoke as above.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO relief_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO relief_app;

-- Down Migration

ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM relief_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM relief_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM relief_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM relief_app;
REVOKE USAGE ON SCHEMA public FROM relief_app;
DROP INDEX cases_agency_ids_idx;
ALTER TABLE cases DROP COLUMN agency_ids;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE access_tokens;
DROP TABLE users;
