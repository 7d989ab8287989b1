-- Up Migration

-- The name index's tokens now keep the marks that are letters of a name (the vowel signs and viramas of Devanagari,
-- Bengali, Thai, Myanmar and the other scripts that write vowels as marks; the kana voicing marks) and drop only the
-- marks a name is written with or without (script Inherited: Latin and Cyrillic diacritics, Arabic harakat; Hebrew
-- points), and fold the Arabic and Persian forms of yeh and kaf (core/name-index.ts). Under the old rules "राम" (Ram)
-- and "रमा" (Rama) were one token, so a search for one found the other and twins of those names opening the same day
-- were taken for one survivor. Rows written under the old rules would not match under the new ones, and they are
-- HMACs, so no SQL can tell which names held such marks: they are removed, and each API process's start-up backfill
-- (app/name-index.ts) indexes every survivor again from their sealed identity. Until it has, a search by name may miss
-- a case.
DELETE FROM survivor_name_index;

-- Down Migration

-- Nothing to undo: the backfill of the older code indexes every survivor again under its own rules.
DELETE FROM survivor_name_index;
