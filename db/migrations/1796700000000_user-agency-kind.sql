-- Up Migration

-- Every request reads who its token belongs to (db/tokens.ts authenticateToken). The user's agency kind is kept on
-- the user row, so that lookup reads the token and its user by primary key and nothing else. The composite foreign
-- key keeps the copy true: an agency whose kind changes carries its users along (ON UPDATE CASCADE).
ALTER TABLE agencies ADD CONSTRAINT agencies_id_kind_key UNIQUE (id, kind);
ALTER TABLE users ADD COLUMN agency_kind text;
UPDATE users u SET agency_kind = a.kind FROM agencies a WHERE a.id = u.agency_id;
ALTER TABLE users ALTER COLUMN agency_kind SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_agency_kind_fkey
  FOREIGN KEY (agency_id, agency_kind) REFERENCES agencies (id, kind) ON UPDATE CASCADE;

-- Down Migration

ALTER TABLE users DROP CONSTRAINT users_agency_kind_fkey;
ALTER TABLE users DROP COLUMN agency_kind;
ALTER TABLE agencies DROP CONSTRAINT agencies_id_kind_key;
