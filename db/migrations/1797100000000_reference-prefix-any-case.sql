-- Up Migration

-- "Find by reference" ignores the letters' case (db/case-list.ts): an assigned reference read out on the phone is
-- typed in lower case, and a chosen one is stored as its agency wrote it (TF-legacy-07), so neither the stored nor the
-- typed case can be relied on. The typed prefix, in upper case, is matched against upper(reference); text_pattern_ops
-- serves LIKE 'PREFIX%' whatever the collation. It replaces the case-sensitive prefix index, which nothing else read.
CREATE INDEX cases_reference_upper_prefix_idx ON cases (upper(reference) text_pattern_ops);
DROP INDEX cases_reference_prefix_idx;

-- Down Migration

CREATE INDEX cases_reference_prefix_idx ON cases (reference text_pattern_ops);
DROP INDEX cases_reference_upper_prefix_idx;
