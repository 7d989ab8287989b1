/**
 * A step's documents, and adding one to a step at any time: a letter or a receipt that arrives after the step was
 * signed (an I-797 receipt, the CP approval). The page lists the step's documents as the case page does, and offers
 * the form (one file, multipart/form-data, read by web/documents.ts multipartForm) to whoever the API lets add one
 * (domain/access.ts canAttachDocument: who acts for the step's agency on the case, or its coordinator), whatever the
 * step's status. The API's POST /api/cases/{caseId}/steps/{stepId}/documents decides, with its limits; a refusal
 * (type, size, too many uploads at once, the step or the case full) comes back on the form, in words, by the file's
 * field. The API takes no Idempotency-Key here: the same file sent again is the document already there (200), so the
 * form carries none.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { documentStep, formFileOf, mayAddDocument, mayRemoveDocument, uploadDocument } from '../documents';
import { plainProblem, problemShown, type FormProblem, type NamedField } from '../form-problems';
import { type Kit, param } from '../kit';
import { stepLabel } from '../labels';
import { plainWords, refusalInWords, type RefusalWords } from '../refusal-words';

const STEP_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const NAMED: readonly NamedField[] = [{ name: 'document', noun: 'the document' }];

/** The API's refusals the form shows above itself, the file chosen again; an outage (503) too, said as one. */
const SHOWN_ON_FORM = [400, 403, 409, 413, 415, 422, 429, 503];

const NOTICES: ReadonlyMap<string, string> = new Map([
  ['added', 'The document was added to the step: it is listed below.'],
  ['already-added', 'This file was on the step already: it is listed below once, as it was first added.'],
]);

const noSuchStep = () => new ApiProblem(404, { title: 'Not Found', detail: 'This case has no such step you may see.' });

/** The form sent with no file chosen: nothing reached the API. */
const NO_FILE = 'Choose the file to add';

/** The API's refusal of an upload as the form shows it: by the file's field in words, or the whole answer in words. */
function problemOf(error: unknown, words: RefusalWords): FormProblem {
  if (!(error instanceof ApiProblem) || !SHOWN_ON_FORM.includes(error.status)) throw error;
  const said = refusalInWords({ ...error.problem, detail: error.problem.detail ?? error.message }, words);
  if (error.status === 503)
    return {
      errors: {},
      message: `The service could not finish this just now. ${said} Nothing was added: choose the file again and send it in a minute.`,
    };
  const { file, ...others } = error.fieldErrors();
  const errors: Record<string, string> = file === undefined ? {} : { document: plainWords(file, words) };
  return plainProblem(
    { errors, message: file === undefined || Object.keys(others).length > 0 ? said : undefined },
    NAMED,
  );
}

export function stepDocumentPages(kit: Kit): Router {
  const router = Router();

  /** The page; `problem`, the form sent and refused (its file to choose again: no page can keep one). */
  const render = async (req: Request, res: Response, problem?: FormProblem, status = 200) => {
    const {
      me,
      view,
      also: documents,
    } = await kit.caseOf(req, res, (api, caseId) =>
      api.GET('/api/cases/{caseId}/documents', { params: { path: { caseId } } }).then(ok),
    );
    const stepId = String(req.params.stepId);
    const step = STEP_ID.test(stepId) ? view.steps.find((candidate) => candidate.id === stepId) : undefined;
    if (!step) throw noSuchStep();
    // The form to one the API would let add a document only: anyone else is told who may, before choosing a file.
    if (!mayAddDocument(me, view, step)) throw cannotAdd(view, step, kit.words(res).agencyName);
    // A step opened again under a withdrawn step's id is another step: the withdrawn one's documents are not its.
    const listed = documents.items.filter((document) => document.stepId === stepId && !document.stepWithdrawn);
    kit.render(
      req,
      res,
      'step-documents',
      {
        view,
        step,
        documents: listed.map((document) => ({
          ...document,
          // Who added it by name and agency, as the case page names who signed a step.
          uploader:
            document.uploader &&
            `${document.uploader.displayName} (${kit.words(res).agencyName(document.uploader.agencyId)})`,
          removable: mayRemoveDocument(me, view, documentStep(view, document), document),
        })),
        flash: problem ? undefined : NOTICES.get(param(req, 'notice') ?? ''),
        ...problemShown(`Documents: ${stepLabel(step.kind)}, case ${view.reference}`, problem),
      },
      status,
    );
  };

  router.get('/cases/:caseId/steps/:stepId/documents', (req, res) => render(req, res));

  router.post('/cases/:caseId/steps/:stepId/documents', async (req, res) => {
    const { me, caseId, view } = await kit.caseOf(req, res);
    const stepId = String(req.params.stepId);
    const step = STEP_ID.test(stepId) ? view.steps.find((candidate) => candidate.id === stepId) : undefined;
    if (!step) throw noSuchStep();
    if (!mayAddDocument(me, view, step)) throw cannotAdd(view, step, kit.words(res).agencyName);
    const file = formFileOf(res);
    if (!file) return render(req, res, plainProblem({ errors: { document: NO_FILE } }, NAMED), 422);
    try {
      const added = await uploadDocument(kit.api(req), caseId, stepId, file);
      res.redirect(
        303,
        `/cases/${caseId}/steps/${encodeURIComponent(stepId)}/documents?notice=${added.created ? 'added' : 'already-added'}`,
      );
    } catch (error) {
      const problem = problemOf(error, kit.words(res));
      await render(req, res, problem, (error as ApiProblem).status);
    }
  });

  return router;
}

/** The page's refusal to one the API would not let add a document (a supervisor, another agency), agencies named. */
function cannotAdd(
  view: { agencies: Partial<Record<string, string>> },
  step: { agencyId: string | null },
  agencyName: (agencyId: string) => string,
): ApiProblem {
  const coordinator = view.agencies.coordinator;
  return new ApiProblem(403, {
    title: 'Forbidden',
    detail:
      `Only an officer of the step’s agency on this case${step.agencyId ? ` (${agencyName(step.agencyId)})` : ''}, ` +
      `or of the case’s coordinator${coordinator ? ` (${agencyName(coordinator)})` : ''}, may add its documents. ` +
      'You can still read the step on the case page.',
  });
}
