-- Up Migration

-- The name index's tokens now drop the invisible format characters (Unicode category Cf: zero-width space and
-- joiners, soft hyphen...) instead of splitting words at them (core/name-index.ts: "Pell\u00ADu\u200Dcast" is found
-- as "pellucast"). Rows written under the old rules would never match a search, nor the duplicate check, under the new
-- ones, and they are HMACs, so no SQL can tell which names held such characters nor rewrite them: they are removed, and
-- each API process's start-up backfill (app/name-index.ts) indexes every survivor again from their sealed identity.
-- Until it has, a search by name may miss a case.
DELETE FROM survivor_name_index;

-- Down Migration

-- Nothing to undo: the backfill of the older code indexes every survivor again under its own rules.
DELETE FROM survivor_name_index;
