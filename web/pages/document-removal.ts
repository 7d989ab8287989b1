/**
 * Removing a document added to a step by mistake (another survivor's letter, the wrong case or step): a page that
 * says what will be removed (the step, the file's name for who may read it, its type and size) with a reason chosen
 * from a list, then the API's POST /api/cases/{caseId}/documents/{documentId}/remove, which deletes its content for
 * good and audits who removed it and why. Reached from the case page and from a sign-off's check page, where the
 * document chosen on the form is already on the step.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, plainProblem, titleOf, type FormProblem, type NamedField } from '../form-problems';
import { formOf, type Kit } from '../kit';
import { documentRemovalReasons } from '../labels';
import { caseIdOf } from './cases';
import { documentStep } from '../documents';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAMED: readonly NamedField[] = [{ name: 'reason', noun: 'why the document is removed', control: 'select' }];

const noSuchDocument = () =>
  new ApiProblem(404, {
    title: 'Not Found',
    detail: 'This case has no such document: it may have been removed already.',
  });

export function documentRemovalPages(kit: Kit): Router {
  const router = Router();

  const documentIdOf = (req: Request) => {
    const documentId = String(req.params.documentId);
    if (!UUID.test(documentId)) throw noSuchDocument();
    return documentId.toLowerCase();
  };

  const render = async (req: Request, res: Response, form: Record<string, string>, problem?: FormProblem) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const documentId = documentIdOf(req);
    const api = kit.api(req);
    const [view, documents] = await Promise.all([
      api.GET('/api/cases/{caseId}', { params: { path: { caseId } } }).then(ok),
      api.GET('/api/cases/{caseId}/documents', { params: { path: { caseId } } }).then(ok),
    ]);
    const document = documents.items.find((candidate) => candidate.id === documentId);
    if (!document) throw noSuchDocument();
    const step = documentStep(view, document);
    kit.render(
      req,
      res,
      'document-remove',
      {
        title: titleOf(`Remove a document, case ${view.reference}`, problem),
        view,
        step,
        document,
        form,
        reasons: documentRemovalReasons(),
        problem,
        errors: problem?.errors ?? {},
      },
      problem ? 400 : 200,
    );
  };

  router.get('/cases/:caseId/documents/:documentId/remove', (req, res) => render(req, res, {}));

  router.post('/cases/:caseId/documents/:documentId/remove', async (req, res) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const documentId = documentIdOf(req);
    const form = formOf(req);
    const reason = form.reason ?? '';
    if (!documentRemovalReasons().some(([code]) => code === reason))
      return render(req, res, form, plainProblem({ errors: { reason: 'required' } }, NAMED, form));
    try {
      ok(
        await kit.api(req).POST('/api/cases/{caseId}/documents/{documentId}/remove', {
          params: { path: { caseId, documentId } },
          body: { reason: reason as 'other' },
        }),
      );
    } catch (error) {
      // Removed already (the same form sent twice, or someone else meanwhile): what was asked for holds.
      if (!(error instanceof ApiProblem && error.status === 404)) {
        return render(req, res, form, plainProblem(formProblemOf(error, ['reason'], kit.words(res)), NAMED, form));
      }
    }
    res.redirect(303, `/cases/${caseId}?notice=document-removed`);
  });

  return router;
}
