-- Up Migration

-- A document belongs to the step as it was open when the document was added, not to every step that later bears its
-- id: a correction withdraws a step and frees its id, which a later sign-off may open again
-- (`hhs_certification_request-1` withdrawn with a CP grant corrected to a denial, opened again by a bona fide
-- determination). step_instance counts the withdrawals of that step id the case's timeline held when the document was
-- added: a step's list shows a document while the case holds that step and no withdrawal of its id came since
-- (app/documents.ts), and the others as on a withdrawn step. Not the step's opening instant: a correction re-dates
-- the steps that followed from it, keeping their ids and their documents. Rows added before are null: the step as it
-- was then, shown with the step that bears its id, as before.
ALTER TABLE step_documents ADD COLUMN step_instance integer;

-- The same content added twice to one step instance is one document; on a new step under the same id it is another.
DROP INDEX step_documents_once_per_step;
CREATE UNIQUE INDEX step_documents_once_per_step ON step_documents (case_id, step_id, step_instance, sha256);

-- Down Migration

DROP INDEX step_documents_once_per_step;
ALTER TABLE step_documents DROP COLUMN step_instance;
CREATE UNIQUE INDEX step_documents_once_per_step ON step_documents (case_id, step_id, sha256);
