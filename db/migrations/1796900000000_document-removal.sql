-- Up Migration

-- A document added to a step by mistake (another survivor's letter, the wrong case) is removed: its row, and with it
-- the sealed content and file name, is deleted; the audit trail keeps who removed which document of which case and
-- step, and why. The service role still may not UPDATE, DELETE or TRUNCATE step_documents: it removes one document
-- at a time, named by its case and id, through this function alone, which answers the step and where the content was.
CREATE FUNCTION remove_step_document(p_case_id uuid, p_id uuid)
  RETURNS TABLE (removed_step_id text, removed_storage text, removed_object_key text)
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DELETE FROM step_documents d WHERE d.case_id = p_case_id AND d.id = p_id
  RETURNING d.step_id, d.storage, d.object_key
$$;

REVOKE ALL ON FUNCTION remove_step_document(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION remove_step_document(uuid, uuid) TO relief_app;

-- Down Migration

DROP FUNCTION remove_step_document(uuid, uuid);
