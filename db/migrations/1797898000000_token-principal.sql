-- Up Migration

-- Every request reads who its token belongs to (db/tokens.ts authenticateToken). The token's row now carries its
-- user's principal (username, agency and its kind, roles, and whether the user is disabled), so that lookup reads one
-- row by primary key (issue 16: token, user and roles in one indexed lookup) where it joined the user's row. The
-- composite foreign key keeps the copy true: a user whose roles, agency or state change, and an agency whose kind
-- changes (users_agency_kind_fkey, 1796700000000), carry their tokens along (ON UPDATE CASCADE), in the same
-- statement, so no lookup can read a token with its user's old roles or a disabled user's token as live.
ALTER TABLE users ADD COLUMN disabled boolean GENERATED ALWAYS AS (disabled_at IS NOT NULL) STORED;
ALTER TABLE users ADD CONSTRAINT users_principal_key UNIQUE (id, username, agency_id, agency_kind, roles, disabled);

ALTER TABLE access_tokens
  ADD COLUMN username text,
  ADD COLUMN agency_id text,
  ADD COLUMN agency_kind text,
  ADD COLUMN roles text[],
  ADD COLUMN user_disabled boolean;
UPDATE access_tokens t
   SET username = u.username, agency_id = u.agency_id, agency_kind = u.agency_kind, roles = u.roles,
       user_disabled = u.disabled
  FROM users u
 WHERE u.id = t.user_id;
ALTER TABLE access_tokens
  ALTER COLUMN username SET NOT NULL,
  ALTER COLUMN agency_id SET NOT NULL,
  ALTER COLUMN agency_kind SET NOT NULL,
  ALTER COLUMN roles SET NOT NULL,
  ALTER COLUMN user_disabled SET NOT NULL;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_principal_fkey
  FOREIGN KEY (user_id, username, agency_id, agency_kind, roles, user_disabled)
  REFERENCES users (id, username, agency_id, agency_kind, roles, disabled) ON UPDATE CASCADE;

-- Down Migration

ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_principal_fkey;
ALTER TABLE access_tokens
  DROP COLUMN username,
  DROP COLUMN agency_id,
  DROP COLUMN agency_kind,
  DROP COLUMN roles,
  DROP COLUMN user_disabled;
ALTER TABLE users DROP CONSTRAINT users_principal_key;
ALTER TABLE users DROP COLUMN disabled;
