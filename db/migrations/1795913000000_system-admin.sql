-- Up Migration

-- Delegated administration (issue 13): `admin` manages its own agency's users; `system_admin` manages agencies and
-- every agency's admins, and is granted by the operator's command only (domain/access.ts ROLES; a test keeps them
-- equal).
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check
  CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['coordinator', 'agency_officer', 'advocate', 'supervisor', 'admin', 'system_admin']);

-- Down Migration

-- A system administrator becomes an admin of their agency again, the most the old roles can say.
UPDATE users SET roles = array_replace(roles, 'system_admin', 'admin') WHERE 'system_admin' = ANY (roles);
UPDATE users SET roles = ARRAY(SELECT DISTINCT unnest(roles)) WHERE 'admin' = ANY (roles);
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check
  CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['coordinator', 'agency_officer', 'advocate', 'supervisor', 'admin']);
