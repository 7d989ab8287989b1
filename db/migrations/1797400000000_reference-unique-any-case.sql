-- Up Migration

-- Every look-up reads a reference in upper case (db/case-list.ts, db/audit.ts), but uniqueness was on the text as
-- written: one agency could open TF-legacy-07 and tf-legacy-07, two cases its inbox, emails and digests named alike.
-- A reference is now unique per agency whatever the case of its letters: a unique index on upper(reference).
--
-- Pairs opened before cannot keep both names. Of an agency's references equal in upper case, the one reserved first
-- keeps its name; each later one gets `-2` appended (`-3`, ... if the agency already holds that, in any case), in its
-- reservation and in the read model's cases row, which the projection takes from the reservation from now on
-- (db/read-model.ts). Emails already written (notifications) keep the reference they were sent with.
DO $$
DECLARE
  later record;
  suffix integer;
BEGIN
  -- The cursor reads the reservations as they stood before any renaming: only the later of each pair is renamed.
  FOR later IN
    SELECT r.case_id, r.opened_by_agency_id, r.reference FROM case_references r
    WHERE EXISTS (
      SELECT 1 FROM case_references earlier
      WHERE earlier.opened_by_agency_id = r.opened_by_agency_id AND upper(earlier.reference) = upper(r.reference)
        AND (earlier.created_at, earlier.case_id) < (r.created_at, r.case_id))
    ORDER BY r.created_at, r.case_id
  LOOP
    suffix := 2;
    WHILE EXISTS (
      SELECT 1 FROM case_references
      WHERE opened_by_agency_id = later.opened_by_agency_id
        AND upper(reference) = upper(later.reference || '-' || suffix)) LOOP
      suffix := suffix + 1;
    END LOOP;
    UPDATE case_references SET reference = later.reference || '-' || suffix WHERE case_id = later.case_id;
    UPDATE cases SET reference = later.reference || '-' || suffix WHERE id = later.case_id;
  END LOOP;
END $$;

ALTER TABLE case_references DROP CONSTRAINT case_references_opened_by_agency_id_reference_key;
CREATE UNIQUE INDEX case_references_agency_reference_any_case_key
  ON case_references (opened_by_agency_id, upper(reference));

-- Down Migration

DROP INDEX case_references_agency_reference_any_case_key;
ALTER TABLE case_references ADD CONSTRAINT case_references_opened_by_agency_id_reference_key
  UNIQUE (opened_by_agency_id, reference);
