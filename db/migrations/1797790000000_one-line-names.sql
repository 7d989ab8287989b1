-- Up Migration

-- A user's display name, an agency's name and a key's label are read inside sentences ("Signed by … (agency) on …",
-- an email's plain-text body) and are held to one line without direction controls since that rule (domain/text.ts).
-- One stored before it may keep a line break, a tab or an override, which an email shows as it is: each run of
-- control characters becomes one space and each direction control is dropped, as the rule would have had it typed.
-- Survivors' names and file names are sealed and never reach an email; the audit trail keeps what was recorded.
CREATE FUNCTION pg_temp.one_line(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT btrim(regexp_replace(regexp_replace($1, '[\u202A-\u202E\u2066-\u2069]', '', 'g'),
                              '[\u0001-\u001F\u007F-\u009F]+', ' ', 'g'))
$$;

UPDATE users SET display_name = pg_temp.one_line(display_name) WHERE display_name <> pg_temp.one_line(display_name);
UPDATE agencies SET name = pg_temp.one_line(name) WHERE name <> pg_temp.one_line(name);
UPDATE access_tokens SET label = pg_temp.one_line(label) WHERE label <> pg_temp.one_line(label);

-- Down Migration

-- Nothing to undo: the names read as they would have been typed under the rule.
SELECT 1;
