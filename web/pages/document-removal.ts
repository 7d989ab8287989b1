/**
 * Removing a document added to a step by mistake (another survivor's letter, the wrong case or step): a page that
 * says what will be removed (the step, the file's name for who may read it, its type and size) with a reason chosen
 * from a list, then the API's POST /api/cases/{caseId}/documents/{documentId}/remove, which deletes its content for
 * good and audits who removed it and why. Reached from the case page, and back to it; and from a sign-off's check page,
 * where the document chosen on the form is already on the step: the form's answers ride along, posted (a note may
 * name the survivor, so never in a URL), and the removal, or Cancel, leads back to the form with them.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, plainProblem, problemShown, type FormProblem, type NamedField } from '../form-problems';
import { caseIdOf, formOf, type Kit } from '../kit';
import { documentRemovalReasons } from '../labels';
import { documentStep, mayRemoveDocument } from '../documents';
import type { Words } from '../labels';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The sign-off form's answers, as its check page posts them (web/views/sign-off-check.eta): carried, never read. */
const SIGN_OFF_ANSWER = /^(outcome|idempotencyKey|details\.[A-Za-z]+)$/;
const NAMED: readonly NamedField[] = [{ name: 'reason', noun: 'why the document is removed', control: 'select' }];

const noSuchDocument = () =>
  new ApiProblem(404, {
    title: 'Not Found',
    detail: 'This case has no such document: it may have been removed already.',
  });

/**
 * The refusal of the removal page to one who may not remove the document (web/documents.ts mayRemoveDocument), in the
 * API's words, with the agencies named.
 */
const cannotRemove = (
  view: { agencies: Partial<Record<string, string>> },
  step: { agencyId: string | null } | undefined,
  words: Pick<Words, 'agencyName'>,
) => {
  const coordinator = view.agencies.coordinator;
  return new ApiProblem(403, {
    title: 'Forbidden',
    detail:
      'Only the person who added the document, ' +
      `an officer of the step’s agency on this case${step?.agencyId ? ` (${words.agencyName(step.agencyId)})` : ''}, ` +
      `or the case’s coordinator${coordinator ? ` (${words.agencyName(coordinator)})` : ''} may remove it.`,
  });
};

export function documentRemovalPages(kit: Kit): Router {
  const router = Router();

  const documentIdOf = (req: Request) => {
    const documentId = String(req.params.documentId);
    if (!UUID.test(documentId)) throw noSuchDocument();
    return documentId.toLowerCase();
  };

  /**
   * The page; `signOff`, the sign-off whose check page it was opened from: its step and the answers to take back to
   * its form.
   */
  const render = async (
    req: Request,
    res: Response,
    form: Record<string, string>,
    problem?: FormProblem,
    signOff?: SignOffAnswers,
  ) => {
    const {
      me,
      view,
      also: { documentId, documents },
    } = await kit.caseOf(req, res, (api, caseId) => {
      // Checked before anything is read, as the case's id is.
      const documentId = documentIdOf(req);
      return api
        .GET('/api/cases/{caseId}/documents', { params: { path: { caseId } } })
        .then(ok)
        .then((documents) => ({ documentId, documents }));
    });
    const document = documents.items.find((candidate) => candidate.id === documentId);
    if (!document) throw noSuchDocument();
    const step = documentStep(view, document);
    // The form to one the API would let remove it only: anyone else is told who may, before choosing a reason.
    if (!mayRemoveDocument(me, view, step, document)) throw cannotRemove(view, step, kit.words(res));
    kit.render(
      req,
      res,
      'document-remove',
      {
        view,
        step,
        document,
        form,
        reasons: documentRemovalReasons(),
        // Who added it by name and agency, as the case page names who signed a step (web/case-standing.ts).
        uploader:
          document.uploader &&
          `${document.uploader.displayName} (${kit.words(res).agencyName(document.uploader.agencyId)})`,
        signOff,
        ...problemShown(`Remove a document, case ${view.reference}`, problem),
      },
      problem ? 400 : 200,
    );
  };

  router.get('/cases/:caseId/documents/:documentId/remove', async (req, res) =>
    render(req, res, (await kit.keptForm(req, res)) ?? {}),
  );

  router.post('/cases/:caseId/documents/:documentId/remove', async (req, res) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const documentId = documentIdOf(req);
    const form = formOf(req);
    const signOff = signOffAnswersOf(form);
    // "Remove this document" on a sign-off's check page posts that page's answers with no reason (the page's own
    // form always sends one, chosen or not): the page, opened with them.
    if (signOff && form.reason === undefined) return render(req, res, {}, undefined, signOff);
    const reason = form.reason ?? '';
    if (!documentRemovalReasons().some(([code]) => code === reason))
      return render(req, res, form, plainProblem({ errors: { reason: 'required' } }, NAMED, form), signOff);
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
        const problem = plainProblem(formProblemOf(error, ['reason'], kit.words(res)), NAMED, form);
        return render(req, res, form, problem, signOff);
      }
    }
    // Back to the sign-off form, its answers posted again as they came (307 keeps the method and the body), with
    // `change=document-removed` from the button pressed: the form says the document went and the step is not signed.
    if (signOff) return res.redirect(307, `/cases/${caseId}/steps/${encodeURIComponent(signOff.stepId)}`);
    res.redirect(303, `/cases/${caseId}?notice=document-removed`);
  });

  return router;
}

/** A sign-off's step and the answers its check page posted, to go back to its form with. */
interface SignOffAnswers {
  stepId: string;
  answers: [name: string, value: string][];
}

/** The sign-off a removal was asked from (`signOffStep`, the check page's button), or undefined from the case page. */
function signOffAnswersOf(form: Record<string, string>): SignOffAnswers | undefined {
  // Any step id is safe here: it goes back escaped, within this case, whose sign-off page judges it.
  const stepId = form.signOffStep;
  if (!stepId) return undefined;
  return { stepId, answers: Object.entries(form).filter(([name]) => SIGN_OFF_ANSWER.test(name)) };
}
