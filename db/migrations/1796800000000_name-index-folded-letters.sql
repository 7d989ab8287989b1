-- Up Migration

-- The name index's tokens now fold the Latin letters no decomposition takes apart (core/name-index.ts: Đức is found
-- as "duc"). Rows written under the old rules would never match a search under the new ones, and they are HMACs, so
-- no SQL can rewrite them: they are removed, and each API process's start-up backfill (app/name-index.ts) indexes
-- every survivor again from their sealed identity. Until it has, a search by name may miss a case.
DELETE FROM survivor_name_index;

-- Down Migration

-- Nothing to undo: the backfill of the older code indexes every survivor again under its own rules.
DELETE FROM survivor_name_index;
