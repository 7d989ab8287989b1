-- Up Migration

-- A case's reference is the case number of its agency now, of the kind of the one that reserved it: after a transfer,
-- the police the case went to (db/case-references.ts `referenceOwnerOf`). That police may not take the number it
-- inherited for another case. The service checked so before writing (a read joining the read model's agencies and
-- scanning the references), so a write that committed after the transfer, having read before it, could take it all
-- the same. The database now holds it: `held_by_agency_id` names the agency a transfer gave the reference to (null:
-- its opener's), kept by a trigger on the read model's agencies, and a unique index on the holder and the reference,
-- its letters in any case, over the references not replaced, refuses the second of two such writes (it waits for the
-- first to end). A transfer to an agency that already holds the number for a case of its own is not refused, as
-- before: the reference then stays marked as its opener's (which the other index already keeps that number unique
-- for), rather than failing the projection of a transfer already made.
ALTER TABLE case_references ADD COLUMN held_by_agency_id text;

CREATE UNIQUE INDEX case_references_holder_reference_key
  ON case_references (COALESCE(held_by_agency_id, opened_by_agency_id), upper(reference))
  WHERE replaced_at IS NULL;

CREATE FUNCTION case_references_follow_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE case_references r
     SET held_by_agency_id = NULLIF(NEW.agencies ->> a.kind, r.opened_by_agency_id)
    FROM agencies a
   WHERE r.case_id = NEW.id AND r.replaced_at IS NULL AND a.id = r.opened_by_agency_id
     AND r.held_by_agency_id IS DISTINCT FROM NULLIF(NEW.agencies ->> a.kind, r.opened_by_agency_id);
  RETURN NULL;
EXCEPTION WHEN unique_violation THEN
  -- The agency the case went to holds the number for a case of its own already (opened before the transfer).
  RETURN NULL;
END $$;

CREATE TRIGGER cases_reference_follows_transfer AFTER INSERT ON cases
  FOR EACH ROW EXECUTE FUNCTION case_references_follow_transfer();
CREATE TRIGGER cases_reference_follows_transfer_update AFTER UPDATE OF agencies ON cases
  FOR EACH ROW WHEN (OLD.agencies IS DISTINCT FROM NEW.agencies) EXECUTE FUNCTION case_references_follow_transfer();

-- The cases transferred before: each as the trigger would (the first reserved keeps a number two would hold).
DO $$
DECLARE
  transferred record;
BEGIN
  FOR transferred IN
    SELECT r.case_id, c.agencies ->> a.kind AS holder FROM case_references r
      JOIN agencies a ON a.id = r.opened_by_agency_id
      JOIN cases c ON c.id = r.case_id
     WHERE r.replaced_at IS NULL AND c.agencies ->> a.kind <> r.opened_by_agency_id
     ORDER BY r.created_at, r.case_id
  LOOP
    BEGIN
      UPDATE case_references SET held_by_agency_id = transferred.holder
       WHERE case_id = transferred.case_id AND replaced_at IS NULL;
    EXCEPTION WHEN unique_violation THEN
      NULL;
    END;
  END LOOP;
END $$;

-- The trigger runs as the service; a reference taken back is its opener's again.
GRANT UPDATE (held_by_agency_id) ON case_references TO relief_app;

-- Down Migration

REVOKE UPDATE (held_by_agency_id) ON case_references FROM relief_app;
DROP TRIGGER cases_reference_follows_transfer_update ON cases;
DROP TRIGGER cases_reference_follows_transfer ON cases;
DROP FUNCTION case_references_follow_transfer();
DROP INDEX case_references_holder_reference_key;
ALTER TABLE case_references DROP COLUMN held_by_agency_id;
